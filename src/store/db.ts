/**
 * Opens the embedded SQLite store and brings its schema up to date. Migrations are versioned in
 * code (schema.ts) and recorded per version in `schema_migrations`, each applied in its own transaction,
 * so a process killed mid-migration restarts cleanly.
 *
 * Waiting for a lock: better-sqlite3 is synchronous, so SQLite's busy timeout blocks the whole
 * event loop while another connection (a backup, a second process, an operator's sqlite3 shell)
 * holds the write lock. With the old 5 s timeout a held lock froze every ack and /healthz. Once
 * open, the timeout is BUSY_TIMEOUT_MS (a few ms of blocking at most); callers that must get
 * their write through wrap it in `withBusyRetry`, which waits between attempts asynchronously.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, sqlFor, type Migration } from './schema';

export type Db = Database.Database;

/** Longest synchronous wait for a lock inside one statement, once the store is open. */
export const BUSY_TIMEOUT_MS = 50;
/** At start nothing else is served yet: migrations may wait for another process as long as this. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the file and migrates it synchronously. Only the watcher's tests still use this (until
 * watches.ts moves to Kysely); the bot opens its store with `openStore` (index.ts), whose async
 * migration runner (migrate.ts) works on both engines.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = openSqliteFile(path);
  migrate(db, migrations);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/**
 * Opens (creating if needed) the SQLite file with the store's pragmas. Its busy timeout is still
 * the long one for opening (migrations may wait for another process): lower it to BUSY_TIMEOUT_MS
 * once migrated.
 */
export function openSqliteFile(path: string): Db {
  if (path !== ':memory:') restrictFiles(path);
  const db = new Database(path, { timeout: OPEN_BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
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

/** SQLITE_BUSY (and its extended codes) or SQLITE_LOCKED: another connection holds the lock; trying again later can work. */
export function isBusyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

/** Any error SQLite itself raised (better-sqlite3's SqliteError carries an SQLITE_* code): disk full, I/O, a lock. */
export function isSqliteError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

export interface BusyRetryOptions {
  /** Give up (rethrow the busy error) once this much time has passed; default 10 s. */
  deadlineMs?: number;
  /** Named in the one debug line written when the first attempt finds the store locked. */
  what?: string;
  logger?: { debug(obj: object, msg: string): void };
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Runs `fn` (one statement, or a whole `db.transaction(...)` call: a transaction that hit the lock
 * was rolled back, so running it again is safe) until it gets past a busy lock, waiting 10, 20, 40
 * … 250 ms between attempts WITHOUT blocking the event loop. Any other error is rethrown at once.
 * Meant for every write that must not be lost to a momentary lock (the watcher's outbox, deploy
 * claims in `BEGIN IMMEDIATE` transactions).
 */
export async function withBusyRetry<T>(fn: () => T | Promise<T>, o: BusyRetryOptions = {}): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + (o.deadlineMs ?? 10_000);
  let waitMs = 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusyError(err) || now() + waitMs > deadline) throw err;
      if (attempt === 1) o.logger?.debug({ what: o.what ?? 'store write' }, 'the database is locked by another connection; retrying without blocking');
    }
    await sleep(waitMs);
    waitMs = Math.min(waitMs * 2, 250);
  }
}

/**
 * Applies every migration not applied yet, in version order. Each store module owns a version range
 * (core 1–99, watches 100–199, …), so a migration added later to a low range must still run on a file
 * that already has higher ones: what was applied is recorded per version in `schema_migrations`, not
 * as one high-water mark. Files from before that table existed were migrated strictly in order up to
 * `user_version`, so their applied set is every known version up to it (backfilled once).
 * `user_version` is still set to the highest applied version (external tools read it).
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of sorted) {
    if (seen.has(m.version)) throw new Error(`Duplicate migration version ${m.version} (${m.name})`);
    seen.add(m.version);
  }
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const recorded = (db.prepare(`SELECT COUNT(*) AS n FROM schema_migrations`).get() as { n: number }).n;
    const legacy = db.pragma('user_version', { simple: true }) as number;
    if (recorded === 0 && legacy > 0) {
      const backfill = db.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`);
      for (const m of sorted) if (m.version <= legacy) backfill.run(m.version, m.name, Date.now());
    }
  }).immediate();
  const isApplied = db.prepare(`SELECT 1 FROM schema_migrations WHERE version = ?`);
  const record = db.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`);
  for (const m of sorted) {
    // Re-checked inside an IMMEDIATE (write-locked) transaction: two processes opening the same
    // file at once must not both run the same migration.
    db.transaction(() => {
      if (isApplied.get(m.version)) return;
      db.exec(sqlFor(m, 'sqlite'));
      record.run(m.version, m.name, Date.now());
      const current = db.pragma('user_version', { simple: true }) as number;
      if (m.version > current) db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
