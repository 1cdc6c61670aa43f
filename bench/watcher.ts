/**
 * Benchmark 3: Fluence calls and wall time per watch cycle for 1, 100, 1,000 and 10,000 watches,
 * beside a naive poller (one detail call per watched instance, 8 in flight, like the watcher's own
 * detail concurrency) measured in the same run against the same simulator. The instances are
 * provisioning (INITIALIZED, pinned by the simulator's seeding), the steady state of a watch.
 */
import { WORKLOAD_TYPES } from '../src/fluence/workload';
import { pool, round, startBenchBot, table, writeResult } from './support';

export interface WatcherRow {
  watches: number;
  watcherCalls: number;
  watcherMs: number;
  naiveCalls: number;
  naiveMs: number;
  /** naive / watcher */
  callRatio: number;
  timeRatio: number;
}

const CYCLES = 3;
const NAIVE_CONCURRENCY = 8;

export async function benchWatcher(sizes = [1, 100, 1000, 10_000]): Promise<WatcherRow[]> {
  const rows: WatcherRow[] = [];
  for (const n of sizes) {
    const b = await startBenchBot({ manualWatcher: true });
    try {
      const { sim } = b;
      const watcher = b.bot.context.watcher;
      const fluence = b.bot.context.fluence;
      const watched: Array<{ id: string; type: (typeof WORKLOAD_TYPES)[number] }> = [];
      WORKLOAD_TYPES.forEach((type, t) => {
        const count = Math.floor(n / 3) + (t < n % 3 ? 1 : 0);
        for (const id of sim.control.seedInstances(count, type, { status: 'INITIALIZED', namePrefix: `w${t}` })) watched.push({ id, type });
      });
      await Promise.all(
        watched.map(({ id, type }, i) =>
        watcher.watch({
          instanceId: id, type, channelId: 'C_BENCH', messageTs: `1700000000.${String(i).padStart(6, '0')}`, requesterId: 'U_BENCH',
          name: `w-${i}`, planLabel: 'bench', pricePerHour: 1, status: 'INITIALIZED',
        }),
        ),
      );
      await watcher.runCycle(); // warm-up
      const calls: number[] = [];
      const times: number[] = [];
      for (let c = 0; c < CYCLES; c++) {
        sim.control.resetRequests();
        const t0 = performance.now();
        const report = await watcher.runCycle();
        times.push(performance.now() - t0);
        calls.push(sim.control.requests.length);
        if (report.watching !== n) throw new Error(`expected ${n} watches, the cycle saw ${report.watching}`);
      }
      sim.control.resetRequests();
      const t0 = performance.now();
      await pool(watched.length, NAIVE_CONCURRENCY, (i) => fluence.getInstance(watched[i]!.type, watched[i]!.id));
      const naiveMs = performance.now() - t0;
      const naiveCalls = sim.control.requests.length;
      const watcherMs = median(times);
      const watcherCalls = Math.max(...calls);
      rows.push({
        watches: n,
        watcherCalls,
        watcherMs: round(watcherMs),
        naiveCalls,
        naiveMs: round(naiveMs),
        callRatio: round(naiveCalls / watcherCalls, 1),
        timeRatio: round(naiveMs / watcherMs, 1),
      });
    } finally {
      await b.stop();
    }
  }
  writeResult('watcher', { cyclesMeasured: CYCLES, naiveConcurrency: NAIVE_CONCURRENCY, rows });
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export function watcherTable(rows: WatcherRow[]): string {
  return table(
    ['watches', 'watcher calls/cycle', 'watcher ms/cycle', 'naive calls', 'naive ms', 'calls ×', 'time ×'],
    rows.map((r) => [r.watches, r.watcherCalls, r.watcherMs, r.naiveCalls, r.naiveMs, r.callRatio, r.timeRatio]),
  );
}
