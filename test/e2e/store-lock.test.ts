/**
 * Issue 10 §4: a write lock held on the bot's SQLite file by another connection (reproduced with
 * `BEGIN IMMEDIATE` from a second connection) froze acks and /healthz: every write waited up to
 * 5 s synchronously, blocking the event loop. Now a write that meets the lock waits it out
 * asynchronously: the bot keeps answering, and the command completes once the lock is released.
 */
import Database from 'better-sqlite3';
import { startTestBot, type TestBot } from '../support/bot-harness';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.stop();
});

test('while another connection holds the write lock, /healthz and other acks answer, and `/gpu watch` completes after the release', async () => {
  const [id] = t.sim.control.seedInstances(1, 'vm', { status: 'INITIALIZED', namePrefix: 'locked' });
  const holder = new Database(t.dbPath);
  try {
    holder.exec('BEGIN IMMEDIATE');
    expect((await t.user.command('watch locked-0')).status).toBe(200);
    // the command's first write has met the lock and is waiting without blocking
    await t.standin.waitFor(() => t.logs.some((l) => l.includes('the database is locked by another connection')), 8000);

    const [health, otherAck] = await Promise.all([fetch(`http://127.0.0.1:${t.bot.port}/healthz`), t.user.withUser('U_BOB').command('help')]);
    expect(health.status).toBe(200);
    expect(otherAck.status).toBe(200);
    expect((await t.bot.context.store.watches.get(id!))).toBeUndefined(); // still waiting for the lock

    holder.exec('COMMIT');
  } finally {
    if (holder.inTransaction) holder.exec('ROLLBACK');
    holder.close();
  }
  const watch = await t.standin.waitFor(async () => (await t.bot.context.store.watches.get(id!)), 8000);
  expect(watch.state).toBe('watching');
  const status = t.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && String(m.text).includes('locked-0'));
  expect(status).toHaveLength(1);
  expect(t.logs.some((l) => l.includes('could not record'))).toBe(false);
}, 20_000);
