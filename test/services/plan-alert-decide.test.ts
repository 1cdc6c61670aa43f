/** The plan-alert matcher: when a message is due, once per (alert, offer), and what re-arms it. */
import type { PlanOffer } from '../../src/fluence/model';
import type { WorkloadType } from '../../src/fluence/workload';
import {
  MAX_MATCHES_PER_MESSAGE,
  decideAlerts,
  locationFor,
  type AlertDecision,
  type DecideInput,
  type PlanAlert,
  type PlanAlertMatchNotice,
  type SentState,
} from '../../src/services/plan-alert-decide';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 86_400_000;

function offer(id: string, model: string, price: number, o: { type?: WorkloadType; count?: number; locations?: string[] } = {}): PlanOffer {
  const count = o.count ?? 1;
  return {
    type: o.type ?? 'container',
    planId: id,
    name: `${model}-${count}`,
    gpu: { vendor: 'nvidia', model, vram: '80Gi', interface: 'sxm', count },
    vcpu: 16,
    memory: { count: 128, units: 'Gi' },
    storage: { count: 250, units: 'Gi' },
    pricePerHour: price,
    upfrontHours: 3,
    currency: 'USDC',
    locations: o.locations ?? ['US'],
  };
}

function alert(id: number, filters: PlanAlert['filters'], o: Partial<PlanAlert> = {}): PlanAlert {
  return {
    id, ownerId: 'U_ALICE', teamId: 'T1', channelId: 'C1', type: 'container', filters,
    createdAt: NOW - DAY, expiresAt: NOW + 6 * DAY, expiryNoticedAt: null, ...o,
  };
}

/** Runs cycles like the job does: what a cycle remembers and forgets is the next cycle's state. */
class Cycles {
  sent = new Map<number, Set<string>>();
  run(input: Omit<DecideInput, 'sent' | 'now' | 'ttlDays'> & { now?: number }): AlertDecision {
    const d = decideAlerts({ now: NOW, ttlDays: 7, ...input, sent: this.sent as SentState });
    for (const p of d.forget) this.sent.get(p.alertId)?.delete(p.planId);
    for (const p of d.remember) {
      if (!this.sent.has(p.alertId)) this.sent.set(p.alertId, new Set());
      this.sent.get(p.alertId)!.add(p.planId);
    }
    return d;
  }
}

const matches = (d: AlertDecision) =>
  d.notices.filter((n): n is PlanAlertMatchNotice => n.kind === 'plan-alert.match').map((n) => [n.alertId, n.matches.map((m) => m.offer.planId)]);

