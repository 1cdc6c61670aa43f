import type { SpendCacheEntry } from '../../src/services/spend-facts';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

const entry = (id: string, o: Partial<SpendCacheEntry> = {}): SpendCacheEntry => ({
  instanceId: id, type: 'container', state: 'active', totalSpendings: 1.22, hourlyUsage: 1.22, validUntil: 5000, fetchedAt: 1000, ...o,
});

test('keeps figures across a restart, reads more ids than one statement may hold, and never replaces a final one', async () => {
  const store = await t.open();
  const many = Array.from({ length: 1203 }, (_, k) => entry(`i${k}`, { totalSpendings: k / 100 }));
  await store.spendCache.putMany(many);
  await store.spendCache.putMany([entry('i1', { state: 'ended', totalSpendings: 9.99, hourlyUsage: 0, validUntil: null })]);
  await store.spendCache.putMany([entry('i1', { totalSpendings: 0.5 }), entry('i2', { totalSpendings: 3 }), entry('i2', { totalSpendings: 4 })]);
  await store.close();
  const again = await t.open();
  const got = await again.spendCache.getMany(many.map((e) => e.instanceId));
  expect(got.size).toBe(1203);
  expect(got.get('i1')).toMatchObject({ state: 'ended', totalSpendings: 9.99, validUntil: null });
  expect(got.get('i2')).toMatchObject({ state: 'active', totalSpendings: 4, validUntil: 5000 });
  expect(got.get('i1202')?.totalSpendings).toBe(12.02);
});
