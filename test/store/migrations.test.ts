import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store';
import { MIGRATIONS, sqlFor } from '../../src/store/schema';
import { CORE_MIGRATIONS } from '../../src/store/core-migrations';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

const latest = Math.max(...MIGRATIONS.map((m) => m.version));

function tables(path: string): string[] {
  const raw = new Database(path, { readonly: true });
  try {
    return (raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
  } finally {
    raw.close();
  }
}

describe('store migrations', () => {
  it('keeps core versions inside 1–99, unique', async () => {
    const versions = CORE_MIGRATIONS.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const v of versions) expect(v >= 1 && v <= 99).toBe(true);
  });

  it('creates every table on a fresh file (in a directory that did not exist yet)', async () => {
    const store = await t.open();
    expect(store.db!.pragma('user_version', { simple: true })).toBe(latest);
    expect(store.db!.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
    expect(tables(t.path)).toEqual(
      expect.arrayContaining(['deploy_requests', 'grants', 'channel_budgets', 'approvals', 'audit_log', 'watches']),
    );
  });

  it('reopening applies nothing again and keeps every record (a restart loses nothing)', async () => {
    const first = await t.open();
    await first.deployRequests.begin('k1', { channelId: 'C1', userId: 'U1', type: 'container', planId: 'p', name: 'n', pricePerHour: 2 });
    await first.deployRequests.succeed('k1', 'inst-1');
    await first.grants.set({ kind: 'user', id: 'U2' }, 'deployer', 'U1');
    await first.budgets.set('C1', 10, 'U1');
    await first.approvals.create({
      id: 'a1', channelId: 'C1', requesterId: 'U2', type: 'vm', planId: 'p', name: 'big', pricePerHour: 30,
      reason: 'over budget', payload: 'ciphertext', expiresAt: t.clock.t + 60_000,
    });
    await first.audit.record({ actorId: 'U1', channelId: 'C1', action: 'grant', outcome: 'ok' });
    await first.close();

    const again = await t.open();
    expect(again.db!.pragma('user_version', { simple: true })).toBe(latest);
    expect(await again.deployRequests.findByInstance('inst-1')).toMatchObject({ key: 'k1', userId: 'U1', state: 'succeeded' });
    expect((await again.grants.get({ kind: 'user', id: 'U2' }))?.role).toBe('deployer');
    expect((await again.budgets.get('C1'))?.usdPerHour).toBe(10);
    expect(await again.approvals.get('a1')).toMatchObject({ state: 'pending', payload: 'ciphertext' });
    expect(await again.audit.count()).toBe(1);
    // a duplicate begin after the restart is still recognised
    expect(await again.deployRequests.begin('k1', { channelId: 'C1', userId: 'U1', type: 'container', planId: 'p', name: 'n', pricePerHour: 2 })).toMatchObject({
      started: false,
      existing: { instanceId: 'inst-1' },
    });
  });

  it('a migration that fails leaves the file at the last good version', async () => {
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE x (a); SELECT nope FROM missing;' }];
    await expect(openStore(t.path, { migrations: broken })).rejects.toMatchObject({ message: expect.stringMatching(/no such table: missing/) });
    const { db, close } = await openStore(t.path);
    expect(db!.pragma('user_version', { simple: true })).toBe(latest);
    expect((db!.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'`).get() as { n: number }).n).toBe(0);
    await close();
  });

  it('a migration added later to a lower version range still runs on a file that has higher ones', async () => {
    // e.g. a watcher migration 102 shipped after the deploy range (300) had been applied
    await (await openStore(t.path)).close();
    const later = [...MIGRATIONS, { version: 150, name: 'late watch column', sql: 'CREATE TABLE late_watch_table (a INTEGER)' }];
    const { db, close } = await openStore(t.path, { migrations: later });
    expect((db!.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'late_watch_table'`).get() as { n: number }).n).toBe(1);
    expect(db!.pragma('user_version', { simple: true })).toBe(latest);
    await close();
    // and only once
    await (await openStore(t.path, { migrations: later })).close();
  });

  it('a file migrated by the old high-water-mark runner is taken over without re-running anything', async () => {
    const upTo = 100;
    mkdirSync(dirname(t.path), { recursive: true });
    const legacy = new Database(t.path);
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) if (m.version <= upTo) legacy.exec(sqlFor(m, 'sqlite'));
    legacy.pragma(`user_version = ${upTo}`);
    legacy.close();
    // re-running any migration up to 100 would fail (CREATE TABLE of an existing table)
    const { db, close } = await openStore(t.path);
    const applied = (db!.prepare(`SELECT version FROM schema_migrations ORDER BY version`).all() as Array<{ version: number }>).map((r) => r.version);
    expect(applied).toEqual([...MIGRATIONS].map((m) => m.version).sort((a, b) => a - b));
    expect(db!.pragma('user_version', { simple: true })).toBe(latest);
    await close();
  });

  it('shipped migrations never change: on PostgreSQL either (their text is derived from the SQLite text)', async () => {
    const shipped: Record<number, string> = {
      1: 'ae16f692c1cc82e1', 2: '7c2cb7419834547b', 3: '8f0b90b2539474dd', 4: '853f207473dc686a', 100: '03cb84325f2a8efa', 101: '3ab8189974d8869c',
      200: '00325cd08211a496', 300: 'f35745655c762461', 400: '0e1c9849a55e68b5', 500: '8ba3be0d0af1dc3e', 501: '4ab2e4f992eeb261',
    };
    const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
    for (const m of MIGRATIONS.filter((x) => x.version in shipped)) expect([m.version, digest(sqlFor(m, 'postgres'))]).toEqual([m.version, shipped[m.version]]);
  });

  it('close() is safe twice and isOpen() reports it', async () => {
    const store = await t.open();
    expect(store.isOpen()).toBe(true);
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    expect(store.isOpen()).toBe(false);
  });
});
