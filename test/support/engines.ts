/**
 * Where a store test's data lives, per engine: a fresh SQLite file, or a fresh database on the
 * run's PostgreSQL server (test/support/pg.ts). A contract test runs `describe.each(ENGINE_KINDS)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineKind } from '../../src/store/engine';
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
