/**
 * The watch repository on SQLite and on PostgreSQL: a watch is added once, a reply kind is claimed
 * once even when two replicas decide it at the same moment, and the status, finish and claim commit
 * together (a failing outbox leaves none of them).
 */
import type { OutboxEntry } from '../../src/background/notices';
import { watchNoticeKey, type ReplyKind } from '../../src/store/watches';
import { ENGINE_KINDS } from '../support/engines';
import { bgDatabase, type BgDatabase } from '../support/bg-repos';
import { watchInput } from '../watch/fakes';

const to = { teamId: 'T1', channelId: 'C1', messageTs: '1.1', requesterId: 'U1' };
const reply = (id: string, kind: ReplyKind, name = 'box'): OutboxEntry => ({
  key: watchNoticeKey(id, kind),
  notice: { kind: 'watch.ended', to, instanceId: id, name, type: 'vm', requesterId: 'U1' },
});

describe.each(ENGINE_KINDS)('watches on %s', (kind) => {
  let db: BgDatabase;
  beforeEach(async () => {
    db = await bgDatabase(kind, () => 0);
  }, 130_000);
  afterEach(() => db.cleanup());

  test('added once; two replicas deciding the same reply at once claim it once; the counts follow', async () => {
    const [a, b] = await Promise.all([db.open(), db.open()]);
    const [first, second] = await Promise.all([a.watches.add(watchInput('i1', 'vm'), 1000), b.watches.add({ ...watchInput('i1', 'vm'), name: 'other' }, 1001)]);
    expect(second).toEqual(first);
    expect(await a.watches.listWatching()).toEqual([first]);
    const claimed = await Promise.all([
      a.watches.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [reply('i1', 'ready', 'from A')] }, 2000),
      b.watches.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [reply('i1', 'ready', 'from B')] }, 2000),
    ]);
    expect(claimed.flat()).toEqual(['ready']);
    expect(await b.watches.messagesFor('i1')).toEqual([{ kind: 'ready', state: 'pending', via: null, attempts: 0 }]);
    expect(await a.watches.get('i1')).toMatchObject({ state: 'done', outcome: 'ready', lastStatus: 'ACTIVE', pricePerHour: 2.96, slowNotified: false });
    expect(await a.watches.countWatching()).toBe(0);
    expect(await a.watches.countByState()).toEqual({ ready: 1 });
    expect(await a.watches.countPending()).toBe(1);
  });

  test('status, finish and the claim commit together or not at all', async () => {
    const a = await db.open();
    await a.watches.add(watchInput('i1', 'vm'), 1000);
    jest.spyOn(a.outbox, 'enqueueIn').mockRejectedValueOnce(new Error('the outbox refused'));
    await expect(a.watches.apply('i1', { status: 'ACTIVE', finish: 'ready', notices: [reply('i1', 'ready')] }, 2000)).rejects.toThrow('the outbox refused');
    expect(await a.watches.get('i1')).toMatchObject({ lastStatus: 'INITIALIZED', state: 'watching', outcome: null });
    expect(await a.watches.apply('i1', { status: 'ACTIVE', slowNotified: true, notices: [reply('i1', 'slow')] }, 3000)).toEqual(['slow']);
    expect(await a.watches.get('i1')).toMatchObject({ lastStatus: 'ACTIVE', slowNotified: true, lastSeenAt: null });
  });
});
