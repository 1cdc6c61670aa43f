/**
 * `npm run demo`: the whole bot, offline, in under 30 s. Starts the Slack stand-in and the bot
 * (startBot, sandbox mode: its built-in Fluence simulator), then plays DEMO_STEPS through signed
 * Slack requests and prints what a user would see, then a summary table. Nothing here reaches into
 * the bot: it talks Slack HTTP to it, exactly as Slack would, so the demo shows production code.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../bot';
import type { Config } from '../config';
import { ConfigSchema } from '../config';
import { createLogger } from '../log';
import { SecretRedactor } from '../secrets';
import { describeRejection, SlackUser, startSlackStandin, type SlackStandin } from '../standin';
import { COLOR, PLAIN, type Style } from './render';
import { DEMO_STEPS, type DemoState } from './script';
import { Transcript } from './transcript';

export interface DemoOptions {
  config: Config;
  out?: NodeJS.WritableStream;
  /** INITIALIZED -> ACTIVE in the simulator (default 3000 ms). */
  provisioningDelayMs?: number;
  /** Watcher interval (default 1000 ms). */
  watchIntervalMs?: number;
  /** ACTIVE-but-not-started time before the diagnostics reply (default 2000 ms). */
  startGraceMs?: number;
  /** How long the ready step waits for the watcher's replies (default: provisioning delay + 12 s). */
  readyTimeoutMs?: number;
}

