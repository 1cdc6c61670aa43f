/**
 * FluenceClient against the real simulator over HTTP, on a fake clock: every endpoint for all
 * three workload types, the way the bot uses them (deploy, watch until ACTIVE, rename, terminate).
 */
import { FluenceClient } from '../../src/fluence/client';
import { FluenceError } from '../../src/fluence/errors';
import type { CreateContainerRequest } from '../../src/fluence/schemas';
import { WORKLOAD_TYPES, type WorkloadType } from '../../src/fluence/workload';
import {
  BM_OPTION_L40S_4X_DALLAS,
  PLAN_A100_1X,
  VM_OPTION_L40_CENTRAL3,
  startSimulator,
  type SimulatorHandle,
} from '../../src/simulator';

const T0 = Date.UTC(2026, 1, 7, 14, 42, 29, 472);
const PROVISIONING_MS = 60_000;
const UPDATE_APPLY_MS = 10_000;
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbW9jayBrZXk user@host';

let sim: SimulatorHandle;
let fluence: FluenceClient;

beforeEach(async () => {
  sim = await startSimulator({
    now: () => T0, provisioningDelayMs: PROVISIONING_MS, updateApplyMs: UPDATE_APPLY_MS, containerStartMs: 0, networkDelayMs: 0, balance: 1000,
  });
  fluence = new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: 2000, sleep: async () => {} });
});
afterEach(() => sim.stop());

const containerBody = (name: string): CreateContainerRequest => ({
  plan_id: PLAN_A100_1X,
  name,
  container_settings: {
    image: 'docker.io/fluencelabs/debian-ssh-root:11',
    expose: [{ port: '22', protocol: 'tcp' }],
    environment: [{ name: 'MODEL_PATH', value: '/models/llama' }],
    startup_command: 'python3 serve.py',
  },
  ssh_key: SSH_KEY,
});

/** Deploys one instance of `type` on the first offer the API lists for it. */
async function deploy(type: WorkloadType, name: string): Promise<string> {
  if (type === 'container') return (await fluence.createInstance('container', containerBody(name))).instanceId;
  const offer = (await fluence.listPlans(type))[0]!;
  const res = await fluence.createInstance(type, { plan_id: offer.planId, name, ssh_key: SSH_KEY, os_image: offer.osOptions![0]! });
  return res.instanceId;
}

async function rejection(p: Promise<unknown>): Promise<FluenceError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(FluenceError);
  return e as FluenceError;
}

describe('catalog', () => {
  it.each([
    ['container', PLAN_A100_1X],
    ['vm', VM_OPTION_L40_CENTRAL3],
    ['baremetal', BM_OPTION_L40S_4X_DALLAS],
  ] as const)('listPlans(%s) returns offers with deployable ids', async (type, knownId) => {
    const offers = await fluence.listPlans(type);
    expect(offers.length).toBeGreaterThan(1);
    expect(offers.every((o) => o.type === type && o.pricePerHour > 0)).toBe(true);
    expect(new Set(offers.map((o) => o.planId)).size).toBe(offers.length);
    expect(offers.map((o) => o.planId)).toContain(knownId);
    if (type !== 'container') expect(offers.every((o) => (o.osOptions ?? []).length > 0 && o.provider)).toBe(true);
  });

  it('listDefaultImages returns the predefined images', async () => {
    const images = await fluence.listDefaultImages();
    expect(images.map((i) => i.slug)).toContain('debian-ssh-11');
    expect(images.every((i) => Array.isArray(i.expose) && Array.isArray(i.environment))).toBe(true);
  });

  it('getBalance reads the decimal string as a number, and deploys take 3 hours up front', async () => {
    expect(await fluence.getBalance()).toEqual({ balance: 1000, usageDaysLeft: null });
    const price = (await fluence.listPlans('container')).find((o) => o.planId === PLAN_A100_1X)!.pricePerHour;
    await deploy('container', 'pay-me');
    expect((await fluence.getBalance()).balance).toBeCloseTo(1000 - 3 * price, 2);
  });
});

