/** The watch repository on a real SQLite file: claims are once-only and survive reopening. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db';
import { WatchStore } from '../../src/store/watches';
import { watchInput } from './fakes';

const msg = (text: string) => ({ text, blocks: [] });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-bot-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a reply kind is claimed once per instance, even across reopening the file', () => {
  const path = join(dir, 'w.sqlite');
  let db = openDatabase(path);
  let store = new WatchStore(db);
  store.add(watchInput('i1', 'vm'), 1000);
  expect(store.claimReply('i1', 'ready', msg('first'), 1000)).toBe(true);
  expect(store.claimReply('i1', 'ready', msg('second'), 2000)).toBe(false);
  expect(store.apply('i1', { replies: [{ kind: 'ready', message: msg('third') }, { kind: 'slow', message: msg('slow') }] }, 3000)).toEqual(['slow']);
  db.close();
  db = openDatabase(path);
  store = new WatchStore(db);
  expect(store.claimReply('i1', 'ready', msg('fourth'), 4000)).toBe(false);
  expect(store.pendingMessages(5000).map((m) => [m.kind, m.message.text])).toEqual([
    ['ready', 'first'],
    ['slow', 'slow'],
  ]);
  db.close();
});

test('status, finish and claimed replies commit together or not at all', () => {
  const db = openDatabase(join(dir, 'w.sqlite'));
  const store = new WatchStore(db);
  store.add(watchInput('i1', 'vm'), 1000);
  // a reply kind the schema rejects makes the whole change roll back
  expect(() =>
    store.apply('i1', { status: 'ACTIVE', finish: 'ready', replies: [{ kind: 'bogus' as 'ready', message: msg('x') }] }, 2000),
  ).toThrow();
  expect(store.get('i1')).toMatchObject({ lastStatus: 'INITIALIZED', state: 'watching' });
  store.apply('i1', { status: 'ACTIVE', finish: 'ready', statusMessage: msg('edit'), replies: [{ kind: 'ready', message: msg('ok') }] }, 2000);
  expect(store.get('i1')).toMatchObject({ lastStatus: 'ACTIVE', state: 'done', outcome: 'ready' });
  expect(store.listWatching()).toEqual([]);
  expect(store.pendingMessages(2000).map((m) => m.kind)).toEqual(['status', 'ready']);
  db.close();
});

test('a retried message waits for its time; a sent one is never pending again', () => {
  const db = openDatabase(join(dir, 'w.sqlite'));
  const store = new WatchStore(db);
  store.add(watchInput('i1', 'vm'), 0);
  store.claimReply('i1', 'ended', msg('bye'), 0);
  const [m] = store.pendingMessages(0);
  store.markRetry(m!.id, 30_000, 'rate_limited');
  expect(store.pendingMessages(29_999)).toEqual([]);
  expect(store.pendingMessages(30_000)).toHaveLength(1);
  store.markSent(m!.id, 'thread', 30_000);
  expect(store.pendingMessages(99_999)).toEqual([]);
  expect(store.messagesFor('i1')).toEqual([{ kind: 'ended', state: 'sent', via: 'thread', attempts: 2 }]);
  db.close();
});

test('migration 101 keeps an existing outbox and allows the not_started reply kind', () => {
  const path = join(dir, 'old.sqlite');
  const { MIGRATIONS } = require('../../src/store/schema') as typeof import('../../src/store/schema');
  let db = openDatabase(path, MIGRATIONS.filter((m) => m.version <= 100));
  let store = new WatchStore(db);
  store.add(watchInput('i1', 'container'), 1000);
  expect(store.claimReply('i1', 'slow', msg('slow'), 1000)).toBe(true);
  expect(() => store.claimReply('i1', 'not_started', msg('before'), 1000)).toThrow(/CHECK constraint/);
  db.close();
  db = openDatabase(path);
  store = new WatchStore(db);
  expect(store.pendingMessages(2000).map((m) => [m.kind, m.message.text])).toEqual([['slow', 'slow']]);
  expect(store.get('i1')).toMatchObject({ notStartedSince: null, startNotified: false });
  expect(store.apply('i1', { notStartedSince: 3000, startNotified: true, replies: [{ kind: 'not_started', message: msg('diag') }] }, 3000)).toEqual(['not_started']);
  expect(store.apply('i1', { notStartedSince: 9000 }, 9000)).toEqual([]);
  expect(store.get('i1')).toMatchObject({ notStartedSince: 3000, startNotified: true });
  expect(store.claimReply('i1', 'slow', msg('again'), 4000)).toBe(false);
  db.close();
});
