/**
 * The migration runner, the same on both engines. What was applied is recorded per version in
 * `schema_migrations` (a version added later to a low range still runs on a database that has higher
 * ones). Each migration runs in its own transaction under the migration lock (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: pg_advisory_xact_lock) and is re-checked inside it, so two processes
 * starting at once never apply one twice, and a process killed mid-migration restarts cleanly.
 *
 * SQLite only: files from before `schema_migrations` were migrated strictly in order up to
 * `user_version`, so their applied set is every known version up to it (backfilled once), and
 * `user_version` is still set to the highest applied version (external tools read it).
 */
import { sql } from 'kysely';
import type { Engine, Trx } from './engine';
import { sqlFor, type Migration } from './schema';

export async function runMigrations(engine: Engine, migrations: readonly Migration[], now: () => number = Date.now): Promise<void> {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of sorted) {
    if (seen.has(m.version)) throw new Error(`Duplicate migration version ${m.version} (${m.name})`);
    seen.add(m.version);
  }
  await engine.migrationTransaction(async (trx) => {
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`.execute(trx);
    if (engine.kind !== 'sqlite') return;
    const legacy = await userVersion(trx);
    const { n } = await trx.selectFrom('schemaMigrations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) > 0 || legacy === 0) return;
    for (const m of sorted) if (m.version <= legacy) await record(trx, m, now());
  });
  for (const m of sorted) {
    await engine.migrationTransaction(async (trx) => {
      const applied = await trx.selectFrom('schemaMigrations').select('version').where('version', '=', m.version).executeTakeFirst();
      if (applied) return;
      await engine.execScript(trx, sqlFor(m, engine.kind));
      await record(trx, m, now());
      if (engine.kind === 'sqlite' && m.version > (await userVersion(trx))) await sql.raw(`PRAGMA user_version = ${m.version}`).execute(trx);
    });
  }
}

async function record(trx: Trx, m: Migration, at: number): Promise<void> {
  await trx.insertInto('schemaMigrations').values({ version: m.version, name: m.name, appliedAt: at }).execute();
}

async function userVersion(trx: Trx): Promise<number> {
  // one column, whatever the row mapping calls it
  const { rows } = await sql<Record<string, number>>`PRAGMA user_version`.execute(trx);
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}
