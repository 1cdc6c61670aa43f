/**
 * Benchmark 8 (issue 13 §5): two gpu-bot processes on ONE PostgreSQL database at 10,000 watches, as
 * docker-compose.yml runs them. Fleet-wide Fluence list calls per watch cycle (the leader polls, the
 * other replica only delivers: the fleet must cost what one process costs, ≤ 3 list calls a cycle)
 * and the watch cycle's time on the leader (its 'background job ran' debug lines).
 */
import { WORKLOAD_TYPES } from '../src/fluence/workload';
import { startSimulator } from '../src/simulator';
import { startSlackStandin } from '../src/standin';
import { openStore } from '../src/store';
import { startBotProcess, type BotProcess } from '../test/support/bot-process';
import { startBenchPostgres } from './pg';
import { benchPgDatabase, percentiles, round, table, writeResult, type Percentiles } from './support';

export interface ReplicasResult {
  replicas: number;
  watches: number;
  intervalMs: number;
  windowS: number;
  cycles: number;
  listCalls: number;
  listCallsPerCycle: number;
  /** Every Fluence call in the window (lists, plus detail calls for instances that need them). */
  allCallsPerCycle: number;
  /** Watch runs per replica in the window (only the leader's should be non-zero). */
  watchRunsByReplica: number[];
  cycleMs: Percentiles;
  pg: string;
}

const isList = (r: { method: string; path: string }) => r.method === 'GET' && /^\/gpu\/instances\/(vms|baremetal)?$/.test(r.path);

function watchRuns(output: string): number[] {
  const ms: number[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('"background job ran"') || !line.includes('"job":"watch"')) continue;
    try {
      ms.push((JSON.parse(line) as { ms: number }).ms);
    } catch {
      // a line cut by the pipe: not counted
    }
  }
  return ms;
}

export async function benchReplicas(n = 10_000, o: { intervalMs?: number; windowS?: number } = {}): Promise<ReplicasResult> {
  const intervalMs = o.intervalMs ?? 5_000;
  const windowS = o.windowS ?? 40;
  const server = await startBenchPostgres();
  const db = await benchPgDatabase(server.url);
  const standin = await startSlackStandin();
  const sim = await startSimulator({ provisioningDelayMs: 3_600_000, networkDelayMs: 0 });
  const bots: BotProcess[] = [];
  try {
    // the watches, written straight into the database both replicas will open
    const store = await openStore(db.url);
    let i = 0;
    for (const [t, type] of WORKLOAD_TYPES.entries()) {
      const count = Math.floor(n / 3) + (t < n % 3 ? 1 : 0);
      for (const id of sim.control.seedInstances(count, type, { status: 'INITIALIZED', namePrefix: `r${t}` })) {
        await store.watches.add({
          instanceId: id, type, channelId: 'C_BENCH', messageTs: `1700000000.${String(i).padStart(6, '0')}`, requesterId: 'U_BENCH',
          name: `r-${i}`, planLabel: 'bench', pricePerHour: 1, status: 'INITIALIZED',
        }, Date.now());
        i++;
      }
    }
    await store.close();
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-bench-replicas', SLACK_SIGNING_SECRET: 'bench-replicas-secret', SLACK_API_URL: standin.apiUrl,
      DATABASE_URL: db.url, DATABASE_POOL_SIZE: '4', FLUENCE_API_URL: sim.url, FLUENCE_API_KEY: sim.apiKey,
      WATCH_INTERVAL_MS: String(intervalMs), LOG_LEVEL: 'debug',
    };
    bots.push(...(await Promise.all([startBotProcess(env), startBotProcess(env)])));
    // past the start-up runs (both replicas' first cycle, migrations, leadership), then the window
    await new Promise((r) => setTimeout(r, 2 * intervalMs));
    const before = bots.map((b) => watchRuns(b.output()).length);
    sim.control.resetRequests();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const requests = [...sim.control.requests];
    const runs = bots.map((b, k) => watchRuns(b.output()).slice(before[k]));
    const cycles = runs.reduce((s, r) => s + r.length, 0);
    const listCalls = requests.filter(isList).length;
    const result: ReplicasResult = {
      replicas: bots.length,
      watches: n,
      intervalMs,
      windowS,
      cycles,
      listCalls,
      listCallsPerCycle: round(listCalls / Math.max(1, cycles), 2),
      allCallsPerCycle: round(requests.length / Math.max(1, cycles), 2),
      watchRunsByReplica: runs.map((r) => r.length),
      cycleMs: percentiles(runs.flat()),
      pg: server.note,
    };
    writeResult('replicas', result);
    return result;
  } finally {
    for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGTERM');
    await Promise.all(bots.map((b) => b.exited));
    await sim.stop();
    await standin.stop();
    await db.drop().catch(() => undefined);
    await server.stop();
  }
}

export function replicasTable(r: ReplicasResult): string {
  return (
    table(['measure', 'value'], [
      ['replicas on one PostgreSQL', r.replicas],
      ['watches', r.watches],
      [`watch cycles in ${r.windowS} s (interval ${r.intervalMs / 1000} s), per replica`, r.watchRunsByReplica.join(' + ')],
      ['fleet-wide Fluence list calls per cycle', r.listCallsPerCycle],
      ['fleet-wide Fluence calls per cycle (all)', r.allCallsPerCycle],
      ['watch cycle on the leader, p50 / p99 / max', `${r.cycleMs.p50} / ${r.cycleMs.p99} / ${r.cycleMs.max} ms`],
    ]) + `\n   PostgreSQL: ${r.pg}`
  );
}
