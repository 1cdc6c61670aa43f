/**
 * The simulator as the newest docs describe Fluence (API.md §10): a container is ACTIVE before it is
 * STARTED, a broken image never starts, a full-replacement PUT drops what it leaves out, and by
 * default it takes as long as the real GPU Cloud (SIMULATOR_SPEED makes it faster).
 */
import { CRASHLOOP_IMAGE, PLAN_A100_1X } from '../../src/simulator';
import { startHarness, SSH_KEY, T0, type Harness } from './harness';

let h: Harness;
afterEach(() => h.sim.stop());

const body = (image = 'docker.io/fluencelabs/debian-ssh-root:11', name = 'box') => ({
  plan_id: PLAN_A100_1X,
  name,
  container_settings: { image, expose: [{ port: '22', protocol: 'tcp' }] },
  ssh_key: SSH_KEY,
});
async function deploy(image?: string): Promise<string> {
  const r = await h.call('POST', '/gpu/instances/', body(image));
  expect(r.status).toBe(200);
  return r.json.instance_id;
}
const detail = async (id: string) => (await h.call('GET', `/gpu/instances/${id}`)).json;
const lines = async (id: string, kind: 'events' | 'logs', last?: number) =>
  (await h.call('GET', `/gpu/instances/${id}/${kind}${last ? `?last=${last}` : ''}`)).json as string[];

describe('container start', () => {
  beforeEach(async () => {
    h = await startHarness({ provisioningDelayMs: 60_000, containerStartMs: 20_000, networkDelayMs: 0, updateApplyMs: 10_000 });
  });

  it('passes through ACTIVE + NOT_STARTED (pulling, no logs) before STARTED', async () => {
    const id = await deploy();
    h.clock.t = T0 + 60_000;
    let d = await detail(id);
    expect(d).toMatchObject({ instance_status: 'ACTIVE', container_status: 'NOT_STARTED' });
    expect(d.network.domain).toBe('provider.a100.pub'); // reachable address, nothing listening yet
    expect((await lines(id, 'events')).join('\n')).toMatch(/\[Pulling\]/);
    expect((await lines(id, 'events')).join('\n')).not.toMatch(/\[Started\]/);
    expect(await lines(id, 'logs')).toEqual([]);

    h.clock.t = T0 + 80_000;
    d = await detail(id);
    expect(d.container_status).toBe('STARTED');
    expect((await lines(id, 'events', 1))[0]).toMatch(/\[Normal\] \[Started\] Started container service-1/);
  });

  it('a crash-looping image stays NOT_STARTED for good: BackOff events and a traceback in the logs', async () => {
    const id = await deploy(CRASHLOOP_IMAGE);
    h.clock.t = T0 + 6 * 3_600_000;
    const d = await detail(id);
    expect(d).toMatchObject({ instance_status: 'ACTIVE', container_status: 'NOT_STARTED' });
    expect((await lines(id, 'events', 1))[0]).toMatch(/\[Warning\] \[BackOff\] Back-off restarting failed container/);
    expect((await lines(id, 'logs', 1))[0]).toMatch(/ModuleNotFoundError/);
  });

  it('an update to a crashing image restarts it into NOT_STARTED; one back to a good image starts again', async () => {
    const id = await deploy();
    h.clock.t = T0 + 80_000;
    const put = (image: string) =>
      h.call('PUT', `/gpu/instances/${id}`, { name: 'box', container_settings: { image }, ssh_key: SSH_KEY });
    expect((await put(CRASHLOOP_IMAGE)).status).toBe(204);
    h.clock.t += 10_000;
    expect((await detail(id)).container_status).toBe('NOT_STARTED');
    expect((await put('docker.io/fluencelabs/debian-ssh-root:11')).status).toBe(204);
    h.clock.t += 10_000 + 19_999;
    expect((await detail(id)).container_status).toBe('NOT_STARTED');
    h.clock.t += 1;
    expect((await detail(id)).container_status).toBe('STARTED');
  });
});

describe('full-replacement PUT', () => {
  beforeEach(async () => {
    h = await startHarness({ provisioningDelayMs: 1000, containerStartMs: 0, networkDelayMs: 0, updateApplyMs: 1000 });
  });

  it('drops ssh_key and registry credentials that the body leaves out', async () => {
    const r = await h.call('POST', '/gpu/instances/', {
      ...body('ghcr.io/org/private:V1'),
      container_settings: { ...body().container_settings, image: 'ghcr.io/org/private:V1', credentials: { host: 'ghcr.io', username: 'me', password: 'ghp_secret' } },
    });
    const id = r.json.instance_id as string;
    h.clock.t += 1000;
    expect((await detail(id)).container_info.environment).toEqual([{ name: 'SSH_PUBKEY', value: SSH_KEY }]);

    const put = await h.call('PUT', `/gpu/instances/${id}`, { name: 'box', container_settings: { image: 'ghcr.io/org/private:V1' } });
    expect(put.status).toBe(204);
    h.clock.t += 1000;
    expect((await detail(id)).container_info.environment).toEqual([]);
    const sim = h.sim.control.instances().find((i) => i.id === id)!;
    expect(sim.sshKey).toBeNull();
    expect(sim.container?.config.credentials).toBeNull();
  });

  it('keeps them when they are sent again', async () => {
    const id = await deploy();
    h.clock.t += 1000;
    const put = await h.call('PUT', `/gpu/instances/${id}`, { name: 'box-2', container_settings: { image: 'docker.io/fluencelabs/debian-ssh-root:11' }, ssh_key: SSH_KEY });
    expect(put.status).toBe(204);
    h.clock.t += 1000;
    expect(await detail(id)).toMatchObject({ name: 'box-2', container_info: { environment: [{ name: 'SSH_PUBKEY', value: SSH_KEY }] } });
  });
});

describe('speed', () => {
  it('by default a deploy takes as long as on the real GPU Cloud: 2 min to ACTIVE, STARTED 30 s later', async () => {
    h = await startHarness();
    const id = await deploy();
    h.clock.t = T0 + 119_999;
    expect((await detail(id)).instance_status).toBe('INITIALIZED');
    h.clock.t = T0 + 120_000;
    expect(await detail(id)).toMatchObject({ instance_status: 'ACTIVE', container_status: 'NOT_STARTED' });
    h.clock.t = T0 + 150_000;
    expect((await detail(id)).container_status).toBe('STARTED');
  });

  it('speed divides the default durations', async () => {
    h = await startHarness({ speed: 60 });
    const id = await deploy();
    h.clock.t = T0 + 1_999;
    expect((await detail(id)).instance_status).toBe('INITIALIZED');
    h.clock.t = T0 + 2_000 + 500;
    expect(await detail(id)).toMatchObject({ instance_status: 'ACTIVE', container_status: 'STARTED' });
  });
});
