/**
 * Shared by the benchmarks: boot the bot exactly as production does (startBot, sandbox mode with
 * its in-process simulator, Slack Web API at the local stand-in), send signed slash commands,
 * percentiles, tables, the machine line and the JSON results under bench/results/.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { startBot, type BotOptions, type RunningBot } from '../src/bot';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { startSimulator, type SimulatorHandle } from '../src/simulator';
import { SlackUser, startSlackStandin, type AckResult, type SlackStandin } from '../src/standin';
import type { RequestTrace } from './server-timing';

export interface SlackSide {
  sim: SimulatorHandle;
  standin: SlackStandin;
  user: SlackUser;
  /** Ack times measured inside the bot process (isolated bot only). */
  serverAckMs?(): Promise<number[]>;
  /** Everything the process measured since the last ask (bench/server-timing.ts), isolated bot only. */
  timings?(): Promise<ChildTimings>;
  stop(): Promise<void>;
}

export interface BenchBot extends SlackSide {
  bot: RunningBot;
}

/**
 * The bot in a child process (bench/bot-child.ts) with a real API key pointed at a simulator in
 * this process: the load generator does not steal the bot's event loop.
 */
export async function startIsolatedBot(opts: { standin?: SlackStandin; sim?: SimulatorHandle; env?: Record<string, string> } = {}): Promise<SlackSide & { pid: number }> {
  const standin = opts.standin ?? (await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_BENCH' }));
  const sim = opts.sim ?? (await startSimulator({ speed: 40 })); // 3 s to ACTIVE, under 1 s to start
  const signingSecret = randomBytes(16).toString('hex');
  return forkSlackApp('bot-child.ts', {
    standin,
    sim,
    signingSecret,
    profile: Boolean(process.env.BENCH_PROF),
    env: {
      SLACK_BOT_TOKEN: `xoxb-bench-${randomBytes(6).toString('hex')}`,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: standin.apiUrl,
      FLUENCE_API_URL: sim.url,
      FLUENCE_API_KEY: sim.apiKey,
      // every user may deploy: the modal bench is about the trigger, not roles
      GPU_BOT_ADMINS: 'UBENCH01',
      ...opts.env,
    },
    async afterStop() {
      if (!opts.sim) await sim.stop();
      if (!opts.standin) await standin.stop();
    },
  });
}

/**
 * A Slack app in its own process (the bot, or the floor's bare Bolt app): forked with `script`, told
 * its environment over IPC, answering with its port; driven by a SlackUser signing with `signingSecret`.
 */
export async function forkSlackApp(
  script: string,
  o: { standin: SlackStandin; sim: SimulatorHandle; signingSecret: string; env: Record<string, string>; profile?: boolean; nodeArgs?: string[]; afterStop?: () => Promise<void> },
): Promise<SlackSide & { pid: number }> {
  const execArgv = ['--import', 'tsx', ...(o.profile ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), ...(o.nodeArgs ?? [])];
  // an absolute path runs another checkout's child (bench/compare.ts)
  const child = fork(resolve(__dirname, script), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  child.send(o.env);
  const { port } = await ready;
  const user = new SlackUser({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: o.signingSecret, standin: o.standin, userId: 'UBENCH01', userName: 'bench', channelId: 'C_BENCH', teamId: 'T_BENCH' });
  return {
    pid: child.pid!,
    sim: o.sim,
    standin: o.standin,
    user,
    /** Ack times the process measured itself since the last call (see server-timing.ts). */
    serverAckMs: async () => (await askTimings(child)).ackMs,
    timings: () => askTimings(child),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send('stop');
      await exited;
      await o.afterStop?.();
    },
  };
}

export interface ChildTimings {
  ackMs: number[];
  /** requests sent with an `x-bench-seq` header: when each reached the server and when its ack left (epoch ms) */
  traces?: RequestTrace[];
  /** CPU time (user + system) the process used */
  cpuMs?: number;
  /** process.memoryUsage() at the ask */
  memory?: NodeJS.MemoryUsage;
  /** heap used after a full GC (children started with --expose-gc only) */
  liveHeap?: number;
  loopDelayMs?: { p50: number; p99: number; max: number };
}

/** Asks a benchmark child (bench/server-timing.ts) for what it measured since the last ask. */
export function askTimings(child: ChildProcess): Promise<ChildTimings> {
  const reply = new Promise<ChildTimings>((resolve) => {
    const on = (m: unknown) => {
      if (m && typeof m === 'object' && 'ackMs' in m) {
        child.off('message', on);
        const t = m as ChildTimings;
        if (process.env.BENCH_DEBUG) console.log('child event-loop delay', t.loopDelayMs);
        resolve(t);
      }
    };
    child.on('message', on);
  });
  child.send('timings');
  return reply;
}

/** Production logging level and formatting, written nowhere: logging cost is part of the figures. */
const discard = () => new Writable({ write: (_c, _e, cb) => cb() });

export async function startBenchBot(opts: { env?: Record<string, string>; manualWatcher?: boolean; simulator?: BotOptions['simulator'] } = {}): Promise<BenchBot> {
  const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_BENCH' });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-bench-'));
  const signingSecret = randomBytes(16).toString('hex');
  const config = loadConfig({
    SLACK_BOT_TOKEN: `xoxb-bench-${randomBytes(6).toString('hex')}`,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: standin.apiUrl,
    PORT: '0',
    DATABASE_PATH: join(dir, 'bench.sqlite'),
    LOG_LEVEL: 'info',
    ...opts.env,
  });
  const bot = await startBot({
    config,
    logger: createLogger({ level: 'info', destination: discard() }),
    botUserId: 'U_BOT',
    botId: 'B_BOT',
    simulator: { speed: 40, ...opts.simulator },
    ...(opts.manualWatcher ? { manualWatcher: true } : {}),
  });
  if (!bot.simulator) throw new Error('the bench expects sandbox mode (no FLUENCE_API_KEY)');
  const user = new SlackUser({ botUrl: bot.eventsUrl, signingSecret, standin, userId: 'UBENCH01', userName: 'bench', channelId: 'C_BENCH', teamId: 'T_BENCH' });
  return {
    bot,
    sim: bot.simulator,
    standin,
    user,
    async stop() {
      await bot.stop();
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let benchSeq = 0;

/**
 * A signed `/gpu <text>` whose trigger id we know (to match the views.open it leads to), tagged
 * `x-bench-seq` so the child's own timings (server-timing.ts) can be matched to it.
 */
export async function signedCommand(b: SlackSide, text: string): Promise<AckResult & { triggerId: string; responseId: string; sentAt: number; seq: number; sentAtPrecise: number; ackedAtPrecise: number }> {
  const responseId = `R${randomBytes(6).toString('hex')}`;
  const responseUrl = b.standin.responseUrl(responseId, { channel: 'C_BENCH' });
  const triggerId = b.standin.newTriggerId();
  const form = new URLSearchParams({
    token: 'bench', team_id: 'T_BENCH', team_domain: 'bench', channel_id: 'C_BENCH', channel_name: 'bench',
    user_id: 'UBENCH01', user_name: 'bench', command: '/gpu', text, api_app_id: 'A_BENCH', is_enterprise_install: 'false',
    response_url: responseUrl, trigger_id: triggerId,
  });
  const seq = ++benchSeq;
  const sentAt = Date.now();
  const sentAtPrecise = performance.timeOrigin + performance.now();
  const ack = await b.user.send(form.toString(), { headers: { 'x-bench-seq': String(seq) } });
  return { ...ack, triggerId, responseId, sentAt, responseUrl, seq, sentAtPrecise, ackedAtPrecise: performance.timeOrigin + performance.now() };
}

/** Runs `task(i)` for i in 0..n-1 with at most `concurrency` in flight. */
export async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(50), p95: at(95), p99: at(99), max: s[s.length - 1] ?? NaN };
}

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function machine(): { cpu: string; cores: number; node: string; memGiB: number; platform: string } {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    memGiB: round(totalmem() / 2 ** 30),
    platform: `${process.platform}-${process.arch}`,
  };
}

export function writeResult(name: string, data: unknown): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2)}\n`);
  return file;
}

export async function waitUntil(fn: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A fresh database on the PostgreSQL server at `serverUrl` (BENCH_DATABASE_URL), for one benchmark:
 * its URL, and `drop` to remove it afterwards.
 */
export async function benchPgDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `gpu_bot_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
