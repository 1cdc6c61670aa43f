/**
 * The PostgreSQL engine (DATABASE_URL=postgres://…): a `pg` pool under Kysely's PostgresDialect.
 * Several bot processes share one database, so the store's serialised write transaction takes a
 * transaction-scoped advisory lock first (released at COMMIT/ROLLBACK, also when the connection
 * dies): the same one-writer-at-a-time semantics as SQLite's BEGIN IMMEDIATE, across replicas.
 * Migrations take a lock of their own.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { kyselyPlugins, nestingGuard, type Engine, type Trx } from './engine';
import type { StoreTables } from './tables';

/** Advisory lock keys (one 64-bit space per database; these two are the store's). */
export const WRITE_LOCK_KEY = 0x6770_7562_6f74_01n; // "gpubot" 01
export const MIGRATION_LOCK_KEY = 0x6770_7562_6f74_02n;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** BIGINT (epoch ms, counts) and NUMERIC (sums) as numbers: every one the store keeps fits in a double. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresEngineOptions {
  /** Most connections this process opens (default 10). */
  maxConnections?: number;
}

/** The URL with its password hidden, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

export async function postgresEngine(url: string, o: PostgresEngineOptions = {}): Promise<Engine> {
  const pool = new pg.Pool({ connectionString: url, max: o.maxConnections ?? 10, types, connectionTimeoutMillis: 10_000 });
  // an idle client losing its connection (server restart) must not crash the process: the pool drops it
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot connect to PostgreSQL at ${redactDatabaseUrl(url)}: ${(err as Error).message}`);
  }
  const kysely = new Kysely<StoreTables>({ dialect: new PostgresDialect({ pool }), plugins: kyselyPlugins() });
  const guard = nestingGuard('postgres');
  const locked = (key: bigint): Engine['transaction'] => (fn) =>
    guard(() =>
      kysely.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`.execute(trx);
        return fn(trx);
      }),
    );
  let closed = false;
  return {
    kind: 'postgres',
    kysely,
    transaction: locked(WRITE_LOCK_KEY),
    migrationTransaction: locked(MIGRATION_LOCK_KEY),
    async execScript(trx: Trx, sqlText: string) {
      // no parameters: sent as a simple query, so several statements are fine
      await sql.raw(sqlText).execute(trx);
    },
    isOpen: () => !closed,
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy();
    },
  };
}
