/**
 * The bot alone in its own process for the latency benchmarks, so the load generator, the Slack
 * stand-in and the simulator (all in the parent) do not share its event loop, as in production.
 * Receives the environment over IPC, starts the bot with startBot, answers with its port, and
 * stops on "stop".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../src/bot';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';

// Server-side ack time: from the request reaching the bot's HTTP server to the ack being written,
// measured inside the bot, so load-generator queueing on the shared 2 cores does not count.
const ackMs: number[] = [];
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event === 'request') {
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    if (req.method === 'POST' && req.url === '/slack/events') {
      const t0 = performance.now();
      res.once('finish', () => ackMs.push(performance.now() - t0));
    }
  }
  return (emit as (this: http.Server, e: string, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof http.Server.prototype.emit;

// How long the bot's event loop was blocked: a request that arrives meanwhile waits that long
// before the HTTP server even sees it.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

process.on('message', (m: unknown) => {
  if (m === 'timings') {
    process.send!({
      ackMs: ackMs.splice(0),
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    });
    loopDelay.reset();
  }
});

process.once('message', async (env: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-child-'));
  const config = loadConfig({ PORT: '0', DATABASE_PATH: join(dir, 'bot.sqlite'), LOG_LEVEL: 'info', ...env });
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const bot = await startBot({ config, logger, botUserId: 'U_BOT', botId: 'B_BOT', manualWatcher: true });
  process.send!({ port: bot.port });
  process.on('message', async (m: unknown) => {
    if (m !== 'stop') return;
    await bot.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
