/**
 * The bot as a real child process (`node --import tsx src/main.ts`), for the tests that must see what `npm start`
 * does: start-up, SIGTERM, SIGKILL. tsx compiles on the fly, so start-up is slow on a loaded
 * 2-core machine: HEALTHY_WITHIN_MS is generous on purpose (a slow start is not what these tests
 * judge; a bot that never answers still fails them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const HEALTHY_WITHIN_MS = 45_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitHealthy(port: number, timeoutMs = HEALTHY_WITHIN_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the bot never became healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface BotProcess {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns `src/main.ts` with exactly `env` (plus PATH and a free PORT) and waits for /healthz. */
export async function startBotProcess(env: Record<string, string>): Promise<BotProcess> {
  const port = await freePort();
  // node with tsx's loader, not the tsx CLI: the CLI runs the bot in a child process of its own, so a
  // SIGKILL would kill the CLI and leave the bot running, orphaned
  const loader = pathToFileURL(join(__dirname, '../../node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, join(__dirname, '../../src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitHealthy(port);
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`${String(err)}\n--- bot output ---\n${output.slice(-4000)}`);
  }
  return { child, port, output: () => output, exited };
}
