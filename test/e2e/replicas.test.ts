/**
 * Issue 13 §3, end to end: two gpu-bot processes in HTTP mode on one PostgreSQL, Slack requests
 * alternating between them (as the proxy in docker-compose.yml spreads them). Exactly one replica
 * leads; an approval requested on one is decided on the other; one modal submitted to both at once
 * deploys once; a lease reminder goes out once with both running; the leader killed with SIGKILL
 * while an instance provisions: the other takes over and posts exactly one ready reply.
 */
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids';
import pg from 'pg';
import type { AckResult, SlackUser, StoredMessage } from '../../src/standin';
import { MIGRATIONS } from '../../src/store/schema';
import { ADMIN, DEPLOYER, INTERVAL_MS, PROVISIONING_MS, startReplicaFleet, type Replica, type ReplicaFleet } from '../support/replica-fleet';
import { submitDeployModal, textOf } from './guardrails-kit';

jest.setTimeout(120_000);

let fleet: ReplicaFleet;
/** The replica holding leadership when the run started, and the other one. */
let leader: Replica;
let follower: Replica;

beforeAll(async () => {
  fleet = await startReplicaFleet();
  leader = await fleet.leader();
  follower = fleet.replicas.find((r) => r !== leader)!;
}, 150_000);
afterAll(async () => {
  await fleet?.stop();
});

/** Fluence POSTs so far (deploys: the simulator keeps no bodies, so tests compare counts before and after). */
const postCount = () => fleet.sim.control.requests.filter((r) => r.method === 'POST').length;
const instancesNamed = (name: string) => fleet.sim.control.instances().filter((i) => i.name === name);
const channel = () => fleet.standin.messages('C_GENERAL');
const matching = (re: RegExp) => channel().filter((m) => re.test(textOf(m)));
/** Waits for a channel message matching `re` (the failure shows both replicas' logs). */
const message = (re: RegExp, timeoutMs = 20_000): Promise<StoredMessage> =>
  fleet.standin
    .waitFor(() => [...channel()].reverse().find((m) => re.test(textOf(m))), timeoutMs)
    .catch((err) => {
      throw new Error(`${String(err).slice(0, 2000)}\n${fleet.output()}`);
    });
/** Lets both replicas run a few more cycles (what must not happen twice has time to). */
const cycles = (n: number) => new Promise((r) => setTimeout(r, n * INTERVAL_MS));

/** Opens the deploy modal with `/gpu deploy container` sent to `user`'s replica. */
async function openDeployModal(user: SlackUser): Promise<any> {
  const seen = new Set(fleet.standin.views().keys());
  expect((await user.command('deploy container')).status).toBe(200);
  return fleet.standin.waitFor(
    () => [...fleet.standin.views().values()].find((v) => !seen.has(v.id) && v.callback_id === VIEW.deploy && (v.blocks ?? []).some((b: any) => b.block_id === BLOCK.name)),
    20_000,
  );
}

/** The text of the response_url answer to a command. */
async function answer(ack: AckResult): Promise<string> {
  if (ack.body && typeof ack.body === 'object' && ack.body.text) return textOf(ack.body);
  const id = decodeURIComponent(ack.responseUrl!.slice(ack.responseUrl!.lastIndexOf('/') + 1));
  return textOf(await fleet.standin.waitFor(() => fleet.standin.responses.find((r) => r.id === id)?.body, 20_000));
}

/** Rows of one query on the replicas' database (what the fleet has recorded). */
async function sqlRows(text: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: fleet.db.url });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

test('one leader of two, migrations applied once although both started at once', async () => {
  expect(await leader.leader()).toBe(1);
  expect(await follower.leader()).toBe(0);
  const rows = await sqlRows('SELECT count(*)::int AS n, count(DISTINCT version)::int AS distinct FROM schema_migrations');
  expect(rows).toEqual([{ n: MIGRATIONS.length, distinct: MIGRATIONS.length }]);
});