describe.each(WORKLOAD_TYPES)('%s lifecycle', (type) => {
  it('create -> list -> detail provisioning -> ACTIVE with connection -> rename -> terminate -> ENDED', async () => {
    const id = await deploy(type, `box-${type}`);

    const listed = await fluence.listInstances(type);
    expect(listed).toEqual([expect.objectContaining({ id, type, name: `box-${type}`, state: 'provisioning' })]);

    let d = await fluence.getInstance(type, id);
    expect(d).toMatchObject({ id, type, state: 'provisioning', connection: null });

    sim.control.advance(PROVISIONING_MS);
    d = await fluence.getInstance(type, id);
    expect(d.state).toBe('active');
    expect(d.connection?.ssh).toMatch(type === 'container' ? /^ssh -p \d+ root@\S+$/ : /^ssh \S+@\S+$/);
    expect(d.billing?.hourly_usage).toBeGreaterThan(0);

    await fluence.renameInstance(type, id, `renamed-${type}`);
    expect((await fluence.getInstance(type, id)).name).toBe(`renamed-${type}`);
    expect((await fluence.listInstances(type)).map((i) => i.name)).toEqual([`renamed-${type}`]);

    await fluence.terminateInstance(type, id);
    d = await fluence.getInstance(type, id);
    expect(d).toMatchObject({ state: 'ended', connection: null });
    // other types' collections are untouched
    for (const other of WORKLOAD_TYPES.filter((t) => t !== type)) expect(await fluence.listInstances(other)).toEqual([]);
  });

  it('terminating an instance that is not ACTIVE yet is a business error', async () => {
    const id = await deploy(type, `early-${type}`);
    const err = await rejection(fluence.terminateInstance(type, id));
    expect(err.kind).toBe('business');
    expect(err.details.status).toBe(400);
  });

  it('an unknown id is not_found', async () => {
    const err = await rejection(fluence.getInstance(type, 'no-such-id'));
    expect(err.kind).toBe('not_found');
  });
});

describe('containers', () => {
  async function activeContainer(name: string): Promise<string> {
    const id = await deploy('container', name);
    sim.control.advance(PROVISIONING_MS);
    return id;
  }

  it('updateContainer replaces the settings; a second update while applying is refused', async () => {
    const id = await activeContainer('upd');
    await fluence.updateContainer(id, {
      name: 'upd-2',
      container_settings: { image: 'docker.io/library/ubuntu:24.04', environment: [{ name: 'MODE', value: 'fast' }] },
    });
    const again = await rejection(fluence.updateContainer(id, { name: 'upd-3', container_settings: { image: 'docker.io/library/ubuntu:24.04' } }));
    expect(again.kind).toBe('business');
    sim.control.advance(UPDATE_APPLY_MS);
    const d = await fluence.getInstance('container', id);
    expect(d.name).toBe('upd-2');
    expect(d.container?.image).toBe('docker.io/library/ubuntu:24.04');
    // a full replacement without ssh_key removes the key (API.md §10): no SSH_PUBKEY any more
    expect(d.container?.environment.map((e) => e.name)).toEqual(['MODE']);
  });

  it('rename keeps image, env, startup command and the SSH key (sent as ssh_key, not a second SSH_PUBKEY)', async () => {
    const id = await activeContainer('keep-me');
    const before = await fluence.getInstance('container', id);
    await fluence.renameInstance('container', id, 'kept');
    sim.control.advance(UPDATE_APPLY_MS);
    const after = await fluence.getInstance('container', id);
    expect(after.name).toBe('kept');
    expect(after.container).toEqual(before.container);
    expect(after.container?.environment).toEqual([
      { name: 'MODEL_PATH', value: '/models/llama' },
      { name: 'SSH_PUBKEY', value: SSH_KEY },
    ]);
  });

  it('logs and events, all or the last n', async () => {
    const id = await activeContainer('talky');
    const logs = await fluence.getLogs(id);
    const events = await fluence.getEvents(id);
    expect(logs.length).toBeGreaterThan(1);
    expect(events.length).toBeGreaterThan(1);
    expect(await fluence.getLogs(id, 1)).toEqual(logs.slice(-1));
    expect(await fluence.getEvents(id, 2)).toEqual(events.slice(-2));
  });
});