export interface DemoStepResult {
  name: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface DemoSummary {
  ok: boolean;
  steps: DemoStepResult[];
  totalMs: number;
}

const DEMO_SIMULATOR_SPEED = 40;
const BOT_USER = 'U_GPUBOT';
const BOT_ID = 'B_GPUBOT';
const TEAM = 'T_DEMO';
const DEFAULT_DB = (ConfigSchema.shape.DATABASE_PATH.parse(undefined) as string) ?? './data/gpu-bot.sqlite';

export async function runDemo(opts: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const out = opts.out ?? process.stdout;
  const st: Style = (out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR ? COLOR : PLAIN;
  const write = (line: string) => void out.write(`${line}\n`);
  const provisioningDelayMs = opts.provisioningDelayMs ?? 3000;
  const steps: DemoStepResult[] = [];
  // Bot logs go to memory: the transcript is the show; the log tail is printed only if a step fails.
  const logs: string[] = [];
  const logSink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      if (logs.length > 200) logs.shift();
      cb();
    },
  });

  const tmp = mkdtempSync(join(tmpdir(), 'gpu-bot-demo-'));
  let standin: SlackStandin | null = null;
  let bot: RunningBot | null = null;
  try {
    write(st.bold('gpu-bot offline demo'));
    write(st.dim('A local Slack stand-in and the built-in Fluence simulator: nothing real is deployed, no money moves.'));
    if (opts.config.FLUENCE_API_KEY) write(st.dim('FLUENCE_API_KEY is set but ignored: the demo never touches the real Fluence GPU Cloud.'));

    standin = await startSlackStandin({ botUserId: BOT_USER, botId: BOT_ID, teamId: TEAM });
    const signingSecret = randomBytes(16).toString('hex');
    const config: Config = {
      ...opts.config,
      SLACK_BOT_TOKEN: `xoxb-demo-${randomBytes(8).toString('hex')}`,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_APP_TOKEN: undefined,
      SLACK_API_URL: standin.apiUrl,
      PORT: 0,
      FLUENCE_API_KEY: undefined,
      DATABASE_PATH: opts.config.DATABASE_PATH && opts.config.DATABASE_PATH !== DEFAULT_DB ? opts.config.DATABASE_PATH : join(tmp, 'demo.sqlite'),
      // the demo never writes into a real database: its own SQLite file
      DATABASE_URL: undefined,
      WATCH_INTERVAL_MS: opts.watchIntervalMs ?? 1000,
      WATCH_START_GRACE_MS: opts.startGraceMs ?? 2000,
      PLAN_ALERT_INTERVAL_MS: 1000,
      AUDIT_CHANNEL: undefined,
      sandbox: true,
      slackMode: 'http',
    };
    const redactor = new SecretRedactor();
    const logger = createLogger({ level: opts.config.LOG_LEVEL === 'silent' ? 'silent' : 'info', redactor, destination: logSink });
    const bootStart = Date.now();
    // the demo keeps a fast clock: the simulator's realistic minutes become about a second
    bot = await startBot({ config, logger, redactor, botUserId: BOT_USER, botId: BOT_ID, simulator: { speed: DEMO_SIMULATOR_SPEED, provisioningDelayMs } });
    steps.push({ name: 'start stand-in + bot', ok: true, ms: Date.now() - bootStart });
    write(st.dim(`Bot listening on ${bot.eventsUrl}; Slack stand-in on ${standin.apiUrl}; you are @U_DEMO in #C_DEMO.`));

    const user = new SlackUser({ botUrl: bot.eventsUrl, signingSecret, standin, userId: 'U_DEMO', userName: 'you', channelId: 'C_DEMO', teamId: TEAM });
    const transcript = new Transcript(standin, write, st);
    const session = { user, standin, out: transcript, readyTimeoutMs: opts.readyTimeoutMs ?? provisioningDelayMs + 12_000, ...(bot.simulator ? { market: bot.simulator.control.market } : {}) };
    const state: DemoState = { deployed: [] };
    for (const step of DEMO_STEPS) {
      write('');
      write(st.accent(`━━ ${step.name} ${'━'.repeat(Math.max(3, 50 - step.name.length))}`));
      const t0 = Date.now();
      const refusedBefore = standin.rejections.length;
      try {
        const detail = await step.run(session, state);
        // Slack would have refused these: the step "worked" only because nothing showed the failure
        const refused = standin.rejections.slice(refusedBefore);
        if (refused.length) throw new Error(`Slack would refuse what the bot sent: ${refused.map(describeRejection).join(' | ').trim()}`);
        steps.push({ name: step.name, ok: true, ms: Date.now() - t0, ...(detail ? { detail } : {}) });
      } catch (err) {
        transcript.flush();
        const detail = firstLine(err);
        steps.push({ name: step.name, ok: false, ms: Date.now() - t0, detail });
        write(st.danger(`  ✗ ${step.name} failed: ${detail}`));
      }
    }
  } catch (err) {
    steps.push({ name: 'start stand-in + bot', ok: false, ms: Date.now() - started, detail: firstLine(err) });
  } finally {
    if (bot) await bot.stop().catch(() => undefined);
    if (standin) await standin.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }

  const summary: DemoSummary = { ok: steps.length > 0 && steps.every((s) => s.ok), steps, totalMs: Date.now() - started };
  printSummary(write, st, summary);
  if (!summary.ok && logs.length) {
    write(st.dim('Last bot log lines (secrets masked):'));
    for (const l of logs.slice(-15)) write(st.dim(`  ${l.trimEnd()}`));
  }
  return summary;
}

function printSummary(write: (l: string) => void, st: Style, s: DemoSummary): void {
  const width = Math.max(...s.steps.map((x) => x.name.length), 4);
  write('');
  write(st.bold('Summary'));
  write(`${'step'.padEnd(width)}  result  ${'ms'.padStart(6)}  detail`);
  write(`${'─'.repeat(width)}  ──────  ${'─'.repeat(6)}  ${'─'.repeat(20)}`);
  for (const x of s.steps) {
    const result = x.ok ? st.good('ok    ') : st.danger('FAILED');
    write(`${x.name.padEnd(width)}  ${result}  ${String(x.ms).padStart(6)}  ${x.detail ?? ''}`.trimEnd());
  }
  const failed = s.steps.filter((x) => !x.ok).length;
  write(
    s.ok
      ? st.good(`All ${s.steps.length} steps passed in ${(s.totalMs / 1000).toFixed(1)} s.`)
      : st.danger(`${failed} of ${s.steps.length} steps failed (${(s.totalMs / 1000).toFixed(1)} s).`),
  );
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.slice(0, 300);
}