describe('decideAlerts', () => {
  it('an offer appearing under max fires once, not again next cycle, and again after it disappears and comes back', () => {
    const c = new Cycles();
    const a = alert(1, { gpu: 'h100', maxPrice: 2 });
    const base = [offer('h100-a', 'h100', 2.1), offer('a100-a', 'a100', 1.2)];
    expect(matches(c.run({ alerts: [a], offers: { container: base } }))).toEqual([]);
    const cheap = offer('h100-b', 'h100', 1.9);
    expect(matches(c.run({ alerts: [a], offers: { container: [...base, cheap] } }))).toEqual([[1, ['h100-b']]]);
    expect(matches(c.run({ alerts: [a], offers: { container: [...base, cheap] } }))).toEqual([]);
    const gone = c.run({ alerts: [a], offers: { container: base } });
    expect(gone.forget).toEqual([{ alertId: 1, planId: 'h100-b' }]);
    expect(matches(gone)).toEqual([]);
    expect(matches(c.run({ alerts: [a], offers: { container: [...base, cheap] } }))).toEqual([[1, ['h100-b']]]);
  });

  it('a price drop to max (inclusive) fires and says the old price; rising above max and dropping again fires again', () => {
    const c = new Cycles();
    const a = alert(1, { gpu: 'h100', maxPrice: 2 });
    c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 2.1)] } });
    const d = c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 2)] }, previousPrices: new Map([['h', 2.1]]) });
    const n = d.notices[0] as PlanAlertMatchNotice;
    expect(n.matches).toEqual([expect.objectContaining({ previousPrice: 2.1 })]);
    expect(n.matches[0]!.offer.pricePerHour).toBe(2);
    expect(matches(c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 1.95)] } }))).toEqual([]); // cheaper still: already told
    expect(c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 2.2)] } }).forget).toEqual([{ alertId: 1, planId: 'h' }]);
    expect(matches(c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 1.8)] } }))).toEqual([[1, ['h']]]);
  });

  it('a type whose list could not be read changes nothing: no message, nothing forgotten', () => {
    const c = new Cycles();
    const a = alert(1, { gpu: 'h100' });
    c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 2)] } });
    const d = c.run({ alerts: [a], offers: {} });
    expect(d).toEqual({ notices: [], remember: [], forget: [], expire: [] });
    expect(matches(c.run({ alerts: [a], offers: { container: [offer('h', 'h100', 2)] } }))).toEqual([]);
  });

  it('each alert sees only its own type, and every alert is told independently', () => {
    const c = new Cycles();
    const alerts = [alert(1, { gpu: 'h100' }), alert(2, { gpu: 'h100' }, { type: 'vm' }), alert(3, { gpu: 'h100', count: 8 })];
    const d = c.run({
      alerts,
      offers: { container: [offer('c1', 'h100', 2), offer('c8', 'h100', 16, { count: 8 })], vm: [offer('v1', 'h100', 2.3, { type: 'vm', locations: ['tokyo-japan-2'] })] },
    });
    expect(matches(d)).toEqual([[1, ['c1', 'c8']], [2, ['v1']], [3, ['c8']]]);
  });

  it('many new offers at once are one message, cheapest first, listing at most MAX_MATCHES_PER_MESSAGE and counting the rest', () => {
    const many = Array.from({ length: MAX_MATCHES_PER_MESSAGE + 4 }, (_, i) => offer(`o${i}`, 'a100', 5 - i * 0.1));
    const d = new Cycles().run({ alerts: [alert(1, { gpu: 'a100' })], offers: { container: many } });
    expect(d.notices).toHaveLength(1);
    const n = d.notices[0] as PlanAlertMatchNotice;
    expect(n.matches).toHaveLength(MAX_MATCHES_PER_MESSAGE);
    expect(n.more).toBe(4);
    expect(n.matches[0]!.offer.pricePerHour).toBeCloseTo(5 - 13 * 0.1);
    expect(d.remember).toHaveLength(MAX_MATCHES_PER_MESSAGE + 4); // the counted ones are told too
  });

  it('an expired alert fires nothing and its expiry is noticed once; a renewed one matches again', () => {
    const c = new Cycles();
    const expired = alert(1, { gpu: 'h100' }, { expiresAt: NOW - 1 });
    const d = c.run({ alerts: [expired], offers: { container: [offer('h', 'h100', 2)] } });
    expect(matches(d)).toEqual([]);
    expect(d.expire).toEqual([1]);
    expect(d.notices).toEqual([expect.objectContaining({ kind: 'plan-alert.expired', alertId: 1, expiredAt: NOW - 1, channel: 'C1', renewDays: 7 })]);
    const noticed = { ...expired, expiryNoticedAt: NOW };
    expect(c.run({ alerts: [noticed], offers: { container: [offer('h', 'h100', 2)] } }).notices).toEqual([]);
    const renewed = { ...noticed, expiresAt: NOW + 7 * DAY, expiryNoticedAt: null };
    expect(matches(c.run({ alerts: [renewed], offers: { container: [offer('h', 'h100', 2)] } }))).toEqual([[1, ['h']]]);
  });

  it('filters are the /gpu plans filters: count, location (exact or contained) and max together', () => {
    const a = alert(1, { gpu: 'h100', count: 1, location: 'de', maxPrice: 3 });
    const d = new Cycles().run({
      alerts: [a],
      offers: { container: [offer('us', 'h100', 2), offer('de', 'h100', 2.5, { locations: ['US', 'DE'] }), offer('de4', 'h100', 2, { count: 4, locations: ['DE'] }), offer('dear', 'h100', 3.5, { locations: ['DE'] })] },
    });
    expect(matches(d)).toEqual([[1, ['de']]]);
    expect((d.notices[0] as PlanAlertMatchNotice).matches[0]!.location).toBe('DE');
  });
});

describe('locationFor (the deploy form preselection)', () => {
  it('a machine offer has its own location; a container the one asked for, else none', () => {
    expect(locationFor(offer('v', 'h100', 2, { type: 'vm', locations: ['tokyo-japan-2'] }), {})).toBe('tokyo-japan-2');
    expect(locationFor(offer('c', 'h100', 2, { locations: ['US', 'DE'] }), {})).toBeUndefined();
    expect(locationFor(offer('c', 'h100', 2, { locations: ['US', 'DE'] }), { location: 'de' })).toBe('DE');
  });
});
