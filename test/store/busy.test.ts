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
  expect(store.db!.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
  expect(BUSY_TIMEOUT_MS).toBeLessThanOrEqual(100);
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  const started = Date.now();
  let caught: unknown;
  try {
    store.db!.prepare(`INSERT INTO command_deliveries (key, at) VALUES ('k', 1)`).run(); // one synchronous statement
  } catch (err) {
    caught = err;
  }
  expect(isBusyError(caught)).toBe(true);
  expect(Date.now() - started).toBeLessThan(1000);
  holder.exec('ROLLBACK');
  holder.close();
});

test('a claim (a transaction) waits out a lock another connection holds without blocking the event loop, then lands once', async () => {
  const store = await t.open();
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  let landed = false;
  const done = store.deployRequests.begin('k2', meta).then(() => (landed = true));
  let ticks = 0;
  const ticker = setInterval(() => (ticks += 1), 5);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // the event loop ran while the write waited (a blocking wait would not let the ticker run)
  expect({ landed, ticked: ticks > 0 }).toEqual({ landed: false, ticked: true });
  holder.exec('COMMIT');
  holder.close();
  await done;
  clearInterval(ticker);
  expect(landed).toBe(true);
  expect(await store.deployRequests.get('k2')).toMatchObject({ userId: 'U1', attempts: 1 });
});

test('withBusyRetry waits a single statement out without blocking, then it lands once', async () => {
  const store = await t.open();
  const holder = new Database(t.path);
  holder.exec('BEGIN IMMEDIATE');
  const waits: number[] = [];
  await withBusyRetry(() => store.deployModals.issue('k3', { userId: 'U1', channelId: 'C1' }), {
    // the holder lets go during the third wait
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length === 3) holder.exec('COMMIT');
    },
  });
  expect(waits).toEqual([10, 20, 40]);
  expect(await store.deployModals.get('k3')).toMatchObject({ userId: 'U1' });
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
