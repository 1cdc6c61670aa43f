/** The watch repository on a real SQLite file: claims are once-only, commit with the status, and survive reopening. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxEntry } from '../../src/background/notices';
import { openStore, type Store } from '../../src/store';
import type { OutboxStore } from '../../src/store/outbox';
import { watchNoticeKey, type ReplyKind } from '../../src/store/watches';
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
const toRow = (w: ReturnType<typeof watchInput>) => ({
  instanceId: w.instanceId, type: w.type, teamId: w.teamId ?? null, channelId: w.channelId, messageTs: w.messageTs,
  requesterId: w.requesterId, name: w.name, planLabel: w.planLabel, pricePerHour: w.pricePerHour, lastStatus: w.status ?? null,
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
  let db = await openStore(path);
  let store = db.watches;
  await store.add(watchInput('i1', 'vm'), 1000);
  expect(await store.apply('i1', { notices: [reply('i1', 'ready', 'first')] }, 1000)).toEqual(['ready']);
  expect(await store.apply('i1', { notices: [reply('i1', 'ready', 'second')] }, 2000)).toEqual([]);
  expect(await store.apply('i1', { notices: [reply('i1', 'ready', 'third'), reply('i1', 'slow', 'slow')] }, 3000)).toEqual(['slow']);
  await db.close();
  db = await openStore(path);
  store = db.watches;
  expect(await store.apply('i1', { notices: [reply('i1', 'ready', 'fourth')] }, 4000)).toEqual([]);
  expect(await pending(db.outbox, 5000)).toEqual([
    ['ready', 'first'],
    ['slow', 'slow'],
  ]);
  await db.close();
});

test('status, finish and claimed notices commit together or not at all', async () => {
  const db = await openStore(join(dir, 'w.sqlite'));
  const store = db.watches;
  await store.add(watchInput('i1', 'vm'), 1000);
  // the outbox fails after the watch row was updated in the same transaction: all of it rolls back
  jest.spyOn(db.outbox, 'enqueueIn').mockRejectedValueOnce(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
  await expect(store.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [reply('i1', 'ready')] }, 2000)).rejects.toThrow(/disk is full/);
  expect(await store.get('i1')).toMatchObject({ lastStatus: 'INITIALIZED', state: 'watching' });
  expect(await store.messagesFor('i1')).toEqual([]);
  await store.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [status('i1', 'ACTIVE'), reply('i1', 'ready')] }, 2000);
  expect(await store.get('i1')).toMatchObject({ lastStatus: 'ACTIVE', state: 'done', outcome: 'ready' });
  expect(await store.listWatching()).toEqual([]);
  expect((await store.messagesFor('i1')).map((m) => [m.kind, m.state])).toEqual([['status', 'pending'], ['ready', 'pending']]);
  expect(await store.countPending()).toBe(2);
  await db.close();
});

test('a newer status replaces the older edit in its row, sent or not', async () => {
  const db = await openStore(join(dir, 'w.sqlite'));
  const store = db.watches;
  const outbox = db.outbox;
  await store.add(watchInput('i1', 'vm'), 0);
  await store.apply('i1', { status: 'INITIALIZED', notices: [status('i1', 'INITIALIZED')] }, 0);
  const [c] = await outbox.claim(0, { token: 'a', claimMs: 1000, limit: 1 });
  await outbox.markSent(c!.id, 'a', { via: 'update' }, 0);
  await store.apply('i1', { status: 'ACTIVE', notices: [status('i1', 'ACTIVE')] }, 1);
  const [again] = await outbox.claim(1, { token: 'b', claimMs: 1000, limit: 5 });
  expect(again).toMatchObject({ id: c!.id, notice: { status: 'ACTIVE' }, attempts: 0 });
  await db.close();
});

test('migration 601 moves the old watch outbox: pending rows are still delivered as stored, claimed kinds stay claimed', async () => {
  const path = join(dir, 'old.sqlite');
  const { MIGRATIONS } = require('../../src/store/schema') as typeof import('../../src/store/schema');
  let db = await openStore(path, { migrations: MIGRATIONS.filter((m) => m.version < 600) });
  await db.kysely.insertInto('watches').values({ ...toRow(watchInput('i1', 'container')), createdAt: 1000, updatedAt: 1000 }).execute();
  const put = db.db!.prepare(`INSERT INTO watch_outbox (instance_id, kind, payload, state, created_at) VALUES ('i1', ?, ?, ?, 1000)`);
  put.run('status', JSON.stringify({ text: 'old edit', blocks: [] }), 'sent');
  put.run('slow', JSON.stringify({ text: 'old slow', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'slow' } }] }), 'pending');
  await db.close();
  db = await openStore(path);
  const store = db.watches;
  const outbox = db.outbox;
  expect((await store.messagesFor('i1')).map((m) => [m.kind, m.state])).toEqual([['status', 'sent'], ['slow', 'pending']]);
  const [slow] = await outbox.claim(2000, { token: 't', claimMs: 1000, limit: 10 });
  expect(slow!.notice).toEqual({
    kind: 'watch.legacy',
    to: { teamId: 'T1', channelId: 'C1', messageTs: expect.any(String), requesterId: 'U1' },
    instanceId: 'i1',
    op: 'reply',
    message: { text: 'old slow', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'slow' } }] },
  });
  expect(await store.apply('i1', { notices: [reply('i1', 'slow')] }, 3000)).toEqual([]);
  expect(await store.apply('i1', { notStartedSince: 3000, startNotified: true, notices: [reply('i1', 'not_started')] }, 3000)).toEqual(['not_started']);
  expect(await store.apply('i1', { notStartedSince: 9000 }, 9000)).toEqual([]);
  expect(await store.get('i1')).toMatchObject({ notStartedSince: 3000, startNotified: true });
  expect(db.db!.prepare(`SELECT name FROM sqlite_master WHERE name = 'watch_outbox'`).get()).toBeUndefined();
  await db.close();
});
