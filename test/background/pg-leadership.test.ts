/**
 * Leadership on a real PostgreSQL (issue 13 §2): of two replicas exactly one leads; when the leader's
 * connection dies (a killed process: PostgreSQL ends its session) it stops leading at once and the
 * other leads at its next check; a shutdown hands over the same way. The leader gauge follows.
 */
import pg from 'pg';
import { PgLeadership } from '../../src/background/pg-leadership';
import { Metrics, observedLeadership } from '../../src/metrics';
import { captureLogger } from '../watch/fakes';
import { createTestDatabase, type TestDatabase } from '../support/pg';
import { sampleValue } from '../support/prometheus';

let db: TestDatabase;
const made: PgLeadership[] = [];
const { logger, lines: records } = captureLogger();
/** The log lines so far, as text. */
const logText = () => records.map((r) => JSON.stringify(r));
const leadership = (o: { url?: string; timeoutMs?: number } = {}) => {
  const l = new PgLeadership({ url: o.url ?? db.url, logger, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  made.push(l);
  return l;
};

/** Runs one statement on a connection of its own (the test's view of the server). */
async function admin<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** Ends the leadership session of the replica holding the lock, as PostgreSQL does when its process is killed. */
async function killLeaderSession(): Promise<void> {
  const rows = await admin<{ ok: boolean }>(
    `SELECT pg_terminate_backend(a.pid) AS ok FROM pg_stat_activity a WHERE a.datname = current_database()
       AND a.application_name = 'gpu-bot leadership' AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)`,
  );
  expect(rows).toEqual([{ ok: true }]);
}

beforeAll(async () => {
  db = await createTestDatabase();
}, 130_000);
afterEach(async () => {
  for (const l of made.splice(0)) await l.release();
});
afterAll(async () => {
  await db?.drop();
});

test('two replicas: exactly one leads, and keeps leading check after check', async () => {
  const a = leadership();
  const b = leadership();
  const first = await Promise.all([a.isLeader(), b.isLeader()]);
  expect(first.filter(Boolean)).toHaveLength(1);
  for (let i = 0; i < 3; i++) expect(await Promise.all([a.isLeader(), b.isLeader()])).toEqual(first);
  // many jobs asking at once get one answer
  expect(new Set(await Promise.all([a.isLeader(), a.isLeader(), a.isLeader()]))).toEqual(new Set([first[0]]));
});

test("the leader's session dies (PostgreSQL ends it, as for a killed process): the waiting replica leads at its next check, the old one does not lead on", async () => {
  const a = leadership();
  const b = leadership();
  expect(await a.isLeader()).toBe(true);
  expect(await b.isLeader()).toBe(false);
  await killLeaderSession();
  // b asks first after the cut: it must get the lock PostgreSQL released with the session
  expect(await b.isLeader()).toBe(true);
  expect(await a.isLeader()).toBe(false);
  expect(await a.isLeader()).toBe(false);
  expect(logText().some((l) => /leadership lost/.test(l))).toBe(true);
});

test('shutdown hands over: release() frees the lock for the next check of another replica', async () => {
  const a = leadership();
  const b = leadership();
  expect(await a.isLeader()).toBe(true);
  await a.release();
  expect(await a.isLeader()).toBe(false);
  expect(await b.isLeader()).toBe(true);
});

test('no database: not the leader, no exception, one warning without the password', async () => {
  const url = new URL(db.url);
  url.port = '1'; // nothing listens there
  url.password = 's3cret-password';
  const l = leadership({ url: url.toString(), timeoutMs: 2_000 });
  const before = records.length;
  expect(await l.isLeader()).toBe(false);
  expect(await l.isLeader()).toBe(false);
  const warned = logText().slice(before).filter((x) => /leadership check failed/.test(x));
  expect(warned).toHaveLength(1);
  expect(warned[0]).not.toContain('s3cret-password');
});

test('the leader gauge: 1 on the leader, 0 on the other, 0 after the leader is killed', async () => {
  const ma = new Metrics();
  const mb = new Metrics();
  const a = observedLeadership(leadership(), ma);
  const b = observedLeadership(leadership(), mb);
  expect(await a.isLeader()).toBe(true);
  expect(await b.isLeader()).toBe(false);
  expect([sampleValue((await ma.render()).body, 'gpu_bot_leader'), sampleValue((await mb.render()).body, 'gpu_bot_leader')]).toEqual([1, 0]);
  await killLeaderSession();
  expect(await b.isLeader()).toBe(true);
  expect(await a.isLeader()).toBe(false);
  expect([sampleValue((await ma.render()).body, 'gpu_bot_leader'), sampleValue((await mb.render()).body, 'gpu_bot_leader')]).toEqual([0, 1]);
});
