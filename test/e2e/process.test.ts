/**
 * The real process, as `npm start` runs it: it serves /healthz once ready, answers a signed
 * /gpu command, and on SIGTERM finishes its work, closes the database and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db';
import { SlackUser, startSlackStandin } from '../../src/standin';
import { startBotProcess, type BotProcess } from '../support/bot-process';

it('starts, serves /healthz and a signed command, and shuts down cleanly on SIGTERM', async () => {
  const standin = await startSlackStandin();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-proc-'));
  const secret = 'process-test-signing-secret';
  let bot: BotProcess | null = null;
  try {
    bot = await startBotProcess({
      SLACK_BOT_TOKEN: 'xoxb-process-test',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: standin.apiUrl,
      DATABASE_PATH: join(dir, 'bot.sqlite'),
      WATCH_INTERVAL_MS: '200',
    });
    const { child, port } = bot;
    const user = new SlackUser({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: secret, standin });
    const ack = await user.command('help');
    expect(ack.status).toBe(200);
    await standin.waitFor(() => standin.responses.length > 0);

    child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toMatch(/shutting down/);
    expect(bot.output()).not.toContain('xoxb-process-test');
    // the database was closed cleanly: it opens again with its tables
    const db = openDatabase(join(dir, 'bot.sqlite'));
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'watches'").get()).toEqual({ n: 1 });
    db.close();
  } finally {
    if (bot && bot.child.exitCode === null) bot.child.kill('SIGKILL');
    await standin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
