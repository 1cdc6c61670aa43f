/** Plan-alert rows: the per-person cap under concurrent adds, and a cycle applied exactly once. */
import type { PlanOffer } from '../../src/fluence/model';
import type { AlertDecision, PlanAlertNotice } from '../../src/services/plan-alert-decide';
import type { NewPlanAlert } from '../../src/services/plan-alerts';
import type { Store } from '../../src/store';
import { tempStores, type TempStores } from './temp-store';

let temp: TempStores;
let store: Store;
beforeEach(async () => {
  temp = tempStores();
  store = await temp.open();
});
afterEach(() => temp.cleanup());

const T = 1_700_000_000_000;
const input = (o: Partial<NewPlanAlert> = {}): NewPlanAlert => ({
  ownerId: 'U1', teamId: 'T1', channelId: 'C1', type: 'container', filters: { gpu: 'h100', maxPrice: 2 }, createdAt: T, expiresAt: T + 1000, ...o,
});
const offer = (planId: string, price = 1.5) => ({ type: 'container', planId, pricePerHour: price }) as PlanOffer;

function matchDecision(alertId: number, planIds: string[]): AlertDecision {
  return {
    remember: planIds.map((planId) => ({ alertId, planId, pricePerHour: 1.5 })),
    forget: [],
    expire: [],
    notices: [{ kind: 'plan-alert.match', alertId, ownerId: 'U1', channel: 'C1', type: 'container', filters: {}, matches: planIds.map((p) => ({ offer: offer(p) })), more: 0 }],
  };
}

describe('PlanAlertStore', () => {
  it('creates with the filters round-tripped, seeds what already matches, and lists by owner', async () => {
    const r = await store.planAlerts.create(input({ filters: { gpu: 'h100', count: 2, location: 'US', maxPrice: 1.25 } }), ['p1', 'p2', 'p1'], 10);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.alert).toMatchObject({ id: expect.any(Number), filters: { gpu: 'h100', count: 2, location: 'US', maxPrice: 1.25 }, expiryNoticedAt: null });
    expect(r.owned).toBe(1);
    expect((await store.planAlerts.sent()).get(r.alert.id)).toEqual(new Set(['p1', 'p2']));
    expect((await store.planAlerts.listByOwner('U1')).map((a) => a.id)).toEqual([r.alert.id]);
    expect(await store.planAlerts.listByOwner('U2')).toEqual([]);
  });

  it('the cap holds when many adds arrive at once: exactly `max` are created', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.planAlerts.create(input(), [], 5)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.find((r) => !r.ok);
    expect(refused && !refused.ok && refused.owned).toHaveLength(5);
    expect(await store.planAlerts.listByOwner('U1')).toHaveLength(5);
  });

  it('a cycle applied twice enqueues its message once; a removed alert gets nothing; forget re-arms', async () => {
    const r = await store.planAlerts.create(input(), [], 10);
    if (!r.ok) throw new Error('not created');
    const enqueued: PlanAlertNotice[][] = [];
    const enqueue = async (_trx: unknown, n: PlanAlertNotice[]) => void enqueued.push(n);
    const d = matchDecision(r.alert.id, ['p1', 'p2']);
    expect(await store.planAlerts.applyCycle(d, T + 1, enqueue)).toHaveLength(1);
    expect(await store.planAlerts.applyCycle(d, T + 2, enqueue)).toEqual([]); // the same cycle again (a second leader)
    expect(enqueued).toHaveLength(1);
    // one of the two was told already: the message lists only the new one
    const partial = await store.planAlerts.applyCycle(matchDecision(r.alert.id, ['p2', 'p3']), T + 3, enqueue);
    expect(partial[0]?.kind === 'plan-alert.match' && partial[0].matches.map((m) => m.offer.planId)).toEqual(['p3']);
    await store.planAlerts.applyCycle({ notices: [], remember: [], expire: [], forget: [{ alertId: r.alert.id, planId: 'p1' }] }, T + 4, enqueue);
    expect((await store.planAlerts.sent()).get(r.alert.id)).toEqual(new Set(['p2', 'p3']));
    expect(await store.planAlerts.remove(r.alert.id)).toBe(true);
    expect(await store.planAlerts.applyCycle(matchDecision(r.alert.id, ['p9']), T + 5, enqueue)).toEqual([]);
    expect((await store.planAlerts.sent()).get(r.alert.id)).toBeUndefined();
    expect(await store.planAlerts.remove(r.alert.id)).toBe(false);
  });

  it('an expiry is noticed once, not after a renew in between, and renew clears it', async () => {
    const r = await store.planAlerts.create(input({ expiresAt: T + 10 }), [], 10);
    if (!r.ok) throw new Error('not created');
    const id = r.alert.id;
    const expired: AlertDecision = {
      remember: [], forget: [], expire: [id],
      notices: [{ kind: 'plan-alert.expired', alertId: id, ownerId: 'U1', channel: 'C1', type: 'container', filters: {}, expiredAt: T + 10, renewDays: 7 }],
    };
    const none = async () => undefined;
    await store.planAlerts.renew(id, T + 100); // renewed after the cycle read it: the notice is stale
    expect(await store.planAlerts.applyCycle(expired, T + 20, none)).toEqual([]);
    await store.planAlerts.renew(id, T + 10);
    expect(await store.planAlerts.applyCycle(expired, T + 20, none)).toHaveLength(1);
    expect(await store.planAlerts.applyCycle(expired, T + 21, none)).toEqual([]);
    expect((await store.planAlerts.get(id))?.expiryNoticedAt).toBe(T + 20);
    expect((await store.planAlerts.renew(id, T + 500))?.expiryNoticedAt).toBeNull();
    expect(await store.planAlerts.renew(999, T)).toBeUndefined();
  });

  it('prunes alerts that expired before the cut, with what they told', async () => {
    const old = await store.planAlerts.create(input({ expiresAt: T + 5 }), ['p1'], 10);
    const live = await store.planAlerts.create(input({ expiresAt: T + 500 }), ['p1'], 10);
    if (!old.ok || !live.ok) throw new Error('not created');
    expect(await store.planAlerts.prune(T + 100)).toBe(1);
    expect((await store.planAlerts.all()).map((a) => a.id)).toEqual([live.alert.id]);
    expect([...(await store.planAlerts.sent()).keys()]).toEqual([live.alert.id]);
  });
});
