/**
 * The bot alone in its own process for the latency benchmarks, so the load generator, the Slack
 * stand-in and the simulator (all in the parent) do not share its event loop, as in production.
 * Receives the environment over IPC, starts the bot with startBot, answers with its port, and
 * stops on "stop".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../src/bot';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';

// server-side ack times and event-loop delay, asked for over IPC ('timings')
import './server-timing';

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