describe('errors from the API', () => {
  it('a body the form would refuse is refused before sending, with the issue on the field', async () => {
    const body = containerBody('bad-port');
    body.container_settings.expose = [{ port: '999999999', protocol: 'tcp' }];
    const err = await rejection(fluence.createInstance('container', body));
    expect(err.kind).toBe('validation');
    expect(err.details.issues?.[0]?.loc).toEqual(['body', 'container_settings', 'expose', 0, 'port']);
    expect(err.message).toContain('container_settings.expose[0].port');
    expect(sim.control.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it.each<[string, (b: CreateContainerRequest) => void, string]>([
    ['11 exposed ports', (b) => (b.container_settings.expose = Array.from({ length: 11 }, (_, i) => ({ port: String(8000 + i) }))), 'container_settings.expose'],
    ['no exposed port', (b) => (b.container_settings.expose = []), 'container_settings.expose'],
    ['65 env vars', (b) => (b.container_settings.environment = Array.from({ length: 65 }, (_, i) => ({ name: `V${i}`, value: 'x' }))), 'container_settings.environment'],
    ['http on 8080', (b) => (b.container_settings.expose = [{ port: '8080', protocol: 'http' }]), 'container_settings.expose[0].protocol'],
    ['uppercase repository', (b) => (b.container_settings.image = 'ghcr.io/Org/app:v1'), 'container_settings.image'],
  ])('pre-send check like the form: %s is not sent', async (_what, change, field) => {
    const body = containerBody('checked');
    change(body);
    const err = await rejection(fluence.createInstance('container', body));
    expect(err.kind).toBe('validation');
    expect(err.message).toMatch(/^Not sent to Fluence/);
    expect(err.message).toContain(field);
    expect(sim.control.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('an uppercase tag and a digest are valid references and are sent', async () => {
    const tagged = containerBody('tagged');
    tagged.container_settings.image = 'ghcr.io/org/app:V1';
    await expect(fluence.createInstance('container', tagged)).resolves.toMatchObject({ instanceId: expect.any(String) });
    const pinned = containerBody('pinned');
    pinned.container_settings.image = `ghcr.io/org/app@sha256:${'ab'.repeat(32)}`;
    await expect(fluence.createInstance('container', pinned)).resolves.toMatchObject({ instanceId: expect.any(String) });
  });

  it('400 from create -> business with the API text, and nothing deployed', async () => {
    sim.control.setBalance(1);
    const err = await rejection(fluence.createInstance('container', containerBody('too-poor')));
    expect(err.kind).toBe('business');
    expect(err.message).toBe('Insufficient balance to deploy instance');
    expect(await fluence.listInstances('container')).toEqual([]);
  });

  it('a wrong key -> auth', async () => {
    const bad = new FluenceClient({ baseUrl: `${sim.url}/gpu/`, apiKey: 'not-the-key', sleep: async () => {} });
    const err = await rejection(bad.listPlans('vm'));
    expect(err.kind).toBe('auth');
    // Fluence's own words are kept for the user (say, a key without the GPU scope)
    expect(err.details.detail).toBe('Invalid or missing API key');
  });

  it('a garbled 200 -> bad_response; a GET that keeps failing is tried 4 times -> unavailable', async () => {
    sim.control.setFaults({ garbageNext: { count: 1, kind: 'wrong-types' } });
    expect((await rejection(fluence.listPlans('vm'))).kind).toBe('bad_response');
    sim.control.setFaults({ errorRate: 1, onlyPaths: /^\/gpu\/plans\/$/ });
    expect((await rejection(fluence.listPlans('container'))).kind).toBe('unavailable');
    expect(sim.control.requests.filter((r) => r.path === '/gpu/plans/')).toHaveLength(4);
  });
});
