/**
 * The store's Kysely foundation (issue 13 §1): a typed instance over the same database, camelCase
 * rows, serialised write transactions (BEGIN IMMEDIATE on SQLite), and the async migration runner.
 */
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore } from '../../src/store';
import { isBusyError } from '../../src/store/db';
import { MIGRATIONS } from '../../src/store/schema';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

test('store.kysely reads what the repositories wrote, with camelCase columns', async () => {
  const store = await t.open();
  await store.grants.set({ kind: 'user', id: 'U2' }, 'deployer', 'U1');
  const rows = await store.kysely.selectFrom('grants').selectAll().execute();
  expect(rows).toEqual([{ subjectKind: 'user', subjectId: 'U2', role: 'deployer', grantedBy: 'U1', grantedAt: t.clock.t }]);
  await store.kysely.insertInto('channelBudgets').values({ channelId: 'C1', usdPerHour: 12.5, setBy: 'U1', setAt: 5 }).execute();
  expect(await store.budgets.get('C1')).toEqual({ channelId: 'C1', usdPerHour: 12.5, by: 'U1', at: 5 });
});

test('transactions in one process are serialised: each check-then-insert sees the ones before it', async () => {
  const store = await t.open();
  const claimNext = () =>
    store.transaction(async (trx) => {
      const { n } = await trx.selectFrom('commandDeliveries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await new Promise((resolve) => setImmediate(resolve)); // a real pause: other requests get the event loop
      await trx.insertInto('commandDeliveries').values({ key: `k${n}`, at: Number(n) }).execute();
      return Number(n);
    });
  const got = await Promise.all(Array.from({ length: 8 }, claimNext));
  expect([...got].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test('a transaction holds the write lock from BEGIN: another process cannot write meanwhile', async () => {
  const store = await t.open();
  const other = new Database(t.path, { timeout: 0 });
  let otherWrite: unknown = 'not tried';
  await store.transaction(async (trx) => {
    await trx.selectFrom('grants').selectAll().execute(); // only a read so far
    try {
      other.exec(`INSERT INTO command_deliveries (key, at) VALUES ('other', 1)`);
      otherWrite = 'landed';
    } catch (err) {
      otherWrite = isBusyError(err) ? 'busy' : err;
    }
  });
  other.close();
  expect(otherWrite).toBe('busy');
});

test('a transaction waits out a lock another process holds, without blocking the event loop, and lands once', async () => {
  const store = await t.open();
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  let landed = false;
  const write = store
    .transaction(async (trx) => {
      await trx.insertInto('commandDeliveries').values({ key: 'k', at: 1 }).execute();
    })
    .then(() => (landed = true));
  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 5);
  await new Promise((resolve) => setTimeout(resolve, 150));
  // the event loop ran while the write waited (a blocking wait would not let the ticker run)
  expect({ landed, ticked: ticks > 0 }).toEqual({ landed: false, ticked: true });
  holder.exec('ROLLBACK');
  holder.close();
  await write;
  clearInterval(ticker);
  expect(await store.kysely.selectFrom('commandDeliveries').select('key').execute()).toEqual([{ key: 'k' }]);
});

test('a transaction that throws leaves nothing behind; one started inside another is refused', async () => {
  const store = await t.open();
  await expect(
    store.transaction(async (trx) => {
      await trx.insertInto('commandDeliveries').values({ key: 'gone', at: 1 }).execute();
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
  expect(await store.kysely.selectFrom('commandDeliveries').selectAll().execute()).toEqual([]);
  // the connection is free again
  await store.transaction(async (trx) => trx.insertInto('commandDeliveries').values({ key: 'kept', at: 1 }).execute());
  expect(await store.kysely.selectFrom('commandDeliveries').select('key').execute()).toEqual([{ key: 'kept' }]);
});

test('two stores migrating one fresh file at once apply every migration exactly once', async () => {
  const extra = { version: 9_999, name: 'per-engine text', sql: { sqlite: 'CREATE TABLE only_sqlite (a INTEGER)', postgres: 'CREATE TABLE only_pg (a BIGINT)' } };
  const migrations = [...MIGRATIONS, extra];
  const [a, b] = await Promise.all([openStore(t.path, { migrations }), openStore(t.path, { migrations })]);
  const applied = await a.kysely.selectFrom('schemaMigrations').select('version').orderBy('version').execute();
  expect(applied.map((r) => r.version)).toEqual(migrations.map((m) => m.version).sort((x, y) => x - y));
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name LIKE 'only_%'`.execute(b.kysely);
  expect(rows).toEqual([{ name: 'only_sqlite' }]);
  await a.close();
  await b.close();
});
