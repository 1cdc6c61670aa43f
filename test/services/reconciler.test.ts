/**
 * DeployReconciler against a real store file and the simulator over HTTP: which instance an unclear
 * claim may adopt (name, type, created after the attempt, nobody else's), when it gives up, and
 * that an unreadable list or a same-name deploy still running settles nothing.
 */
import { FluenceClient } from '../../src/fluence/client';
import { FluenceError } from '../../src/fluence/errors';
import { createLogger } from '../../src/log';
import { DEPLOY_IN_FLIGHT, provablyNotApplied } from '../../src/services/deploy';
import { ANNOUNCE_CLAIM_MS, DEPLOY_ANNOUNCE, DeployReconciler, RECONCILE_GRACE_MS, SETTLED_RETENTION_MS, UNWATCHED_LOOKBACK_MS } from '../../src/services/reconciler';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import type { DeployRequestRecord } from '../../src/store/deploy-requests';
import { tempStores, type TempStores } from '../store/temp-store';

let t: TempStores;
let sim: SimulatorHandle;
beforeEach(async () => {
  t = tempStores();
  sim = await startSimulator({ now: () => t.clock.t, provisioningDelayMs: 0 });
});
afterEach(async () => {
  await t.cleanup();
  await sim.stop();
});

async function setup() {
  const store = await t.open();
  const adopted: Array<[string, string]> = [];
  const abandoned: string[] = [];
  const unwatched: Array<[string, string]> = [];
  const deploys = { knownInstances: new Map<string, string>() };
  const reconciler = new DeployReconciler({
    store,
    fluence: new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: 1000, sleep: async () => {} }),
    logger: createLogger({ level: 'silent' }),
    now: t.clock.now,
    deploys,
    postTimeoutMs: 20_000,
    onAdopted: async (c: DeployRequestRecord, i) => void adopted.push([c.key, i.id]),
    onAbandoned: async (c: DeployRequestRecord) => void abandoned.push(c.key),
    onUnwatched: async (c) => void unwatched.push([c.key, c.instanceId]),
  });
  const claim = (key: string, name: string) =>
    store.deployRequests.begin(key, { channelId: 'C1', userId: 'U1', type: 'container', planId: 'p', name, pricePerHour: 1 });
  /** A POST running on some replica: its in-flight work claim in the store (DeployService takes it). */
  const posting = async (key: string) => (await store.workClaims.claim(DEPLOY_IN_FLIGHT + key, 20_000))!;
  return { store, reconciler, adopted, abandoned, unwatched, deploys, claim, posting };
}

it('adopts the instance of the same name created after the claim, not an older namesake', async () => {
  const { reconciler, adopted, claim, store } = await setup();
  const [old] = sim.control.seedInstances(1, 'container', { namePrefix: 'twin' });
  t.clock.t += 10 * 60_000; // the namesake is 10 minutes older than the claim
  await claim('k1', 'twin-0');
  expect((await reconciler.runOnce()).open).toEqual(['k1']);
  const [fresh] = sim.control.seedInstances(1, 'container', { namePrefix: 'twin' });
  expect((await reconciler.runOnce()).adopted).toEqual(['k1']);
  expect(adopted).toEqual([['k1', fresh]]);
  expect(fresh).not.toBe(old);
  expect(await store.deployRequests.get('k1')).toMatchObject({ state: 'succeeded', instanceId: fresh });
  // settled once: another pass adopts nothing more
  expect((await reconciler.runOnce()).adopted).toEqual([]);
});

it("never takes an instance another claim owns, and leaves claims whose POST is still running on any replica", async () => {
  const { reconciler, claim, store, posting } = await setup();
  const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'same' }); // named same-0
  await claim('owner', 'same-0');
  await store.deployRequests.succeed('owner', id!);
  await claim('k2', 'same-0'); // the only instance of its name is already the owner's
  expect((await reconciler.runOnce())).toMatchObject({ adopted: [], open: ['k2'] });
  t.clock.t += RECONCILE_GRACE_MS + 1;
  await posting('k2');
  expect((await reconciler.runOnce())).toMatchObject({ adopted: [], failed: [], open: [], inFlightUntil: t.clock.t + 20_000 }); // in flight: not ours to settle
  t.clock.t += 20_000; // the replica posting it was killed: its in-flight claim expired
  expect((await reconciler.runOnce())).toMatchObject({ failed: ['k2'], inFlightUntil: null });
  expect(await store.deployRequests.get('owner')).toMatchObject({ state: 'succeeded', instanceId: id });
});

it('gives up after the grace period, once, and a list that cannot be read settles nothing', async () => {
  const { reconciler, abandoned, claim, store } = await setup();
  await claim('k4', 'never-made');
  t.clock.t += RECONCILE_GRACE_MS + 1;
  sim.control.setFaults({ errorRate: 1 });
  expect((await reconciler.runOnce()).open).toEqual(['k4']);
  expect((await store.deployRequests.get('k4'))?.state).toBe('pending');
  sim.control.clearFaults();
  expect((await reconciler.runOnce()).failed).toEqual(['k4']);
  expect(abandoned).toEqual(['k4']);
  expect((await reconciler.runOnce()).failed).toEqual([]);
  expect(abandoned).toEqual(['k4']);
});

