/**
 * Opens the store's database: PostgreSQL for a postgres:// (or postgresql://) URL, else the SQLite
 * file at that path (':memory:' too), and brings its schema up to date with the one migration
 * runner. What is SQLite-only (file modes, pragmas, the busy timeout) stays here and in db.ts.
 */
import { BUSY_TIMEOUT_MS, openSqliteFile, type Db } from './db';
import type { Engine } from './engine';
import { runMigrations } from './migrate';
import { postgresEngine } from './postgres-engine';
import { MIGRATIONS, type Migration } from './schema';
import { sqliteEngine } from './sqlite-engine';

export interface OpenEngineOptions {
  /** Migrations to apply (tests of the runner); default all of them. */
  migrations?: readonly Migration[];
  /** PostgreSQL: most connections this process opens. */
  maxConnections?: number;
}

export interface OpenedEngine {
  engine: Engine;
  /** The SQLite handle (null on PostgreSQL). */
  sqlite: Db | null;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export async function openEngine(location: string, o: OpenEngineOptions = {}): Promise<OpenedEngine> {
  let opened: OpenedEngine;
  if (isPostgresUrl(location)) {
    opened = { engine: await postgresEngine(location, o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}), sqlite: null };
  } else {
    const db = openSqliteFile(location);
    // A held lock costs a few ms of blocking at most; longer waits (another process migrating, a
    // backup) are waited out asynchronously by the engine's transactions.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    opened = { engine: sqliteEngine(db), sqlite: db };
  }
  try {
    await runMigrations(opened.engine, o.migrations ?? MIGRATIONS);
  } catch (err) {
    await opened.engine.close();
    throw err;
  }
  return opened;
}
