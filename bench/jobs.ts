/**
 * Benchmark 5: Fluence calls per cycle for EVERY scheduler job at 10,000 instances, next to the
 * watcher's own figure (issue 11 §6, issue 13 §2). One cycle = the watcher's run, then each other
 * registered job once (in registration order: reconciler, leases, approvals, digest, runway, plan
 * alerts, outbox), all reading the cycle's shared fleet snapshot. Every instance carries a lease and
 * the digest is due, so the jobs have work that needs the lists. "Each job listing for itself" is
 * what the jobs that read instance lists would cost without the snapshot (3 list calls each).
 */
import { WORKLOAD_TYPES } from '../src/fluence/workload';
import { benchPgDatabase, round, startBenchBot, table, writeResult } from './support';

export interface JobRow {
  job: string;
  calls: number;
  /** Of which instance-list calls (GET /gpu/instances/, /vms/, /baremetal/). */
  lists: number;
  ms: number;
}

export interface JobsResult {
  store: 'sqlite' | 'postgres';
  instances: number;
  watcherCalls: number;
  allJobsCalls: number;
  /** The same jobs if each made its own list calls. */
  unsharedCalls: number;
  rows: JobRow[];
}

const isList = (r: { method: string; path: string }) => r.method === 'GET' && /^\/gpu\/instances\/(vms|baremetal)?$/.test(r.path);

/** `o.pgServerUrl`: run on a fresh database on that PostgreSQL server (BENCH_DATABASE_URL) instead of SQLite. */
export async function benchJobs(n = 10_000, o: { pgServerUrl?: string } = {}): Promise<JobsResult> {
  const pg = o.pgServerUrl ? await benchPgDatabase(o.pgServerUrl) : null;
  const b = await startBenchBot({ manualWatcher: true, env: { ALERT_CHANNEL: 'CBENCH01', ...(pg ? { DATABASE_URL: pg.url } : {}) } });
  try {
    const { sim, bot } = b;
    let i = 0;
    for (const [t, type] of WORKLOAD_TYPES.entries()) {
      const count = Math.floor(n / 3) + (t < n % 3 ? 1 : 0);
      for (const id of sim.control.seedInstances(count, type, { status: 'INITIALIZED', namePrefix: `j${t}` })) {
        await bot.context.watcher.watch({
          instanceId: id, type, channelId: 'C_BENCH', messageTs: `1700000000.${String(i).padStart(6, '0')}`, requesterId: 'U_BENCH',
          name: `j-${i}`, planLabel: 'bench', pricePerHour: 1, status: 'INITIALIZED',
        });
        // every instance is leased; 100 of them end inside the reminder window, so the lease job has work
        await bot.context.store.leases.set({ instanceId: id, type, ownerId: 'U_BENCH', channelId: 'C_BENCH', endsAt: Date.now() + (i < 100 ? 10 * 60_000 : 8 * 3_600_000), by: 'U_BENCH' });
        i++;
      }
    }
    // one unclear deploy per type, so the reconciler has lists to read
    for (const type of WORKLOAD_TYPES) {
      await bot.context.store.deployRequests.begin(`bench-unclear-${type}`, { channelId: 'C_BENCH', userId: 'U_BENCH', type, planId: 'p', name: `ghost-${type}`, pricePerHour: 1 });
    }
    await bot.scheduler.runNow('watch'); // warm-up
    const rows: JobRow[] = [];
    const names = ['watch', ...bot.scheduler.status().map((s) => s.name).filter((name) => name !== 'watch')];
    for (const name of names) {
      sim.control.resetRequests();
      const t0 = performance.now();
      const outcome = await bot.scheduler.runNow(name);
      if (outcome !== 'ran') throw new Error(`job ${name}: ${outcome}`);
      rows.push({ job: name, calls: sim.control.requests.length, lists: sim.control.requests.filter(isList).length, ms: round(performance.now() - t0) });
    }
    const watcherCalls = rows[0]!.calls;
    const allJobsCalls = rows.reduce((s, r) => s + r.calls, 0);
    // without the snapshot, every job that reads lists would make its own: the reconciler and the reader 3 each
    const listReaders = names.filter((name) => ['deploys.reconcile', 'leases', 'money.digest', 'money.runway', ].includes(name)).length;
    const result: JobsResult = { store: pg ? 'postgres' : 'sqlite', instances: n, watcherCalls, allJobsCalls, unsharedCalls: watcherCalls + 3 * listReaders, rows };
    writeResult(pg ? 'jobs-postgres' : 'jobs', result);
    return result;
  } finally {
    await b.stop();
    await pg?.drop();
  }
}

export function jobsTable(r: JobsResult): string {
  return (
    table(['job', 'Fluence calls', 'of which lists', 'ms'], r.rows.map((x) => [x.job, x.calls, x.lists, x.ms])) +
    `\n   ${r.instances} instances on ${r.store}: all jobs ${r.allJobsCalls} Fluence calls per cycle (${r.rows.reduce((s, x) => s + x.lists, 0)} list calls), the watcher alone ${r.watcherCalls}; ` +
    `each job listing for itself: ${r.unsharedCalls}`
  );
}
