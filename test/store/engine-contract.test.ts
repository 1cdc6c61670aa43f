/**
 * The engine seam, the same on SQLite and on a real PostgreSQL (issue 13 §1, §3): migrations once
 * however many processes start together, serialised write transactions across processes, and the
 * same rows (camelCase, numbers) from both.
 */
import { sql } from 'kysely';
import type { Engine } from '../../src/store/engine';
import { openEngine } from '../../src/store/open';
import { MIGRATIONS } from '../../src/store/schema';
import { ENGINE_KINDS, testLocation, type TestLocation } from '../support/engines';

describe.each(ENGINE_KINDS)('store engine on %s', (kind) => {
  let where: TestLocation;
  const opened: Engine[] = [];
  const open = async (migrations = MIGRATIONS) => {
    const { engine } = await openEngine(where.location, { migrations });
    opened.push(engine);
    return engine;
  };
  beforeEach(async () => {
    where = await testLocation(kind);
  }, 130_000);
  afterEach(async () => {
    for (const e of opened.splice(0)) await e.close();
    await where.cleanup();
  });

  test('three processes starting at once apply every migration exactly once, and the tables are there', async () => {
    const engines = await Promise.all([open(), open(), open()]);
    const applied = await engines[0]!.kysely.selectFrom('schemaMigrations').select('version').orderBy('version').execute();
    expect(applied.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    // every table answers a query on this engine
    for (const table of ['deployRequests', 'deployModals', 'grants', 'channelBudgets', 'approvals', 'auditLog', 'commandDeliveries', 'formDrafts', 'leases', 'channelPolicies', 'deployLeaseChoices', 'watches'] as const) {
      await expect(engines[1]!.kysely.selectFrom(table).selectAll().execute()).resolves.toEqual([]);
    }
  });

  test('a migration that fails is rolled back and stops the start; the next start runs it again', async () => {
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half_done (a BIGINT); SELECT nope FROM missing_table' }];
    await expect(openEngine(where.location, { migrations: broken })).rejects.toMatchObject({ message: expect.stringMatching(/missing_table/) });
    const fixed = [...MIGRATIONS, { version: latest + 1, name: 'fixed', sql: 'CREATE TABLE half_done (a BIGINT)' }];
    const engine = await open(fixed);
    await expect(engine.kysely.selectFrom('schemaMigrations').select('name').where('version', '=', latest + 1).execute()).resolves.toEqual([{ name: 'fixed' }]);
  });

  test('rows come back camelCase, with epoch ms and amounts as numbers', async () => {
    const engine = await open();
    const at = 1_800_000_000_123; // past 2^31: a BIGINT on PostgreSQL
    await engine.kysely.insertInto('channelBudgets').values({ channelId: 'C1', usdPerHour: 12.75, setBy: 'U1', setAt: at }).execute();
    expect(await engine.kysely.selectFrom('channelBudgets').selectAll().execute()).toEqual([{ channelId: 'C1', usdPerHour: 12.75, setBy: 'U1', setAt: at }]);
    const { n } = await engine.kysely.selectFrom('channelBudgets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(n).toBe(1);
  });

  test('write transactions of two processes on one database never interleave a check and its write', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const claimNext = (engine: Engine) =>
      engine.transaction(async (trx) => {
        const { n } = await trx.selectFrom('commandDeliveries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        await new Promise((resolve) => setTimeout(resolve, 2)); // the other process gets every chance to interleave
        await trx.insertInto('commandDeliveries').values({ key: `k${n}`, at: Number(n) }).execute();
        return Number(n);
      });
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => claimNext(i % 2 ? a : b)));
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  test('a transaction that throws leaves nothing; one started inside another is refused', async () => {
    const engine = await open();
    await expect(
      engine.transaction(async (trx) => {
        await trx.insertInto('commandDeliveries').values({ key: 'gone', at: 1 }).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(engine.transaction(async () => engine.transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
    expect(await engine.kysely.selectFrom('commandDeliveries').selectAll().execute()).toEqual([]);
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(engine.kysely);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
