/**
 * `npm run bench`: the benchmarks in turn, each printing its table and writing
 * bench/results/<name>.json. Not part of `npm test`. `npm run bench -- ack modal` runs a subset.
 */
import { benchFloor, floorTable } from './floor';
import { benchAck, benchModal, latencyTable } from './latency';
import { benchMemory, memoryTable } from './memory';
import { machine } from './support';
import { benchWatcher, watcherTable } from './watcher';
import { benchPlanAlerts, planAlertTable } from './plan-alerts';
import { benchJobs, jobsTable } from './jobs';
import { benchCompare } from './compare';
import { startBenchPostgres } from './pg';
import { benchReplicas, replicasTable } from './replicas';

const ALL = ['ack', 'modal', 'watcher', 'memory', 'floor', 'alerts', 'jobs', 'replicas'] as const;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === 'compare') {
    // not part of the default set: it needs the other checkouts (or `floor`) to compare against
    console.log('Ack load against this checkout and each one given, rounds interleaved (bench/compare.ts)');
    console.log(await benchCompare(args.slice(1)));
    return;
  }
  const asked = process.argv.slice(2).filter((a) => (ALL as readonly string[]).includes(a));
  const which = new Set(asked.length ? asked : ALL);
  const m = machine();
  const started = Date.now();
  console.log(`gpu-bot benchmarks on ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, ${m.platform}\n`);

  const latency = [];
  if (which.has('ack')) latency.push(await benchAck());
  if (which.has('modal')) latency.push(await benchModal());
  if (latency.length) {
    console.log('1–2. Slack-facing latency while Fluence is slow (ratio: p99 to Slack\'s 3,000 ms)');
    console.log(latencyTable(latency));
    for (const r of latency) {
      const s = r.extra.serverAck as { p50: number; p95: number; p99: number } | null | undefined;
      if (s) console.log(`   ${r.name}: inside the bot (request in -> ack written) p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`);
    }
    for (const r of latency) if (r.extra.answer) console.log(`   ${r.name}: answers after Fluence, p50 ${(r.extra.answer as { p50: number }).p50} ms, p99 ${(r.extra.answer as { p99: number }).p99} ms; ${r.extra.requestsPerSecond} req/s`);
    console.log('');
  }
  if (which.has('watcher')) {
    console.log('3. Watcher cycle vs a naive one-detail-call-per-instance poller (same simulator, same run)');
    console.log(watcherTable(await benchWatcher()));
    console.log('');
  }
  if (which.has('jobs')) {
    console.log('7. Every background job at 10,000 instances: Fluence calls per cycle next to the watcher\'s (shared fleet snapshot)');
    console.log(jobsTable(await benchJobs(10_000, process.env.BENCH_DATABASE_URL ? { pgServerUrl: process.env.BENCH_DATABASE_URL } : {})));
    console.log('');
  }
  if (which.has('alerts')) {
    console.log('6. Plan alerts: Fluence plan-list calls and time per check (naive: one list per alert)');
    console.log(planAlertTable(await benchPlanAlerts()));
    console.log('');
  }
  if (which.has('memory')) {
    console.log('4. Memory and start-up (the bot alone in a child process)');
    console.log(memoryTable(await benchMemory()));
    console.log('');
  }
  if (which.has('floor')) {
    console.log('5. gpu-bot against the floor: a bare Bolt app that acks, fetches plans and answers (same run, rounds interleaved)');
    const results = [await benchFloor({ store: 'sqlite' })];
    if (args.includes('--pg')) {
      // the same against the bot on PostgreSQL (DATABASE_URL), in a run of its own
      const pg = await startBenchPostgres();
      try {
        results.push(await benchFloor({ store: 'postgres', env: { DATABASE_URL: pg.url } }));
      } finally {
        await pg.stop();
      }
      console.log(`   PostgreSQL: ${pg.note}`);
    }
    console.log(floorTable(results));
    console.log('');
  }
  if (which.has('replicas')) {
    console.log('8. Two replicas on one PostgreSQL at 10,000 watches: fleet-wide Fluence calls per watch cycle, cycle time');
    console.log(replicasTable(await benchReplicas()));
    console.log('');
  }
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s; JSON in bench/results/.`);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
