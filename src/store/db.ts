/**
 * Opens the embedded SQLite store and brings its schema up to date. Migrations are versioned in
 * code (schema.ts) and tracked with SQLite's `user_version`, each applied in its own transaction,
 * so a process killed mid-migration restarts cleanly.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './schema';

export type Db = Database.Database;

export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  if (path !== ':memory:') restrictFiles(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

/**
 * The store holds sealed secrets, grants and the audit trail: a directory the bot creates is
 * 0700, and the database file is created 0600 before SQLite opens it (SQLite gives its -wal and
 * -shm files the database file's mode). An existing directory is left as it is (it may be shared,
 * like /tmp); an existing database file is narrowed to 0600.
 */
function restrictFiles(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const suffix of ['', '-wal', '-shm', '-journal']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of sorted) {
    if (seen.has(m.version)) throw new Error(`Duplicate migration version ${m.version} (${m.name})`);
    seen.add(m.version);
  }
  for (const m of sorted) {
    // Re-read the version inside an IMMEDIATE (write-locked) transaction: two processes opening a new
    // file at once must not both run the same migration.
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (m.version <= current) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
