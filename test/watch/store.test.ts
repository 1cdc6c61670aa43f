/** The watch repository on a real SQLite file: claims are once-only, commit with the status, and survive reopening. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxEntry } from '../../src/background/notices';
import { openDatabase } from '../../src/store/db';
import { OutboxStore } from '../../src/store/outbox';
import { watchNoticeKey, WatchStore, type ReplyKind } from '../../src/store/watches';
import { watchInput } from './fakes';

const to = { teamId: 'T1', channelId: 'C1', messageTs: '1.1', requesterId: 'U1' };
const reply = (id: string, kind: ReplyKind, name = 'box'): OutboxEntry => ({
  key: watchNoticeKey(id, kind),
  notice: { kind: 'watch.ended', to, instanceId: id, name, type: 'vm', requesterId: 'U1' },
});
const status = (id: string, s: string): OutboxEntry => ({
  key: watchNoticeKey(id, 'status'),
  replace: true,
  notice: { kind: 'watch.status', to, instanceId: id, name: 'box', type: 'vm', requesterId: 'U1', planLabel: 'p', pricePerHour: 1, status: s, updatedAt: 0 },
});
const pending = async (outbox: OutboxStore, now: number) =>
  (await outbox.claim(now, { token: `t${now}`, claimMs: 1, limit: 100 })).map((n) => [n.key.split(':')[2], (n.notice as { name?: string }).name]);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-bot-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a reply kind is claimed once per instance, even across reopening the file', async () => {
  const path = join(dir, 'w.sqlite');
  let db = openDatabase(path);
  let store = new WatchStore(db);
  store.add(watchInput('i1', 'vm'), 1000);
  expect(store.apply('i1', { notices: [reply('i1', 'ready', 'first')] }, 1000)).toEqual(['ready']);
  expect(store.apply('i1', { notices: [reply('i1', 'ready', 'second')] }, 2000)).toEqual([]);
  expect(store.apply('i1', { notices: [reply('i1', 'ready', 'third'), reply('i1', 'slow', 'slow')] }, 3000)).toEqual(['slow']);
  db.close();
  db = openDatabase(path);
  store = new WatchStore(db);
  expect(store.apply('i1', { notices: [reply('i1', 'ready', 'fourth')] }, 4000)).toEqual([]);
  expect(await pending(new OutboxStore(db), 5000)).toEqual([
    ['ready', 'first'],
    ['slow', 'slow'],
  ]);
  db.close();
});

test('status, finish and claimed notices commit together or not at all', async () => {
  const db = openDatabase(join(dir, 'w.sqlite'));
  const store = new WatchStore(db);
  store.add(watchInput('i1', 'vm'), 1000);
  // a notice the outbox rejects (no key) makes the whole change roll back
  expect(() => store.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [{ ...reply('i1', 'ready'), key: null as unknown as string }] }, 2000)).toThrow();
  expect(store.get('i1')).toMatchObject({ lastStatus: 'INITIALIZED', state: 'watching' });
  expect(store.messagesFor('i1')).toEqual([]);
  store.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [status('i1', 'ACTIVE'), reply('i1', 'ready')] }, 2000);
  expect(store.get('i1')).toMatchObject({ lastStatus: 'ACTIVE', state: 'done', outcome: 'ready' });
  expect(store.listWatching()).toEqual([]);
  expect(store.messagesFor('i1').map((m) => [m.kind, m.state])).toEqual([['status', 'pending'], ['ready', 'pending']]);
  expect(store.countPending()).toBe(2);
  db.close();
});

test('a newer status replaces the older edit in its row, sent or not', async () => {
  const db = openDatabase(join(dir, 'w.sqlite'));
  const store = new WatchStore(db);
  const outbox = new OutboxStore(db);
  store.add(watchInput('i1', 'vm'), 0);
  store.apply('i1', { status: 'INITIALIZED', notices: [status('i1', 'INITIALIZED')] }, 0);
  const [c] = await outbox.claim(0, { token: 'a', claimMs: 1000, limit: 1 });
  await outbox.markSent(c!.id, 'a', { via: 'update' }, 0);
  store.apply('i1', { status: 'ACTIVE', notices: [status('i1', 'ACTIVE')] }, 1);
  const [again] = await outbox.claim(1, { token: 'b', claimMs: 1000, limit: 5 });
  expect(again).toMatchObject({ id: c!.id, notice: { status: 'ACTIVE' }, attempts: 0 });
  db.close();
});

test('migration 601 moves the old watch outbox: pending rows are still delivered as stored, claimed kinds stay claimed', async () => {
  const path = join(dir, 'old.sqlite');
  const { MIGRATIONS } = require('../../src/store/schema') as typeof import('../../src/store/schema');
  let db = openDatabase(path, MIGRATIONS.filter((m) => m.version < 600));
  let store = new WatchStore(db);
  store.add(watchInput('i1', 'container'), 1000);
  const put = db.prepare(`INSERT INTO watch_outbox (instance_id, kind, payload, state, created_at) VALUES ('i1', ?, ?, ?, 1000)`);
  put.run('status', JSON.stringify({ text: 'old edit', blocks: [] }), 'sent');
  put.run('slow', JSON.stringify({ text: 'old slow', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'slow' } }] }), 'pending');
  db.close();
  db = openDatabase(path);
  store = new WatchStore(db);
  const outbox = new OutboxStore(db);
  expect(store.messagesFor('i1').map((m) => [m.kind, m.state])).toEqual([['status', 'sent'], ['slow', 'pending']]);
  const [slow] = await outbox.claim(2000, { token: 't', claimMs: 1000, limit: 10 });
  expect(slow!.notice).toEqual({
    kind: 'watch.legacy',
    to: { teamId: 'T1', channelId: 'C1', messageTs: expect.any(String), requesterId: 'U1' },
    instanceId: 'i1',
    op: 'reply',
    message: { text: 'old slow', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'slow' } }] },
  });
  expect(store.apply('i1', { notices: [reply('i1', 'slow')] }, 3000)).toEqual([]);
  expect(store.apply('i1', { notStartedSince: 3000, startNotified: true, notices: [reply('i1', 'not_started')] }, 3000)).toEqual(['not_started']);
  expect(store.get('i1')).toMatchObject({ notStartedSince: 3000, startNotified: true });
  expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'watch_outbox'`).get()).toBeUndefined();
  db.close();
});
