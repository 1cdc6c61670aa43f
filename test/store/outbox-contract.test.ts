/**
 * The outbox's exactly-once contract on SQLite AND on a real PostgreSQL (issue 13 §2, §3), with two
 * processes' connections on one database: two claimants at once never get the same notice, a claim
 * past its timeout is taken over exactly once, the stale claimant's marks are refused, and a notice
 * is claimed in the deciding transaction or not at all.
 */
import type { OutboxEntry } from '../../src/background/notices';
import { isStoreError } from '../../src/store/engine';
import { OutboxStore } from '../../src/store/outbox';
import { ENGINE_KINDS } from '../support/engines';
import { bgDatabase, type BgDatabase } from '../support/bg-repos';

const to = { teamId: 'T1', channelId: 'C1', messageTs: '1700000000.000100', requesterId: 'U1' };
const ended = (id: string): OutboxEntry => ({
  key: `watch:${id}:ended`,
  notice: { kind: 'watch.ended', to, instanceId: id, name: `box-${id}`, type: 'vm', requesterId: 'U1' },
});

describe.each(ENGINE_KINDS)('outbox on %s', (kind) => {
  const clock = { t: 1_800_000_000_000 };
  let db: BgDatabase;
  beforeEach(async () => {
    clock.t = 1_800_000_000_000;
    db = await bgDatabase(kind, () => clock.t);
  }, 130_000);
  afterEach(() => db.cleanup());

  test('two replicas claiming at once never get the same notice, and between them get every one', async () => {
    const [a, b] = await Promise.all([db.open(), db.open()]);
    const entries = Array.from({ length: 60 }, (_, i) => ended(`i${i}`));
    expect(await a.outbox.enqueue(entries, clock.t)).toHaveLength(60);
    const got = new Map<number, string[]>();
    for (let round = 0; round < 12; round++) {
      // both replicas' delivery passes at the same moment, several claims in flight on each
      const claims = await Promise.all([
        a.outbox.claim(clock.t, { token: `A:${round}:1`, claimMs: 60_000, limit: 3 }),
        b.outbox.claim(clock.t, { token: `B:${round}:1`, claimMs: 60_000, limit: 3 }),
        a.outbox.claim(clock.t, { token: `A:${round}:2`, claimMs: 60_000, limit: 3 }),
        b.outbox.claim(clock.t, { token: `B:${round}:2`, claimMs: 60_000, limit: 3 }),
      ]);
      for (const c of claims.flat()) got.set(c.id, [...(got.get(c.id) ?? []), c.token]);
    }
    const twice = [...got.entries()].filter(([, tokens]) => tokens.length > 1);
    expect(twice).toEqual([]);
    expect(got.size).toBe(60);
    // and each claimant can finish what it holds: the token it got is the one stored
    const rows = await a.engine.kysely.withTables<{ outbox: { id: number; claimToken: string | null } }>().selectFrom('outbox').select(['id', 'claimToken']).execute();
    expect(rows.every((r) => got.get(r.id)?.[0] === r.claimToken)).toBe(true);
  });

  test('a claim past its timeout is claimed again exactly once, and the old claimant can no longer mark it', async () => {
    const [a, b, c] = await Promise.all([db.open(), db.open(), db.open()]);
    await a.outbox.enqueue([ended('k')], clock.t);
    // replica A claims it and is killed before it marks anything
    const [stale] = await a.outbox.claim(clock.t, { token: 'A', claimMs: 60_000, limit: 10 });
    expect(stale).toMatchObject({ key: 'watch:k:ended', token: 'A', attempts: 0 });
    clock.t += 59_999;
    expect(await b.outbox.claim(clock.t, { token: 'B0', claimMs: 60_000, limit: 10 })).toEqual([]);
    clock.t += 1;
    // B and C both see it expired at the same moment: one of them gets it
    const [byB, byC] = await Promise.all([
      b.outbox.claim(clock.t, { token: 'B', claimMs: 60_000, limit: 10 }),
      c.outbox.claim(clock.t, { token: 'C', claimMs: 60_000, limit: 10 }),
    ]);
    const takers = [...byB, ...byC];
    expect(takers.map((x) => x.key)).toEqual(['watch:k:ended']);
    const taker = takers[0]!;
    // A wakes up late: every mark with its token is refused and changes nothing
    expect(await a.outbox.markSent(stale!.id, 'A', { via: 'thread', ts: '1.1' }, clock.t)).toBe(false);
    expect(await a.outbox.markRetry(stale!.id, 'A', 0, 'late')).toBe(false);
    expect(await a.outbox.markDropped(stale!.id, 'A', 'late')).toBe(false);
    await a.outbox.release(stale!.id, 'A');
    // still the taker's: nobody else claims it meanwhile
    expect(await a.outbox.claim(clock.t, { token: 'A2', claimMs: 60_000, limit: 10 })).toEqual([]);
    const owner = taker.token === 'B' ? b : c;
    expect(await owner.outbox.markSent(taker.id, taker.token, { via: 'thread', ts: '2.2', channel: 'C1' }, clock.t)).toBe(true);
    expect(await owner.outbox.history('watch:k:')).toEqual([{ key: 'watch:k:ended', kind: 'watch.ended', state: 'sent', via: 'thread', attempts: 1, sentTs: '2.2' }]);
    clock.t += 10 * 60_000;
    expect(await a.outbox.claim(clock.t, { token: 'A3', claimMs: 60_000, limit: 10 })).toEqual([]);
    expect(await a.outbox.backlog(clock.t)).toEqual({ pending: 0, oldestAgeSeconds: 0 });
  });

  test('a notice is claimed in the deciding transaction or not at all; a key is claimed once; a replace requeues it', async () => {
    const a = await db.open();
    await expect(
      a.engine.transaction(async (trx) => {
        expect(await a.outbox.enqueueIn(trx, [ended('r')], clock.t)).toEqual(['watch:r:ended']);
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    expect(await a.outbox.history('watch:r:')).toEqual([]);
    expect(await a.engine.transaction((trx) => a.outbox.enqueueIn(trx, [ended('r')], clock.t))).toEqual(['watch:r:ended']);
    expect(await a.outbox.enqueue([ended('r')], clock.t)).toEqual([]);
    const [c] = await a.outbox.claim(clock.t, { token: 'x', claimMs: 60_000, limit: 10 });
    expect(await a.outbox.markSent(c!.id, 'x', { via: 'thread' }, clock.t)).toBe(true);
    // a living message's edit is replaced and goes out again, with its new payload
    expect(await a.outbox.enqueue([{ ...ended('r'), replace: true, notice: { ...ended('r').notice, name: 'renamed' } as OutboxEntry['notice'] }], clock.t)).toEqual(['watch:r:ended']);
    const [again] = await a.outbox.claim(clock.t, { token: 'y', claimMs: 60_000, limit: 10 });
    expect(again).toMatchObject({ key: 'watch:r:ended', attempts: 0, notice: { name: 'renamed' } });
    clock.t += 90_000;
    expect(await a.outbox.backlog(clock.t)).toEqual({ pending: 1, oldestAgeSeconds: 90 });
  });

  test("the engine's refusals count as store errors (the watcher and delivery back off on them), a bug does not", async () => {
    const a = await db.open();
    const refused = await a.engine.kysely
      .withTables<{ outbox: { dedupeKey: string; kind: string; payload: string; state: string; createdAt: number } }>()
      .insertInto('outbox')
      .values({ dedupeKey: 'k', kind: 'watch.ended', payload: '{}', state: 'lost', createdAt: 1 })
      .execute()
      .catch((err: unknown) => err);
    expect(refused).toMatchObject({ message: expect.stringMatching(/check|constraint/i) });
    expect(isStoreError(refused)).toBe(true);
    expect(isStoreError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });
});

describe('outbox on postgres: claims skip what another replica is claiming', () => {
  const clock = { t: 1_800_000_000_000 };
  let db: BgDatabase;
  beforeEach(async () => {
    db = await bgDatabase('postgres', () => clock.t);
  }, 130_000);
  afterEach(() => db.cleanup());

  test("a replica's claim neither waits for nor takes the rows another replica's open claim holds", async () => {
    const [a, b] = await Promise.all([db.open(), db.open()]);
    await a.outbox.enqueue(Array.from({ length: 10 }, (_, i) => ended(`s${i}`)), clock.t);
    const outcome = await a.engine.kysely.transaction().execute(async (trx) => {
      // A's claim, its row locks held until this transaction ends (a replica mid-claim)
      const held = await new OutboxStore(trx, a.engine.transaction, 'postgres').claim(clock.t, { token: 'A', claimMs: 60_000, limit: 5 });
      const blocked = new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 10_000).unref());
      const theirs = await Promise.race([b.outbox.claim(clock.t, { token: 'B', claimMs: 60_000, limit: 5 }), blocked]);
      return { held, theirs };
    });
    expect(outcome.theirs).not.toBe('blocked');
    const mine = outcome.held.map((c) => c.key);
    const theirs = (outcome.theirs as Array<{ key: string }>).map((c) => c.key);
    expect(mine).toHaveLength(5);
    expect(theirs).toHaveLength(5);
    expect(mine.filter((k) => theirs.includes(k))).toEqual([]);
  }, 30_000);
});