test('a grant made through one replica holds on the other', async () => {
  expect(await answer(await follower.user(ADMIN).command(`access grant <@${DEPLOYER}> deployer`))).toMatch(/deployer/);
  expect(await answer(await leader.user(DEPLOYER).command('access'))).toMatch(/deployer/);
});

test('an approval requested on one replica is decided on the other: one deploy, the request closed', async () => {
  const form = await openDeployModal(leader.user(DEPLOYER));
  const before = postCount();
  expect((await submitDeployModal(leader.user(DEPLOYER), form, { planId: PLAN_H100_1X, name: 'approved-across' })).status).toBe(200);
  const request = await message(/wants to deploy.*approved-across/s);
  expect(postCount()).toBe(before);

  expect((await follower.user(ADMIN).clickButton(request, ACTION.approve)).status).toBe(200);
  await message(/Deployed `approved-across`/);
  const closed = await fleet.standin.waitFor(() => channel().find((m) => m.ts === request.ts && !JSON.stringify(m.blocks ?? []).includes(ACTION.approve)), 20_000);
  expect(textOf(closed)).toMatch(/approved-across/);
  await cycles(2);
  expect(postCount()).toBe(before + 1);
  expect(instancesNamed('approved-across')).toHaveLength(1);
});

test('one modal submitted to both replicas at once: one Fluence POST, one instance', async () => {
  const user = leader.user(ADMIN);
  const form = await openDeployModal(user);
  const before = postCount();
  const acks = await Promise.all([
    submitDeployModal(leader.user(ADMIN), form, { planId: PLAN_RTX4090_1X, name: 'double-submit' }),
    submitDeployModal(follower.user(ADMIN), form, { planId: PLAN_RTX4090_1X, name: 'double-submit' }),
  ]);
  expect(acks.map((a) => a.status)).toEqual([200, 200]);
  await message(/double-submit.* is being deployed/);
  await cycles(3);
  expect(postCount()).toBe(before + 1);
  expect(instancesNamed('double-submit')).toHaveLength(1);
  expect(matching(/double-submit.* is being deployed/)).toHaveLength(1);
});

test('a lease reminder goes out exactly once with both replicas running', async () => {
  // the deploy above has the default 8 h lease; LEASE_REMINDER_MIN=9h makes it due at once
  await message(/The lease of .*double-submit.* ends in/, 30_000);
  await cycles(4); // both replicas ran their lease job (only the leader's may act) several times
  expect(matching(/The lease of .*double-submit.* ends in/)).toHaveLength(1);
  expect(await leader.leader()).toBe(1);
  expect(await follower.leader()).toBe(0);
});

test('the leader killed with SIGKILL while an instance provisions: the other takes over, exactly one ready reply', async () => {
  const form = await openDeployModal(leader.user(ADMIN));
  const before = postCount();
  expect((await submitDeployModal(leader.user(ADMIN), form, { planId: PLAN_RTX4090_1X, name: 'survivor' })).status).toBe(200);
  const parent = await message(/survivor.* is being deployed/);
  // still provisioning when the leader dies (the simulator needs PROVISIONING_MS to ACTIVE)
  const [instance] = instancesNamed('survivor');
  expect(Date.now() - instance!.createdAt).toBeLessThan(PROVISIONING_MS - 2_000);
  expect(matching(/`survivor` is ready/)).toHaveLength(0);
  // the deploy is fully recorded (its watch is written just after the announcement)
  await fleet.standin.waitFor(async () => (await sqlRows(`SELECT 1 FROM watches WHERE instance_id = '${instance!.id}'`)).length > 0, 20_000);

  leader.process.child.kill('SIGKILL');
  await leader.process.exited;
  // the survivor leads within one interval of its own (PostgreSQL freed the lock with the session)
  expect(await fleet.leader(10 * INTERVAL_MS)).toBe(follower);

  const ready = await message(/`survivor` is ready/, 60_000);
  expect(ready.thread_ts).toBe(parent.ts);
  await cycles(4);
  expect(matching(/`survivor` is ready/)).toHaveLength(1);
  expect(postCount()).toBe(before + 1);
  expect(instancesNamed('survivor')).toHaveLength(1);
});
