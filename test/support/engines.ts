/**
 * Where a store test's data lives, per engine: a fresh SQLite file, or a fresh database on the
 * run's PostgreSQL server (test/support/pg.ts). A contract test runs `describe.each(ENGINE_KINDS)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kyselyRepositories } from '../../src/store';
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
  return {
    ...kyselyRepositories(engine, clock.now),
    engine,
    clock,
    async cleanup() {
      await engine.close();
      await where.cleanup();
    },
  };
}
export type TestRepositories = Awaited<ReturnType<typeof repositoriesOn>>;
