/**
 * The seam between the store and the database engine. Repositories see a Kysely instance and
 * `transaction`; what differs per engine (SQLite's busy lock and file modes, PostgreSQL's pool and
 * advisory locks, how a multi-statement migration is sent) stays behind this interface.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CamelCasePlugin, type Kysely, type KyselyConfig, type Transaction } from 'kysely';
import { isSqliteError } from './db';
import type { StoreTables } from './tables';

export type EngineKind = 'sqlite' | 'postgres';

/** A query runner: the store's Kysely instance, or the transaction a `transaction` callback got. */
export type Executor<DB = StoreTables> = Kysely<DB>;
export type Trx<DB = StoreTables> = Transaction<DB>;

/** The store's serialised write transaction (Engine.transaction), as repositories receive it. */
export type Transactor = <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>;

export interface Engine {
  readonly kind: EngineKind;
  readonly kysely: Kysely<StoreTables>;
  /**
   * Runs `fn` in one write transaction that no other writer interleaves with: SQLite
   * `BEGIN IMMEDIATE` (the write lock is taken at BEGIN; a lock held by another process is waited
   * for asynchronously and the whole transaction retried), PostgreSQL a transaction-scoped advisory
   * lock taken first. Use it for every check-then-act that decides correctness. `fn` must only
   * use `trx` (on SQLite the store's one connection is held: a query on the root instance inside
   * would wait for itself) and may be run more than once (keep side effects out of it).
   */
  transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Like `transaction`, but serialised with every other process's migrations (the migration lock). */
  migrationTransaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
  /** Sends a migration's SQL text (several statements) inside `trx`. */
  execScript(trx: Trx, sqlText: string): Promise<void>;
  isOpen(): boolean;
  close(): Promise<void>;
}

/** Options every engine's Kysely instance gets: camelCase in TypeScript, snake_case in SQL. */
export function kyselyPlugins(): NonNullable<KyselyConfig['plugins']> {
  return [new CamelCasePlugin({ maintainNestedObjectKeys: true })];
}

/**
 * Refuses a `transaction` started inside another one of the same engine. On SQLite it would wait
 * for the connection its caller holds, forever; on PostgreSQL it would not see the outer writes.
 */
export function nestingGuard(kind: EngineKind) {
  const inside = new AsyncLocalStorage<true>();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    if (inside.getStore()) {
      return Promise.reject(new Error(`store.transaction called inside a transaction (${kind}): use the trx you were given`));
    }
    return inside.run(true, fn);
  };
}

/** Network failures of the PostgreSQL connection (the server restarting, a network cut). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * The store refused (a database error, not a bug of ours): SQLite `SQLITE_*` (full, locked, read
 * only); PostgreSQL an error the server answered (pg's DatabaseError: a SQLSTATE and a severity), or
 * its connection failing. The watcher and the delivery back off on these and keep what Slack already
 * has in memory; anything else is a bug and propagates.
 */
export function isStoreError(err: unknown): boolean {
  if (isSqliteError(err)) return true;
  // duck-typed: errors of native modules and of pg may come from another realm (jest's sandbox)
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; severity?: unknown; message?: unknown };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') return true;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message);
}
