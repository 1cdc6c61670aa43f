/**
 * Issue 10 §4: the watcher when its store cannot be written. Reproduced before: SQLITE_FULL on
 * markSent gave identical messages on every cycle (the send happened, the mark did not, so the
 * next cycle sent it again) and a retry every cycle forever. Now what Slack accepted is
 * remembered in memory, and the watcher backs off (0, 1, 3, 7 … cycles) until the store takes
 * writes again, then records the marks without posting anything twice.
 */
import Database from 'better-sqlite3';
import { DatabaseError } from 'pg';
import { CONNECTIONS, FakeFluence, harness, watchInput, type Harness } from './fakes';

let h: Harness;
let fluence: FakeFluence;
beforeEach(async () => {
  fluence = new FakeFluence();
  h = await harness(fluence);
});
afterEach(async () => {
  await h.close();
});

/** The store refusing the way PostgreSQL reports it (pg's DatabaseError: a SQLSTATE and a severity). */
function pgError(message: string, code: string, severity: string): Error {
  return Object.assign(new DatabaseError(message, 0, 'error'), { code, severity });
}

/** The disk is full: every markSent fails the way better-sqlite3 reports it (or with `error`). */
function diskFullOnMarkSent(error: () => Error = () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL')): { attempts: () => number; heal: () => void } {
  const real = h.outbox.markSent.bind(h.outbox);
  let attempts = 0;
  let full = true;
  h.outbox.markSent = async (...args: Parameters<typeof real>) => {
    attempts += 1;
    if (full) throw error();
    return real(...args);
  };
  return { attempts: () => attempts, heal: () => void (full = false) };
}

async function cycles(n: number) {
  const reports = [];
  for (let i = 0; i < n; i++) {
    h.clock.advance(15_000);
    reports.push(await h.watcher.runCycle());
  }
  return reports;
}

test.each([
  ['SQLITE_FULL', () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL')],
  ['PostgreSQL disk full (53100)', () => pgError('could not extend file: No space left on device', '53100', 'ERROR')],
  ['PostgreSQL server shutting down (57P01)', () => pgError('terminating connection due to administrator command', '57P01', 'FATAL')],
  ['PostgreSQL connection lost', () => new Error('Connection terminated unexpectedly')],
])('%s on markSent: one ready reply and one status edit, backing off, recorded once the store takes writes', async (_what, error) => {
  fluence.put({ type: 'vm', id: 'v1', name: 'box', status: 'ACTIVE', connection: CONNECTIONS.vm });
  await h.watcher.watch(watchInput('v1', 'vm', { name: 'box' }));
  const disk = diskFullOnMarkSent(error);

  const during = await cycles(12);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(h.notifier.replies()[0]!.message.text).toMatch(/ready/);
  expect(h.notifier.sent.filter((s) => s.method === 'updateStatus')).toHaveLength(1);
  // backing off: most cycles do not even try the store; the error is logged once, not per cycle
  expect(during.filter((r) => r.storeBackedOff).length).toBeGreaterThanOrEqual(6);
  expect(disk.attempts()).toBeLessThanOrEqual(5);
  expect(h.logs.filter((l) => /store cannot be written/.test(String(l.msg)))).toHaveLength(1);
  expect((await h.store.messagesFor('v1')).every((m) => m.state === 'pending')).toBe(true);

  disk.heal();
  await cycles(16); // past the longest skip
  expect((await h.store.messagesFor('v1')).map((m) => m.state)).toEqual(['sent', 'sent']);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(h.notifier.sent.filter((s) => s.method === 'updateStatus')).toHaveLength(1);
  expect(h.logs.some((l) => /takes writes again/.test(String(l.msg)))).toBe(true);
  // and afterwards nothing is retried any more
  const attemptsAfter = h.notifier.attempts;
  await cycles(3);
  expect(h.notifier.attempts).toBe(attemptsAfter);
});

test('a newer status edit in the same outbox row is still sent while an older one waits to be recorded', async () => {
  fluence.put({ type: 'vm', id: 'v2', name: 'slow', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('v2', 'vm', { name: 'slow', status: null }));
  const disk = diskFullOnMarkSent();
  await cycles(1); // INITIALIZED edit sent, mark refused
  fluence.set('v2', { status: 'ACTIVE', connection: null });
  await cycles(8);
  const edits = h.notifier.sent.filter((s) => s.method === 'updateStatus').map((s) => s.message.text);
  expect(edits).toHaveLength(2);
  expect(edits[1]).toMatch(/ACTIVE/);
  disk.heal();
  await cycles(16);
  expect((await h.store.messagesFor('v2'))).toEqual([expect.objectContaining({ kind: 'status', state: 'sent' })]);
  expect(h.notifier.sent.filter((s) => s.method === 'updateStatus')).toHaveLength(2);
});
