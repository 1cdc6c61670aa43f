/**
 * Boots the whole bot the way production does (startBot), in sandbox mode against the in-process
 * Fluence simulator, with the Slack Web API pointed at the local stand-in, and a SlackUser that
 * sends correctly signed requests to the bot's HTTP receiver. End-to-end tests drive everything
 * through this: no handler is called directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../../src/bot';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { SecretRedactor } from '../../src/secrets';
import { FluenceClient } from '../../src/fluence/client';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator';
import { describeRejection, SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';
import { ManualClock } from '../../src/watch/clock';
import { Metrics } from '../../src/metrics';
import { manifestGlobalShortcuts } from './manifest';

export interface TestBot {
  bot: RunningBot;
  standin: SlackStandin;
  /** U_ALICE in C_GENERAL; `.withUser()` / `.inChannel()` for others. */
  user: SlackUser;
  clock: ManualClock;
  /** The Fluence simulator (outlives bot restarts, like the real API would). */
  sim: SimulatorHandle;
  /** Every log line the bot wrote, as raw JSON text. */
  logs: string[];
  dbPath: string;
  signingSecret: string;
  /** Moves time forward and runs one watcher cycle, then delivers the outbox. */
  tick(ms?: number): Promise<void>;
  /** Stops the bot (same DB file kept) and starts a new one on it: a process restart. */
  restart(): Promise<TestBot>;
  stop(): Promise<void>;
}

export interface TestBotOptions {
  env?: Record<string, string>;
  simulator?: SimulatorOptions;
  /** Reuse a database file (restart tests). */
  dbPath?: string;
  clock?: ManualClock;
  standin?: SlackStandin;
  sim?: SimulatorHandle;
  /** The bot's Fluence timeout (FLUENCE_TIMEOUT_MS and its client). Default 2000. */
  fluenceTimeoutMs?: number;
  /** Internal: a restarted bot still owns (and stops) the stand-in and simulator its first incarnation started. */
  ownsShared?: boolean;
}

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-token-0000';

export async function startTestBot(opts: TestBotOptions = {}): Promise<TestBot> {
  const clock = opts.clock ?? new ManualClock();
  const standin = opts.standin ?? (await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM', globalShortcuts: manifestGlobalShortcuts() }));
  // fast, fixed timings on the manual clock; the container still passes through NOT_STARTED (5 s)
  const sim =
    opts.sim ??
    (await startSimulator({
      provisioningDelayMs: 120_000,
      containerStartMs: 5_000,
      networkDelayMs: 0,
      updateApplyMs: 2_000,
      now: () => clock.now(),
      ...opts.simulator,
    }));
  const dir = opts.dbPath ? null : mkdtempSync(join(tmpdir(), 'gpu-bot-test-'));
  const dbPath = opts.dbPath ?? join(dir!, 'bot.sqlite');
  const config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standin.apiUrl,
    PORT: '0',
    DATABASE_PATH: dbPath,
    LOG_LEVEL: 'debug',
    WATCH_INTERVAL_MS: '15000',
    FLUENCE_TIMEOUT_MS: String(opts.fluenceTimeoutMs ?? 2000),
    ...opts.env,
  });
  const logs: string[] = [];
  const redactor = new SecretRedactor();
  const logger = createLogger({
    level: 'debug',
    redactor,
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  // the bot's own metrics, fed by this test's Fluence client too
  const metrics = new Metrics();
  const bot = await startBot({
    config,
    logger,
    metrics,
    redactor,
    clock,
    manualWatcher: true,
    botUserId: 'U_BOT',
    botId: 'B_BOT',
    // Sandbox unless the test sets FLUENCE_API_KEY; either way the client talks to our simulator,
    // which outlives bot restarts. Retries wait 1 ms so fault tests stay fast.
    fluence: new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: config.FLUENCE_TIMEOUT_MS, sleep: async () => {}, observe: metrics.observeFluence }),
  });
  const user = new SlackUser({
    botUrl: bot.eventsUrl,
    signingSecret: SIGNING_SECRET,
    standin,
    userId: 'U_ALICE',
    userName: 'alice',
    channelId: 'C_GENERAL',
    teamId: 'T_TEAM',
  });
  const self: TestBot = {
    bot,
    standin,
    user,
    clock,
    sim,
    logs,
    dbPath,
    signingSecret: SIGNING_SECRET,
    async tick(ms = config.WATCH_INTERVAL_MS) {
      // a handler still finishing after its ack (say, storing a watch) must not race the cycle
      await bot.context.inflight.idle();
      clock.advance(ms);
      await bot.context.watcher.runCycle();
      await bot.delivery.deliverDue();
    },
    async restart() {
      await bot.stop();
      return startTestBot({ ...opts, dbPath, clock, standin, sim, ownsShared: opts.ownsShared ?? !opts.standin });
    },
    async stop() {
      await bot.stop();
      const owns = opts.ownsShared ?? !opts.standin;
      if (owns) await standin.stop();
      if (opts.ownsShared ?? !opts.sim) await sim.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      // Real Slack would have refused these payloads: whatever the test asserted, the bot was wrong.
      if (owns && standin.rejections.length > 0) {
        const found = standin.rejections.splice(0).map(describeRejection).join('\n');
        throw new Error(`The Slack stand-in refused payloads that break Block Kit limits:\n${found}`);
      }
    },
  };
  return self;
}
