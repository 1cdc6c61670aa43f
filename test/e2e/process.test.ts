/**
 * The real process, as `npm start` runs it: it serves /healthz once ready, answers a signed
 * /gpu command, and on SIGTERM finishes its work, closes the database and exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db';
import { SlackUser, startSlackStandin } from '../../src/standin';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the bot never became healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('starts, serves /healthz and a signed command, and shuts down cleanly on SIGTERM', async () => {
  const standin = await startSlackStandin();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-proc-'));
  const port = await freePort();
  const secret = 'process-test-signing-secret';
  const child = spawn(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../src/main.ts')], {
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: 'xoxb-process-test',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: standin.apiUrl,
      PORT: String(port),
      DATABASE_PATH: join(dir, 'bot.sqlite'),
      WATCH_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitHealthy(port, 20_000);
    const user = new SlackUser({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: secret, standin });
    const ack = await user.command('help');
    expect(ack.status).toBe(200);
    await standin.waitFor(() => standin.responses.length > 0);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/shutting down/);
    expect(output).not.toContain('xoxb-process-test');
    // the database was closed cleanly: it opens again with its tables
    const db = openDatabase(join(dir, 'bot.sqlite'));
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'watches'").get()).toEqual({ n: 1 });
    db.close();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await standin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);