it('waits while a deploy of the same name is still running (on any replica)', async () => {
  const { reconciler, claim, posting } = await setup();
  await claim('unclear', 'busy-name');
  await claim('running', 'busy-name');
  await posting('running');
  sim.control.seedInstances(1, 'container', { namePrefix: 'busy-name' }); // is it unclear's or running's?
  const r = await reconciler.runOnce();
  expect(r.adopted).toEqual([]);
  expect(r.open).toEqual(['unclear']);
});

it('prunes failed claims and old form ids after the retention period, never a pending claim', async () => {
  const { reconciler, claim, store } = await setup();
  await claim('failed', 'x');
  await store.deployRequests.fail('failed', 'no');
  await store.deployModals.issue('form-1', { userId: 'U1', channelId: 'C1' });
  await claim('pending', 'y');
  t.clock.t += SETTLED_RETENTION_MS + 1;
  sim.control.setFaults({ errorRate: 1 }); // the pending one cannot be settled now
  await reconciler.runOnce();
  expect(await store.deployRequests.get('failed')).toBeUndefined();
  expect(await store.deployModals.get('form-1')).toBeUndefined();
  expect((await store.deployRequests.get('pending'))?.state).toBe('pending');
});

describe('provablyNotApplied: only what provably never reached Fluence, or what it refused', () => {
  it.each([
    ['422 validation', new FluenceError('validation', 'x', { status: 422 }), true],
    ['400 business', new FluenceError('business', 'x', { status: 400 }), true],
    ['429', new FluenceError('rate_limited', 'x', { status: 429 }), true],
    ['our own check (no status)', new FluenceError('validation', 'Not sent to Fluence: …'), true],
    ['connection refused', new FluenceError('unavailable', 'refused'), true],
    ['500', new FluenceError('unavailable', 'x', { status: 500 }), false],
    ['503', new FluenceError('unavailable', 'x', { status: 503 }), false],
    ['408', new FluenceError('unavailable', 'x', { status: 408, maybeApplied: true }), false],
    ['timeout', new FluenceError('unavailable', 'x', { maybeApplied: true }), false],
    ['2xx garbage', new FluenceError('bad_response', 'x', { status: 200 }), false],
  ])('%s', (_what, err, expected) => {
    expect(provablyNotApplied(err)).toBe(expected);
  });
});

it('an instance Fluence reported for another claim (store write failed) is that claim\'s, never an older namesake\'s', async () => {
  const { reconciler, claim, deploys, store, adopted } = await setup();
  await claim('older', 'twin-0'); // its POST timed out: maybe applied, maybe not
  t.clock.t += 1000;
  await claim('newer', 'twin-0'); // a second deploy of the same name went through, but its store write failed
  const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'twin' });
  deploys.knownInstances.set('newer', id!);
  const r = await reconciler.runOnce();
  expect(r.adopted).toEqual(['newer']);
  expect(adopted).toEqual([['newer', id]]);
  expect((await store.deployRequests.get('older'))?.state).toBe('pending');
  expect(await store.deployRequests.get('newer')).toMatchObject({ state: 'succeeded', instanceId: id });
});

describe('a deploy that succeeded but was never watched (its process died before the watch was written)', () => {
  const watch = (store: Awaited<ReturnType<typeof setup>>['store'], instanceId: string) =>
    store.watches.add({ instanceId, type: 'container', channelId: 'C1', messageTs: '1.1', requesterId: 'U1', name: 'w', planLabel: 'H100', pricePerHour: 1 }, t.clock.t);

  it('is announced once its POST time has passed and nobody holds its announcement; a watched one never is', async () => {
    const { reconciler, claim, store, unwatched } = await setup();
    const [lost, kept] = sim.control.seedInstances(2, 'container', { namePrefix: 'box' });
    await claim('lost', 'box-0');
    await store.deployRequests.succeed('lost', lost!);
    await claim('kept', 'box-1');
    await store.deployRequests.succeed('kept', kept!);
    await watch(store, kept!);
    // the live path is still announcing it (its claim is taken moments after Fluence answers)
    expect((await reconciler.runOnce()).announced).toEqual([]);
    t.clock.t += 20_001;
    const live = await store.workClaims.claim(DEPLOY_ANNOUNCE + 'lost', ANNOUNCE_CLAIM_MS);
    expect(live).toBeDefined();
    expect((await reconciler.runOnce()).announced).toEqual([]);
    // that process died: its claim lapses, the reconciler announces (announce.ts takes the claim)
    t.clock.t += ANNOUNCE_CLAIM_MS;
    expect((await reconciler.runOnce()).announced).toEqual(['lost']);
    expect(unwatched).toEqual([['lost', lost]]);
  });

  it('a finished announcement is not repeated, and deploys older than the look-back are left alone', async () => {
    const { reconciler, claim, store, unwatched } = await setup();
    const [a, b] = sim.control.seedInstances(2, 'container', { namePrefix: 'old' });
    await claim('old', 'old-0');
    await store.deployRequests.succeed('old', a!);
    t.clock.t += UNWATCHED_LOOKBACK_MS + 1;
    await claim('done', 'old-1');
    await store.deployRequests.succeed('done', b!);
    const c = (await store.workClaims.claim(DEPLOY_ANNOUNCE + 'done', ANNOUNCE_CLAIM_MS))!;
    await store.workClaims.finish(c, 60 * 60_000);
    t.clock.t += ANNOUNCE_CLAIM_MS + 1;
    expect((await reconciler.runOnce()).announced).toEqual([]);
    expect(unwatched).toEqual([]);
  });
});
