/**
 * `npm run bench -- compare <checkout> [<checkout>|floor …]`: the ack benchmark's load (`/gpu plans`,
 * Fluence +800 ms) against this checkout's bot and against the bot of each other checkout given (a
 * directory with its own node_modules, e.g. a `git worktree add --detach` of an old commit) or the
 * floor, each in its own process, all alive for the whole run, rounds interleaved (the order rotates
 * every round), so a regression is measured as a ratio in one run on the same loaded machine.
 *
 * Each round starts on new connections by default (the load generator's keep-alive pool is replaced,
 * `BENCH_WARM=1` keeps it): Slack opens connections as it needs them, and a process whose event loop
 * turns are long leaves new connections in the kernel's accept queue (libuv accepts one per turn).
 * So the end-to-end time is split into "before the server saw the request" and "inside" (and the
 * process's CPU per request is shown): for another checkout these columns need this checkout's
 * bench/server-timing.ts copied into it (an old one reports ack times only: shown as '-').
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startSimulator } from '../src/simulator';
import { startSlackStandin } from '../src/standin';
import { forkSlackApp, percentiles, pool, round, signedCommand, table, waitUntil, writeResult, type SlackSide } from './support';

interface Side {
  name: string;
  app: SlackSide & { pid: number };
  e2e: number[];
  beforeServer: number[];
  inside: number[];
  cpuPerRequest: number[];
  loopMax: number[];
  rss: number[];
  heapTotal: number[];
  heapUsed: number[];
  liveHeap: number[];
  roundP99: number[];
}

const MiB = 2 ** 20;
const rssOf = (pid: number) => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

/** New keep-alive pool for fetch(): the next requests open new connections. */
async function freshConnections(): Promise<void> {
  const key = Symbol.for('undici.globalDispatcher.1');
  const g = globalThis as unknown as Record<symbol, { close?(): Promise<void>; constructor: new () => unknown } | undefined>;
  const old = g[key];
  if (!old) return; // no fetch yet: no pool to replace
  // Node's built-in fetch keeps its Agent here; a new instance of the same class is an empty pool
  g[key] = new old.constructor() as typeof old;
  await old.close?.().catch(() => undefined);
}

export async function benchCompare(targets: string[], o: { rounds?: number; perRound?: number; concurrency?: number } = {}): Promise<string> {
  const rounds = o.rounds ?? 8;
  const perRound = o.perRound ?? 200;
  const concurrency = o.concurrency ?? 50;
  const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_BENCH' });
  const sim = await startSimulator({ speed: 40 });
  const sides: Side[] = [];
  try {
    for (const target of ['.', ...targets]) {
      const floor = target === 'floor';
      const script = floor ? 'floor-child.ts' : target === '.' ? 'bot-child.ts' : resolve(target, 'bench/bot-child.ts');
      const signingSecret = randomBytes(16).toString('hex');
      const app = await forkSlackApp(script, {
        standin,
        sim,
        signingSecret,
        // the live heap after each round (a full GC when asked for timings)
        nodeArgs: ['--expose-gc'],
        env: { SLACK_BOT_TOKEN: `xoxb-bench-${randomBytes(6).toString('hex')}`, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: standin.apiUrl, FLUENCE_API_URL: sim.url, FLUENCE_API_KEY: sim.apiKey, GPU_BOT_ADMINS: 'UBENCH01' },
      });
      sides.push({ name: floor ? 'floor' : target === '.' ? 'this checkout' : target, app, e2e: [], beforeServer: [], inside: [], cpuPerRequest: [], loopMax: [], rss: [], heapTotal: [], heapUsed: [], liveHeap: [], roundP99: [] });
    }
    sim.control.setFaults({ latencyMs: 800 });
    for (const s of sides) {
      await pool(50, 10, () => signedCommand(s.app, 'plans'));
      await s.app.timings!();
    }
    for (let r = 0; r < rounds; r++) {
      const order = sides.map((_, i) => sides[(i + r) % sides.length]!);
      for (const s of order) {
        if (!process.env.BENCH_WARM) await freshConnections();
        const acks = await pool(perRound, concurrency, () => signedCommand(s.app, 'plans'));
        const failed = acks.filter((a) => a.status !== 200).length;
        if (failed) throw new Error(`${s.name}: ${failed} acks failed`);
        const ids = new Set(acks.map((a) => a.responseId));
        await waitUntil(() => standin.responses.filter((x) => ids.has(x.id)).length >= perRound, 60_000, `${s.name}: every answer`);
        s.rss.push(rssOf(s.app.pid)); // before the child's full GC below
        const t = await s.app.timings!();
        if (t.liveHeap !== undefined) s.liveHeap.push(t.liveHeap);
        const bySeq = new Map((t.traces ?? []).map((x) => [x.seq, x]));
        for (const a of acks) {
          s.e2e.push(a.ackedAtPrecise - a.sentAtPrecise);
          const tr = bySeq.get(a.seq);
          if (tr) (s.beforeServer.push(tr.inAt - a.sentAtPrecise), s.inside.push(tr.outAt - tr.inAt));
        }
        if (t.cpuMs !== undefined) s.cpuPerRequest.push(t.cpuMs / perRound);
        if (t.loopDelayMs) s.loopMax.push(t.loopDelayMs.max);
        if (t.memory) (s.heapTotal.push(t.memory.heapTotal), s.heapUsed.push(t.memory.heapUsed));
        s.roundP99.push(percentiles(acks.map((a) => a.ackedAtPrecise - a.sentAtPrecise)).p99);
      }
    }
  } finally {
    for (const s of sides) await s.app.stop();
    await sim.stop();
    await standin.stop();
  }
  const base = sides[0]!;
  const ms = (x: number) => (Number.isNaN(x) ? '-' : `${round(x, x < 10 ? 2 : 0)}`);
  const rows = sides.map((s) => {
    const e = percentiles(s.e2e);
    const ratios = s.roundP99.map((p, i) => base.roundP99[i]! / p);
    return [s.name, ms(e.p50), ms(e.p99), ms(percentiles(s.beforeServer).p99), ms(percentiles(s.inside).p50), ms(percentiles(s.inside).p99), ms(percentiles(s.cpuPerRequest).p50), ms(percentiles(s.loopMax).p50), round(Math.max(...s.rss) / MiB), s.heapTotal.length ? round(Math.max(...s.heapTotal) / MiB) : '-', s === base ? '' : `${round(percentiles(ratios).p50, 2)}× (${ratios.map((x) => round(x, 2)).join(' ')})`];
  });
  writeResult('compare', { rounds, perRound, concurrency, fluenceLatencyMs: 800, coldConnections: !process.env.BENCH_WARM, sides: sides.map(({ app: _a, ...s }) => ({ ...s, e2e: percentiles(s.e2e), beforeServer: percentiles(s.beforeServer), inside: percentiles(s.inside) })) });
  return `${table(['side', 'e2e p50 ms', 'e2e p99 ms', 'before server p99', 'inside p50', 'inside p99', 'CPU ms/req', 'loop max ms', 'RSS MiB', 'V8 heap MiB', 'this / side, round p99 (median; each)'], rows)}\n   ${rounds} rounds × ${perRound} \`/gpu plans\` at concurrency ${concurrency}, Fluence +800 ms, ${process.env.BENCH_WARM ? 'kept-alive' : 'new'} connections each round`;
}
