import { HOUR_MS } from '../../src/duration';
import type { FluenceApi } from '../../src/fluence/api';
import type { InstanceDetail, InstanceState, InstanceSummary } from '../../src/fluence/model';
import { mapLimited } from '../../src/services/pool';
import { gatherSpend, type SpendDeps } from '../../src/services/spend-facts';
import { groupSpend } from '../../src/services/spend-report';
import { spendWindow } from '../../src/services/spend-window';
import type { SpendCacheRepo } from '../../src/services/spend-facts';
import type { Store } from '../../src/store';
import { tempStores, type TempStores } from '../store/temp-store';

const NOW = Date.parse('2026-02-07T09:15:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function summary(id: string, state: InstanceState, o: { createdAt?: number; updatedAt?: number } = {}): InstanceSummary {
  const createdAt = o.createdAt ?? NOW - 5 * HOUR_MS;
  return {
    type: 'container', id, name: id, status: state.toUpperCase(), state,
    gpu: { vendor: 'nvidia', model: 'a100', vram: '80Gi', interface: 'sxm', count: 1 }, vcpu: 1,
    memory: { count: 1, units: 'Gi' }, storage: { count: 1, units: 'Gi' }, location: 'US', domain: null,
    createdAt: iso(createdAt), updatedAt: iso(o.updatedAt ?? createdAt),
  };
}

function fakeFluence(totals: Record<string, { total: number; price: number; state?: InstanceState }>, fail = new Set<string>()) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: Pick<FluenceApi, 'getInstance'> = {
    async getInstance(_type, id) {
      calls.push(id);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      if (fail.has(id)) throw new Error('boom');
      const t = totals[id]!;
      const state = t.state ?? 'active';
      return {
        ...summary(id, state),
        billing: { hourly_usage: state === 'active' ? t.price : 0, total_spendings: t.total, reserved_amount: 0, next_billing_period: state === 'active' ? iso(Math.ceil(NOW / HOUR_MS) * HOUR_MS) : null },
        connection: null,
      } as InstanceDetail;
    },
  };
  return { api, calls, maxInFlight: () => maxInFlight };
}

let stores: TempStores;
let store: Store;
beforeEach(async () => {
  stores = tempStores();
  store = await stores.open();
});
afterEach(async () => stores.cleanup());
const freshCache = (): SpendCacheRepo => store.spendCache;

function deps(fluence: Pick<FluenceApi, 'getInstance'>, cache: SpendCacheRepo = freshCache(), now = () => NOW): SpendDeps {
  return { fluence, cache, now, attribution: async (ids) => new Map(ids.filter((id) => id.startsWith('bot')).map((id) => [id, { userId: 'UA', channelId: 'CA' }])) };
}

describe('gatherSpend', () => {
  const window = spendWindow('30d', NOW, 'UTC');

  test('reads each instance once, then only what can have changed: ENDED never, ACTIVE after its next charge', async () => {
    const f = fakeFluence({ bot1: { total: 6.1, price: 1.22 }, x1: { total: 2.44, price: 1.22 }, e1: { total: 9.99, price: 0, state: 'ended' } });
    const cache = freshCache();
    const list = [summary('bot1', 'active'), summary('x1', 'active'), summary('e1', 'ended', { updatedAt: NOW - HOUR_MS })];
    const first = await gatherSpend(list, window, deps(f.api, cache));
    expect(first.detailCalls).toBe(3);
    expect(first.facts.map((x) => x.totalCents)).toEqual([610, 244, 999]);
    const second = await gatherSpend(list, window, deps(f.api, cache));
    expect(second.detailCalls).toBe(0);
    expect(second.cacheHits).toBe(3);
    const later = await gatherSpend(list, window, deps(f.api, cache, () => NOW + HOUR_MS));
    expect(later.detailCalls).toBe(2);
    expect(f.calls.slice(3).sort()).toEqual(['bot1', 'x1']);
  });

  test('a cached ACTIVE figure of an instance the list now shows ENDED is read again', async () => {
    const f = fakeFluence({ a: { total: 1, price: 1 } });
    const cache = freshCache();
    await gatherSpend([summary('a', 'active')], window, deps(f.api, cache));
    await gatherSpend([summary('a', 'ended', { updatedAt: NOW })], window, deps(f.api, cache));
    expect(f.calls).toEqual(['a', 'a']);
  });

  test('an instance that ended before the window is not read at all', async () => {
    const f = fakeFluence({});
    const old = summary('old', 'ended', { createdAt: NOW - 40 * 24 * HOUR_MS, updatedAt: NOW - 35 * 24 * HOUR_MS });
    const s = await gatherSpend([old], window, deps(f.api));
    expect(f.calls).toEqual([]);
    expect(s.skipped).toBe(1);
  });

  test('failures and the time budget leave figures unknown and the rows partial, never zero-and-silent', async () => {
    const totals = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`bot${k}`, { total: 1, price: 1 }]));
    const f = fakeFluence(totals, new Set(['bot0']));
    let clock = 0;
    const s = await gatherSpend(Object.keys(totals).map((id) => summary(id, 'active')), window, deps(f.api), {
      concurrency: 4,
      timeBudgetMs: 10,
      elapsedClock: () => (clock += 1),
    });
    expect(f.maxInFlight()).toBeLessThanOrEqual(4);
    const missing = s.facts.filter((x) => x.windowCents === null);
    expect(missing.find((x) => x.instance.id === 'bot0')?.missing).toBe('error');
    expect(missing.some((x) => x.missing === 'time')).toBe(true);
    expect(s.detailCalls).toBeLessThan(20);
    expect(groupSpend(s.facts, 'user')[0]).toMatchObject({ partial: true });
  });
});

test('mapLimited never runs more than the limit at once and keeps the order', async () => {
  let now = 0;
  let max = 0;
  const r = await mapLimited([5, 1, 3, 2, 4], 2, async (n) => {
    now++;
    max = Math.max(max, now);
    await new Promise((res) => setTimeout(res, n));
    now--;
    return n * 10;
  });
  expect(max).toBe(2);
  expect(r.results.map((x) => (x?.ok ? x.value : null))).toEqual([50, 10, 30, 20, 40]);
});
