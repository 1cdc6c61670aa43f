/**
 * Where a store test's data lives, per engine: a fresh SQLite file, or a fresh database on the
 * run's PostgreSQL server (test/support/pg.ts). A contract test runs `describe.each(ENGINE_KINDS)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kyselyRepositories } from '../../src/store';
import { withBusyRetry } from '../../src/store/db';
import type { EngineKind } from '../../src/store/engine';
import { openEngine } from '../../src/store/open';
import { createTestDatabase } from './pg';

export const ENGINE_KINDS: readonly EngineKind[] = ['sqlite', 'postgres'];

export interface TestLocation {
  /** A SQLite path or a postgres:// URL: what openStore/openEngine take. */
  location: string;
  cleanup(): Promise<void>;
}

export async function testLocation(kind: EngineKind): Promise<TestLocation> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    return { location: db.url, cleanup: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-store-'));
  return { location: join(dir, 'gpu-bot.sqlite'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The store's Kysely repositories on a fresh database of `kind` (openStore does not open PostgreSQL
 * until every repository is on Kysely; these are the ones that are), with a clock the test moves.
 */
export async function repositoriesOn(kind: EngineKind) {
  const where = await testLocation(kind);
  const { engine } = await openEngine(where.location);
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const others: Array<{ close(): Promise<void> }> = [];
  const repos = kyselyRepositories(engine, clock.now);
  return Object.assign(repos, {
    engine,
    clock,
    /**
     * The same repositories through another connection (pool) to the same database: a second process
     * or replica. On SQLite a statement of one connection fails at once (busy) while the other holds
     * the write lock; the bot waits out the writes that must land with withBusyRetry, and so do both
     * sides here once a second connection exists.
     */
    async another() {
      const { engine: other } = await openEngine(where.location);
      others.push(other);
      if (kind === 'sqlite') Object.assign(repos, patient(kyselyRepositories(engine, clock.now)));
      return { ...(kind === 'sqlite' ? patient(kyselyRepositories(other, clock.now)) : kyselyRepositories(other, clock.now)), engine: other };
    },
    async cleanup() {
      for (const o of others) await o.close();
      await engine.close();
      await where.cleanup();
    },
  });
}

/** Every method of every repository, retried while SQLite reports the file busy (store/db.ts withBusyRetry). */
function patient<R extends Record<string, object>>(repos: R): R {
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (...args: unknown[]) => withBusyRetry(() => (v as (...a: unknown[]) => unknown).apply(target, args)) : v;
      },
    });
  return Object.fromEntries(Object.entries(repos).map(([k, v]) => [k, wrap(v)])) as R;
}
export type TestRepositories = Awaited<ReturnType<typeof repositoriesOn>>;

/**
 * `describe.each(ENGINE_KINDS)` with fresh repositories for every test: `r` is filled before each
 * test (a new database each time) and closed and dropped after it.
 */
export function describeOnEachEngine(name: string, body: (r: TestRepositories, kind: EngineKind) => void): void {
  describe.each(ENGINE_KINDS)(`${name} on %s`, (kind) => {
    let current: TestRepositories | undefined;
    // the current test's repositories (another() adds to them), whatever the test reads from `r`
    const r = new Proxy({} as TestRepositories, { get: (_target, prop) => Reflect.get(current!, prop) });
    beforeEach(async () => {
      current = await repositoriesOn(kind);
    }, 130_000);
    afterEach(() => current!.cleanup());
    body(r, kind);
  });
}
