/**
 * Work claims (store/work-claims.ts) on SQLite and on a real PostgreSQL: the guards that used to
 * live in one process's memory. Two processes on one database are two engines on one location.
 */
import { describeOnEachEngine } from '../support/engines';

describeOnEachEngine('work claims', (r) => {
  /** A replica: its own connection (pool) on the shared database. */
  const replica = async () => (await r.another()).workClaims;

  test('of many claimants at once, across two processes, exactly one wins; the others see it running', async () => {
    const [a, b] = [await replica(), await replica()];
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claim('terminate:i-1', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await a.state('terminate:i-1')).toBe('running');
    expect(await b.state('terminate:i-1')).toBe('running');
    // another key is independent
    expect(await b.claim('terminate:i-2', 60_000)).toBeDefined();
  });

  test('a released claim frees the key; release and finish need the holder\'s token', async () => {
    const [a, b] = [await replica(), await replica()];
    const mine = (await a.claim('k', 60_000))!;
    expect(await b.release({ key: 'k', token: 'someone-else' })).toBe(false);
    expect(await b.finish({ key: 'k', token: 'someone-else' }, 60_000)).toBe(false);
    expect(await b.claim('k', 60_000)).toBeUndefined();
    expect(await a.release(mine)).toBe(true);
    expect(await a.state('k')).toBeUndefined();
    expect(await b.claim('k', 60_000)).toBeDefined();
  });

  test("a crashed holder's claim expires by itself and is taken over once; the old holder can no longer free it", async () => {
    const [a, b] = [await replica(), await replica()];
    const dead = (await a.claim('k', 60_000))!;
    r.clock.t += 59_999;
    expect(await b.claim('k', 60_000)).toBeUndefined();
    r.clock.t += 1;
    expect(await a.state('k')).toBeUndefined();
    const takers = await Promise.all([b.claim('k', 60_000), b.claim('k', 60_000), a.claim('k', 60_000)]);
    expect(takers.filter(Boolean)).toHaveLength(1);
    // the slow old holder wakes up: its release must not free the new holder's claim
    expect(await a.release(dead)).toBe(false);
    expect(await a.finish(dead, 60_000)).toBe(false);
    expect(await b.state('k')).toBe('running');
  });

  test('finished work stays claimed as done for its keep time, then the key is free', async () => {
    const a = await replica();
    const c = (await a.claim('change:form-1', 60_000))!;
    expect(await a.finish(c, 3_600_000)).toBe(true);
    r.clock.t += 60_000;
    expect(await a.state('change:form-1')).toBe('done');
    expect(await a.claim('change:form-1', 60_000)).toBeUndefined();
    r.clock.t += 3_600_000;
    expect(await a.claim('change:form-1', 60_000)).toBeDefined();
  });

  test('running() lists the running keys under a prefix exactly (not done, not expired, not another prefix)', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.claim('deploy:r1', 60_000);
    await b.claim('deploy:r2', 10_000);
    await a.finish((await a.claim('deploy:r3', 60_000))!, 60_000);
    await a.claim('DEPLOY:r4', 60_000);
    await a.claim('deployx:r5', 60_000);
    expect([...(await b.running('deploy:'))].sort()).toEqual([['r1', r.clock.t + 60_000], ['r2', r.clock.t + 10_000]]);
    r.clock.t += 10_000;
    expect([...(await b.running('deploy:')).keys()]).toEqual(['r1']);
  });

  test('prune deletes only expired claims', async () => {
    const a = await replica();
    await a.claim('old', 1_000);
    await a.claim('live', 60_000);
    r.clock.t += 1_000;
    expect(await a.prune()).toBe(1);
    expect(await a.state('live')).toBe('running');
    expect(await a.claim('old', 1_000)).toBeDefined();
  });
});
