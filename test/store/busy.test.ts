/**
 * Issue 10 §4: a write lock held by another connection (a backup, an operator's sqlite3 shell, a
 * second process) must not freeze the bot. better-sqlite3 is synchronous, so SQLite's busy
 * timeout blocks the event loop: it is now a few ms, and writes that must land wait the lock out
 * with `withBusyRetry`, asynchronously. Reproduced before: `BEGIN IMMEDIATE` elsewhere froze
 * acks and /healthz for 5 s per write.
 */
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, isBusyError, withBusyRetry } from '../../src/store/db';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => {
  t = tempStores();
});
afterEach(async () => t.cleanup());

const meta = { channelId: 'C1', userId: 'U1', type: 'vm' as const, planId: 'p1', name: 'box', pricePerHour: 1 };

test('an open store blocks on a held lock for a few ms at most, then reports SQLITE_BUSY', async () => {
  const store = await t.open();
  expect(store.db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
  expect(BUSY_TIMEOUT_MS).toBeLessThanOrEqual(100);
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  let caught: unknown;
  try {
    store.deployRequests.begin('k1', meta);
  } catch (err) {
    caught = err;
  }
  expect(isBusyError(caught)).toBe(true);
  holder.exec('ROLLBACK');
  holder.close();
});

test('withBusyRetry waits for the lock between attempts without blocking, then the write lands once', async () => {
  const store = await t.open();
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  const waits: number[] = [];
  const claim = await withBusyRetry(() => store.deployRequests.begin('k2', meta), {
    // the holder lets go during the third wait
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length === 3) holder.exec('COMMIT');
    },
  });
  expect(claim.started).toBe(true);
  expect(waits).toEqual([10, 20, 40]);
  expect(store.deployRequests.get('k2')).toMatchObject({ userId: 'U1', attempts: 1 });
  holder.close();
});

test('withBusyRetry gives up at its deadline with the busy error, and rethrows anything else at once', async () => {
  let clock = 0;
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  let calls = 0;
  await expect(
    withBusyRetry(
      () => {
        calls += 1;
        throw busy;
      },
      { deadlineMs: 1000, now: () => clock, sleep: async (ms) => void (clock += ms) },
    ),
  ).rejects.toBe(busy);
  expect(calls).toBeGreaterThan(3);
  expect(clock).toBeLessThanOrEqual(1000);

  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  let fullCalls = 0;
  await expect(withBusyRetry(() => { fullCalls += 1; throw full; }, { sleep: async () => {} })).rejects.toBe(full);
  expect(fullCalls).toBe(1);
});
