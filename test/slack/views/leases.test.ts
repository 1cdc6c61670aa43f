import { HOUR_MS } from '../../../src/duration';
import { leaseClause, leaseEndText, leaseField, renderPolicies } from '../../../src/slack/views/leases';
import { effectivePolicy } from '../../../src/services/leases';

const NOW = 1_700_000_000_000;
const token = (ms: number) => `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;

describe('lease views', () => {
  it('shows the end as a Slack date token with the time left, or how long ago it ended', () => {
    expect(leaseEndText({ endsAt: NOW + 8 * HOUR_MS }, NOW)).toBe(`${token(NOW + 8 * HOUR_MS)} (in 8h)`);
    expect(leaseEndText({ endsAt: NOW - 5 * 60_000 }, NOW)).toBe(`${token(NOW - 5 * 60_000)} (ended 5m ago)`);
    expect(leaseEndText({ endsAt: null }, NOW)).toBe('until terminated');
  });

  it('the card says when there is no lease and how to set one', () => {
    expect(leaseField(null, NOW, '1a2b3c4d')).toBe('*Lease*\nnone: `/gpu lease 1a2b3c4d 8h`');
    expect(leaseField({ endsAt: null }, NOW, 'x')).toBe('*Lease*\nuntil terminated');
    expect(leaseClause({ endsAt: NOW })).toBe(`lease ends ${token(NOW)}`);
    expect(leaseClause(undefined)).toBeUndefined();
  });

  it('/gpu policy lists each channel and what applies here', () => {
    const ml = effectivePolicy('CML', { channelId: 'CML', leaseMs: 4 * HOUR_MS, maxLeaseMs: 24 * HOUR_MS, onExpiry: 'terminate', setBy: 'U1', setAt: 0 }, 8 * HOUR_MS);
    const view = renderPolicies({ policies: [ml], defaultLeaseMs: 8 * HOUR_MS, here: effectivePolicy('CGEN', undefined, 8 * HOUR_MS), sandbox: false });
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('<#CML>: lease *4h* · max-lease *1d* · on-expiry *terminate*');
    expect(text).toContain('*Here* (<#CGEN>, the defaults): lease *8h* · max-lease *none* · on-expiry *remind*');
  });
});
