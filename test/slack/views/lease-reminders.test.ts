import { HOUR_MS, MINUTE_MS } from '../../../src/duration';
import type { LeaseExpiredNotice, LeaseReminderNotice, LeaseTerminatedNotice } from '../../../src/services/lease-notices';
import { ACTION } from '../../../src/slack/ids';
import { decodeLeaseRef, encodeLeaseRef, renderExtended, renderLeaseExpired, renderLeaseReminder, renderLeaseTerminated } from '../../../src/slack/views/lease-reminders';
import { assertBlockKitLimits } from '../../support/blockkit';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const token = (ms: number) => `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
const base = {
  instanceId: 'abcdef0123456789',
  type: 'container' as const,
  name: 'llm `box` <!channel>',
  to: { teamId: 'T1', channelId: 'C1', messageTs: '1.2', requesterId: 'U1' },
  ownerId: 'U1',
  endsAt: NOW + 30 * MINUTE_MS,
  createdAt: NOW - 90 * MINUTE_MS,
  decidedAt: NOW,
  spent: 4.5,
  pricePerHour: 3,
};
const buttonsOf = (blocks: any[]) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);

describe('lease reminder views', () => {
  it('the reminder mentions the owner, shows uptime, spent, price, end, and Extend 2 h / Extend 8 h / Terminate now', () => {
    const n: LeaseReminderNotice = { ...base, kind: 'lease.reminder', maxEndsAt: null };
    const v = renderLeaseReminder(n, false);
    assertBlockKitLimits(v.blocks);
    const text = JSON.stringify(v.blocks);
    expect(v.text).toMatch(/^<@U1> The lease of `llm ˋboxˋ &lt;!channel&gt;` ends in 30m/);
    expect(text).toContain('*Up for* 1h30m · *spent so far* $4.50 · *price* $3.00/h · *lease ends* ' + token(NOW + 30 * MINUTE_MS).replace(/"/g, '\\"'));
    const buttons = buttonsOf(v.blocks);
    expect(buttons.map((b: any) => [b.text.text, b.action_id])).toEqual([
      ['Extend 2 h', ACTION.leaseExtend2h],
      ['Extend 8 h', ACTION.leaseExtend8h],
      ['Terminate now', ACTION.terminate],
    ]);
    expect(decodeLeaseRef(buttons[0].value)).toEqual({ ref: 'container:abcdef0123456789', endsAt: NOW + 30 * MINUTE_MS });
    expect(buttons[2].value).toBe('container:abcdef0123456789');
    expect(buttons[2].confirm.confirm.text).toBe('Terminate');
    expect(text).not.toContain('max-lease');
    const capped = renderLeaseReminder({ ...n, maxEndsAt: NOW + 2 * HOUR_MS }, false);
    expect(JSON.stringify(capped.blocks)).toContain(`Past ${token(NOW + 2 * HOUR_MS)} (the channel's max-lease) only an admin can extend it.`);
  });

  it('lease refs round-trip and refuse garbage', () => {
    expect(decodeLeaseRef(encodeLeaseRef('vm', 'x:y', 1234))).toEqual({ ref: 'vm:x:y', endsAt: 1234 });
    for (const bad of ['', '@', 'vm:x', 'vm:x@', 'vm:x@abc', 'vm:x@-5']) expect(decodeLeaseRef(bad)).toBeUndefined();
  });

  it('expiry (remind) names the owner and the hourly cost, says when it repeats; repeats say how long past the end', () => {
    const n: LeaseExpiredNotice = { ...base, kind: 'lease.expired', endsAt: NOW, repeat: 0, nextAt: NOW + 4 * HOUR_MS };
    const first = renderLeaseExpired(n, false);
    assertBlockKitLimits(first.blocks);
    expect(first.text).toMatch(/^⏰ <@U1> The lease of .* has ended, but it still runs: it costs \$3\.00\/h/);
    expect(JSON.stringify(first.blocks)).toContain(`I say this again ${token(NOW + 4 * HOUR_MS)}`);
    const again = renderLeaseExpired({ ...n, decidedAt: NOW + 4 * HOUR_MS, repeat: 1 }, false);
    expect(again.text).toMatch(/still runs 4h after its lease ended: it costs \$3\.00\/h/);
    expect(buttonsOf(first.blocks).map((b: any) => b.action_id)).toEqual([ACTION.terminate]);
  });

  it('terminated by lease policy: the final spend; no owner known: no mention; sandbox marked', () => {
    const n: LeaseTerminatedNotice = { ...base, kind: 'lease.terminated', ownerId: null, finalSpent: 6.25 };
    const v = renderLeaseTerminated(n, true);
    assertBlockKitLimits(v.blocks);
    expect(v.text).toMatch(/^\[Sandbox\] 🛑 `llm .*` was terminated by lease policy: .* Final spend: \$6\.25\./);
    expect(v.text).not.toContain('<@');
  });

  it('an extension replaces the reminder with who extended it and the new end', () => {
    const v = renderExtended({ name: 'box', userId: 'U2', endsAt: NOW + 2 * HOUR_MS, now: NOW, byAdminPastMax: true });
    expect(v.text).toBe(`✅ <@U2> extended the lease of \`box\`: it now ends ${token(NOW + 2 * HOUR_MS)} (in 2h). As an admin they went past the channel's max-lease.`);
    expect(buttonsOf(v.blocks)).toEqual([]);
  });
});
