/**
 * Process entry. Validates the environment once (one line per bad variable, then exit 1), then:
 * - with Slack credentials: runs the bot (HTTP or Socket Mode) until SIGTERM/SIGINT;
 * - without them: plays the offline demo against the Slack stand-in and the simulator, so a
 *   newcomer's first `npm start`/`npm run demo` shows what the bot does.
 */
import { loadConfigOrExit } from './config';
import { startBot } from './bot';
import { runDemo } from './demo/run';

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);

  if (config.slackMode === 'offline') {
    const summary = await runDemo({ config });
    process.exit(summary.ok ? 0 : 1);
  }

  const bot = await startBot({ config });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bot.context.logger.info({ signal }, 'shutting down: finishing the current watch cycle');
    bot
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        bot.context.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`gpu-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
