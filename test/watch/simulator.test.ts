/**
 * The watcher against the REAL simulator over HTTP and the real FluenceClient: lifecycle, faults and
 * request counts as Fluence would see them. One ManualClock drives both the watcher and the simulator.
 */
import type { FluenceApi } from '../../src/fluence/api';
import { FluenceClient } from '../../src/fluence/client';
import { WORKLOAD_TYPES, type WorkloadType } from '../../src/fluence/workload';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { ManualClock } from '../../src/watch/clock';
import { harness, MIN, textOf, watchInput, type Harness } from './fakes';

let sim: SimulatorHandle;
let client: FluenceApi;
let h: Harness;

beforeEach(async () => {
  const clock = new ManualClock();
  sim = await startSimulator({ provisioningDelayMs: 2 * MIN, networkDelayMs: 30_000, now: () => clock.now(), failNamePattern: /fail/ });
  client = new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, sleep: async () => undefined });
  h = await harness(client, { clock });
});
afterEach(async () => {
  await h.close();
  await sim.stop();
});

async function cycles(n: number, stepMs = 15_000) {
  const reports = [];
  for (let i = 0; i < n; i++) {
    h.clock.advance(stepMs);
    reports.push(await h.watcher.runCycle());
  }
  return reports;
}

async function deploy(type: WorkloadType, name: string, channelId = 'C1') {
  const [offer] = await client.listPlans(type);
  const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIwatchtest test@host';
  const { instanceId } =
    type === 'container'
      ? await client.createInstance('container', {
          plan_id: offer!.planId,
          name,
          container_settings: { image: 'docker.io/fluencelabs/debian-ssh-root:11', expose: [{ port: '22', protocol: 'tcp' }, { port: '8000', protocol: 'tcp' }] },
          ssh_key: sshKey,
        } as never)
      : await client.createInstance(type, { plan_id: offer!.planId, name, ssh_key: sshKey, os_image: offer!.osOptions?.[0] } as never);
  return await h.watcher.watch(watchInput(instanceId, type, { name, channelId, createdAt: h.clock.now() }));
}

describe.each(WORKLOAD_TYPES)('%s on the simulator', (type) => {
  test('INITIALIZED -> ACTIVE (network later) -> exactly one ready reply with the connect command', async () => {
    const w = await deploy(type, `sim-${type}`);
    sim.control.resetRequests();
    const during = await cycles(7); // 1 min 45 s: still provisioning
    expect(h.notifier.replies()).toHaveLength(0);
    for (const r of during) expect(r.calls.total).toBeLessThanOrEqual(1);
    const after = await cycles(11); // ACTIVE at 2 min, connection at 2 min 30 s
    expect(after.map((r) => r.calls.total)).toEqual([2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    const replies = h.notifier.replies();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.to).toBe(`C1/${w.messageTs}`);
    expect(textOf(replies[0]!.message)).toMatch(/```ssh [^`]+```/);
    expect(textOf(replies[0]!.message)).toMatch(/ready in 2 min 30 s/);
    expect((await h.store.get(w.instanceId))!.outcome).toBe('ready');
  });
});

test('a container whose deploy fails, watched in its owner\'s DM: one reply with the simulator events/logs and the refund', async () => {
  const clock = h.clock;
  await h.close();
  h = await harness(client, { clock, mayReadLines: () => true });
  await deploy('container', 'will-fail', 'D1');
  await cycles(12);
  const replies = h.notifier.replies();
  expect(replies).toHaveLength(1);
  expect(textOf(replies[0]!.message)).toMatch(/failed to deploy/);
  expect(textOf(replies[0]!.message)).toMatch(/refund/);
  expect(textOf(replies[0]!.message)).toContain('ImagePullBackOff');
});

test('terminated elsewhere while provisioning: one "ended" reply', async () => {
  const w = await deploy('vm', 'ends-early');
  await cycles(2);
  sim.control.setStatus(w.instanceId, 'ENDED');
  await cycles(4);
  expect(h.notifier.replies().map((r) => r.message.text)).toEqual([expect.stringMatching(/has ended/)]);
});

test('restart mid-provisioning on the same DB file: exactly one reply', async () => {
  const w = await deploy('baremetal', 'survivor');
  await cycles(4);
  await h.restart();
  await cycles(10);
  await h.restart();
  await cycles(4);
  expect(h.notifier.replies()).toHaveLength(1);
  expect((await h.store.get(w.instanceId))!.outcome).toBe('ready');
});

test('simulator outage (every request 500) for several cycles: watch kept, one reply after, one warn line', async () => {
  const w = await deploy('container', 'outage');
  sim.control.setFaults({ errorRate: 1 });
  await cycles(16); // 4 min of 500s
  expect((await h.store.get(w.instanceId))!.state).toBe('watching');
  expect(h.notifier.replies()).toHaveLength(0);
  sim.control.clearFaults();
  await cycles(20);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(h.logs.filter((l) => l.msg === 'Fluence polling failed; backing off, no watch is dropped')).toHaveLength(1);
  expect(h.logs.filter((l) => l.msg === 'Fluence polling recovered')).toHaveLength(1);
});

test.each([1, 100, 1000])('%i watches: simulator sees at most 3 requests per cycle', async (n) => {
  for (const [k, type] of WORKLOAD_TYPES.entries()) {
    const count = Math.floor(n / 3) + (k < n % 3 ? 1 : 0);
    if (count === 0) continue;
    for (const id of sim.control.seedInstances(count, type, { status: 'INITIALIZED' })) await h.watcher.watch(watchInput(id, type));
  }
  expect((await h.store.countWatching())).toBe(n);
  sim.control.resetRequests();
  const reports = await cycles(3);
  expect(Math.max(...reports.map((r) => r.calls.total))).toBeLessThanOrEqual(3);
  expect(sim.control.requests.length).toBeLessThanOrEqual(9);
  // eslint-disable-next-line no-console
  console.log(`${(await h.store.countWatching())} watches on the simulator: ${sim.control.requests.length} HTTP requests in 3 cycles`);
});
