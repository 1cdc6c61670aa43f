/**
 * The SQLite engine: Kysely over the store's one better-sqlite3 connection. Kysely's SQLite driver
 * serialises every query and transaction of this process on that connection; this driver starts
 * each transaction with BEGIN IMMEDIATE (the write lock is taken at BEGIN, so a check-then-act in a
 * transaction is serialised with every other process on the file too), and `transaction` waits for
 * a lock another process holds asynchronously (withBusyRetry) instead of freezing the event loop.
 */
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDriver, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect } from 'kysely';
import { withBusyRetry, type Db } from './db';
import { kyselyPlugins, nestingGuard, type Engine } from './engine';
import type { StoreTables } from './tables';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect implements Dialect {
  constructor(private readonly db: Db) {}
  createDriver() {
    return new ImmediateSqliteDriver({ database: this.db });
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

/** A write transaction this long (retrying a lock held elsewhere) is given up with the busy error. */
const TRANSACTION_BUSY_DEADLINE_MS = 10_000;
const MIGRATION_BUSY_DEADLINE_MS = 60_000;

export function sqliteEngine(db: Db): Engine {
  const kysely = new Kysely<StoreTables>({ dialect: new ImmediateSqliteDialect(db), plugins: kyselyPlugins() });
  const guard = nestingGuard('sqlite');
  const serialised = (deadlineMs: number, what: string): Engine['transaction'] => (fn) =>
    guard(() => withBusyRetry(() => kysely.transaction().execute(fn), { deadlineMs, what }));
  const transaction = serialised(TRANSACTION_BUSY_DEADLINE_MS, 'store transaction');
  let closed = false;
  return {
    kind: 'sqlite',
    kysely,
    transaction,
    // BEGIN IMMEDIATE is the migration lock: one writer per file at a time. Another process may
    // be migrating a large file: wait for it longer than for an ordinary write.
    migrationTransaction: serialised(MIGRATION_BUSY_DEADLINE_MS, 'migration'),
    async execScript(_trx, sqlText) {
      // the transaction holds this very connection: exec runs inside it (several statements at once)
      db.exec(sqlText);
    },
    isOpen: () => db.open && !closed,
    async close() {
      if (closed) return;
      closed = true;
      if (db.open) db.close();
      await kysely.destroy().catch(() => undefined);
    },
  };
}
