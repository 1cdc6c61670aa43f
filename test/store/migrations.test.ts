import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/db';
import { MIGRATIONS } from '../../src/store/schema';
import { CORE_MIGRATIONS } from '../../src/store/core-migrations';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(() => t.cleanup());

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
  it('keeps core versions inside 1–99, unique', () => {
    const versions = CORE_MIGRATIONS.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const v of versions) expect(v >= 1 && v <= 99).toBe(true);
  });

  it('creates every table on a fresh file (in a directory that did not exist yet)', () => {
    const store = t.open();
    expect(store.db.pragma('user_version', { simple: true })).toBe(latest);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    expect(tables(t.path)).toEqual(
      expect.arrayContaining(['deploy_requests', 'grants', 'channel_budgets', 'approvals', 'audit_log', 'watches']),
    );
  });

  it('reopening applies nothing again and keeps every record (a restart loses nothing)', () => {
    const first = t.open();
    first.deployRequests.begin('k1', { channelId: 'C1', userId: 'U1', type: 'container', planId: 'p', name: 'n', pricePerHour: 2 });
    first.deployRequests.succeed('k1', 'inst-1');
    first.grants.set({ kind: 'user', id: 'U2' }, 'deployer', 'U1');
    first.budgets.set('C1', 10, 'U1');
    first.approvals.create({
      id: 'a1', channelId: 'C1', requesterId: 'U2', type: 'vm', planId: 'p', name: 'big', pricePerHour: 30,
      reason: 'over budget', payload: 'ciphertext', expiresAt: t.clock.t + 60_000,
    });
    first.audit.record({ actorId: 'U1', channelId: 'C1', action: 'grant', outcome: 'ok' });
    first.close();

    const again = t.open();
    expect(again.db.pragma('user_version', { simple: true })).toBe(latest);
    expect(again.deployRequests.findByInstance('inst-1')).toMatchObject({ key: 'k1', userId: 'U1', state: 'succeeded' });
    expect(again.grants.get({ kind: 'user', id: 'U2' })?.role).toBe('deployer');
    expect(again.budgets.get('C1')?.usdPerHour).toBe(10);
    expect(again.approvals.get('a1')).toMatchObject({ state: 'pending', payload: 'ciphertext' });
    expect(again.audit.count()).toBe(1);
    // a duplicate begin after the restart is still recognised
    expect(again.deployRequests.begin('k1', { channelId: 'C1', userId: 'U1', type: 'container', planId: 'p', name: 'n', pricePerHour: 2 })).toMatchObject({
      started: false,
      existing: { instanceId: 'inst-1' },
    });
  });

  it('a migration that fails leaves the file at the last good version', () => {
    const broken = [...MIGRATIONS, { version: latest + 1, name: 'broken', sql: 'CREATE TABLE x (a); SELECT nope FROM missing;' }];
    expect(() => openDatabase(t.path, broken)).toThrow();
    const db = openDatabase(t.path);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    expect((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'`).get() as { n: number }).n).toBe(0);
    db.close();
  });

  it('a migration added later to a lower version range still runs on a file that has higher ones', () => {
    // e.g. a watcher migration 102 shipped after the deploy range (300) had been applied
    openDatabase(t.path).close();
    const later = [...MIGRATIONS, { version: 150, name: 'late watch column', sql: 'CREATE TABLE late_watch_table (a INTEGER)' }];
    const db = openDatabase(t.path, later);
    expect((db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'late_watch_table'`).get() as { n: number }).n).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    db.close();
    // and only once
    expect(() => openDatabase(t.path, later).close()).not.toThrow();
  });

  it('a file migrated by the old high-water-mark runner is taken over without re-running anything', () => {
    const upTo = 100;
    mkdirSync(dirname(t.path), { recursive: true });
    const legacy = new Database(t.path);
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) if (m.version <= upTo) legacy.exec(m.sql);
    legacy.pragma(`user_version = ${upTo}`);
    legacy.close();
    // re-running any migration up to 100 would fail (CREATE TABLE of an existing table)
    const db = openDatabase(t.path);
    const applied = (db.prepare(`SELECT version FROM schema_migrations ORDER BY version`).all() as Array<{ version: number }>).map((r) => r.version);
    expect(applied).toEqual([...MIGRATIONS].map((m) => m.version).sort((a, b) => a - b));
    expect(db.pragma('user_version', { simple: true })).toBe(latest);
    db.close();
  });

  it('close() is safe twice and isOpen() reports it', () => {
    const store = t.open();
    expect(store.isOpen()).toBe(true);
    store.close();
    expect(() => store.close()).not.toThrow();
    expect(store.isOpen()).toBe(false);
  });
});
