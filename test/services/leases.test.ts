import { DAY_MS, HOUR_MS, WEEK_MS } from '../../src/duration';
import { checkLease, effectivePolicy, leaseChoices, parseLeaseChoice, policyProblem } from '../../src/services/leases';
import type { ChannelPolicy } from '../../src/store/policies';
import { parseCommand } from '../../src/slack/command';

const policy = (p: Partial<ChannelPolicy>): ChannelPolicy => ({ channelId: 'CML', leaseMs: null, maxLeaseMs: null, onExpiry: 'remind', setBy: 'U1', setAt: 0, ...p });
const NOW = 1_700_000_000_000;

describe('lease rules', () => {
  it('without a policy: the default lease, no maximum, remind', () => {
    expect(effectivePolicy('C1', undefined, 8 * HOUR_MS)).toEqual({ channelId: 'C1', leaseMs: 8 * HOUR_MS, maxLeaseMs: null, onExpiry: 'remind', custom: false });
  });

  it('a default above the maximum (DEFAULT_LEASE_HOURS changed later) is held to the maximum', () => {
    expect(effectivePolicy('C1', policy({ maxLeaseMs: 4 * HOUR_MS }), 8 * HOUR_MS).leaseMs).toBe(4 * HOUR_MS);
  });

  it('the menu: presets up to the maximum, the default added when it is not one, "until terminated" only without a maximum', () => {
    const open = leaseChoices(effectivePolicy('C1', undefined, 8 * HOUR_MS));
    expect(open.options.map((o) => o.value)).toEqual(['2h', '8h', '1d', '3d', '1w', 'off']);
    expect(open.initial.label).toBe('8 hours (default)');
    const capped = leaseChoices(effectivePolicy('C1', policy({ leaseMs: 45 * 60_000, maxLeaseMs: 3 * DAY_MS }), 8 * HOUR_MS));
    expect(capped.options.map((o) => o.label)).toEqual(['45 minutes (default)', '2 hours', '8 hours', '24 hours', '3 days']);
  });

  it('past max-lease (from the deploy, not from now) or without end under a maximum needs an admin', () => {
    const p = effectivePolicy('CML', policy({ maxLeaseMs: 3 * DAY_MS }), 8 * HOUR_MS);
    expect(checkLease(p, 8 * HOUR_MS, NOW, NOW)).toEqual({ ok: true, endsAt: NOW + 8 * HOUR_MS });
    expect(checkLease(p, 3 * DAY_MS, NOW, NOW).ok).toBe(true);
    // created 2 days ago: 1 more day fits, 2 do not
    expect(checkLease(p, DAY_MS, NOW - 2 * DAY_MS, NOW).ok).toBe(true);
    const past = checkLease(p, 2 * DAY_MS, NOW - 2 * DAY_MS, NOW);
    expect(past).toMatchObject({ ok: false, needsAdmin: true, endsAt: NOW + 2 * DAY_MS });
    expect(!past.ok && past.reason).toMatch(/at most 3d from the deploy; this one would make it 4d/);
    expect(checkLease(p, null, NOW, NOW)).toMatchObject({ ok: false, endsAt: null });
    expect(checkLease(effectivePolicy('C1', undefined, HOUR_MS), null, NOW, NOW)).toEqual({ ok: true, endsAt: null });
    expect(checkLease(effectivePolicy('C1', undefined, HOUR_MS), 52 * WEEK_MS, NOW, NOW).ok).toBe(true);
  });

  it('a policy whose default lease does not fit under its maximum is refused', () => {
    expect(policyProblem({ leaseMs: 8 * HOUR_MS, maxLeaseMs: 2 * HOUR_MS }, HOUR_MS)).toMatch(/default lease \(8h\) would be longer than max-lease \(2h\)/);
    expect(policyProblem({ leaseMs: null, maxLeaseMs: 2 * HOUR_MS }, 8 * HOUR_MS)).toMatch(/DEFAULT_LEASE_HOURS/);
    expect(policyProblem({ leaseMs: 2 * HOUR_MS, maxLeaseMs: 2 * HOUR_MS }, 8 * HOUR_MS)).toBeUndefined();
  });

  it('reads the form value back: a duration, off, or nothing', () => {
    expect(parseLeaseChoice('8h')).toEqual({ ok: true, ms: 8 * HOUR_MS });
    expect(parseLeaseChoice('off')).toEqual({ ok: true, ms: null });
    expect(parseLeaseChoice(undefined)).toBeUndefined();
    expect(parseLeaseChoice('soon')).toMatchObject({ ok: false });
  });
});

describe('/gpu lease and /gpu policy parsing', () => {
  it.each([
    ['lease my-box 8h', { kind: 'lease', instance: 'my-box', durationMs: 8 * HOUR_MS }],
    ['extend 1a2b3c4d 1d12h', { kind: 'lease', instance: '1a2b3c4d', durationMs: 36 * HOUR_MS }],
    ['lease my-box off', { kind: 'lease', instance: 'my-box', durationMs: null }],
    ['policy', { kind: 'policy' }],
    ['policy <#C123|ml> lease=8h max-lease=72h on-expiry=terminate', { kind: 'policy', channelId: 'C123', patch: { leaseMs: 8 * HOUR_MS, maxLeaseMs: 3 * DAY_MS, onExpiry: 'terminate' } }],
    ['policy <#C123> max-lease=none', { kind: 'policy', channelId: 'C123', patch: { maxLeaseMs: null } }],
    ['policy lease=45m', { kind: 'policy', patch: { leaseMs: 45 * 60_000 } }],
    ['policy <#C123> off', { kind: 'policy', channelId: 'C123', remove: true }],
  ])('%s', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['lease my-box', /needs how long/],
    ['lease my-box 8', /has no unit/],
    ['lease my-box 8h extra', /does not take/],
    ['policy <@U123> lease=8h', /is not a channel/],
    ['policy <#C1> lease=soon', /not a duration/],
    ['policy <#C1> on-expiry=nuke', /remind or terminate/],
    ['policy <#C1> color=red', /Unknown policy setting/],
  ])('%s is refused with what to type', (text, error) => {
    const r = parseCommand(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});
