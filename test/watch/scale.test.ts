/**
 * O(types) Fluence calls per cycle: the number of list calls does not grow with the number of
 * watches, and detail calls are made only for instances that need them.
 */
import { WORKLOAD_TYPES } from '../../src/fluence/workload';
import { FakeFluence, harness, watchInput } from './fakes';

const figures: string[] = [];
afterAll(() => {
  // the figures quoted in the report
  console.log(figures.join('\n'));
});

test.each([1, 100, 1000])('%i provisioning watches across the 3 types: at most 3 calls per cycle', async (n) => {
  const fluence = new FakeFluence();
  const h = await harness(fluence);
  try {
    for (let i = 0; i < n; i++) {
      const type = WORKLOAD_TYPES[i % 3]!;
      fluence.put({ type, id: `w${i}`, name: `n${i}`, status: 'INITIALIZED' });
      await h.watcher.watch(watchInput(`w${i}`, type));
    }
    const perCycle: number[] = [];
    for (let c = 0; c < 5; c++) {
      fluence.resetCalls();
      h.clock.advance(15_000);
      const report = await h.watcher.runCycle();
      perCycle.push(fluence.calls.length);
      expect(report.calls.total).toBe(fluence.calls.length);
    }
    expect(Math.max(...perCycle)).toBeLessThanOrEqual(3);
    expect((await h.store.countWatching())).toBe(n);

    // all turn ACTIVE without connection details: one detail call each, then they stay watched
    for (let i = 0; i < n; i++) fluence.set(`w${i}`, { status: 'ACTIVE', connection: null });
    fluence.resetCalls();
    h.clock.advance(15_000);
    const t0 = Date.now();
    await h.watcher.runCycle();
    const activeMs = Date.now() - t0;
    const lists = fluence.calls.filter((c) => c.startsWith('list:')).length;
    const details = fluence.calls.filter((c) => c.startsWith('get:')).length;
    expect(lists).toBe(Math.min(n, 3));
    expect(details).toBe(n);
    figures.push(
      `${n} watches: ${Math.max(...perCycle)} Fluence calls per steady cycle; ` +
        `${lists} list + ${details} detail when all are ACTIVE-not-ready (${activeMs} ms)`,
    );
  } finally {
    await h.close();
  }
});
