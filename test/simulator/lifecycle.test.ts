/** Lifecycle, billing and balance on an injected clock: no waiting, no timers. */
import { ContainerDetailSchema, VmDetailSchema, ContainerListSchema, VmListSchema } from '../../src/fluence/schemas';
import { PLAN_A100_1X, VM_OPTION_L40_CENTRAL3, BM_OPTION_L40S_4X_DALLAS } from '../../src/simulator';
import { startHarness, SSH_KEY, T0, type Harness } from './harness';

const H = 3_600_000;
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ balance: 100, provisioningDelayMs: 60_000, updateApplyMs: 10_000, containerStartMs: 0, networkDelayMs: 0 });
});
afterEach(() => h.sim.stop());

const containerBody = (name = 'my-box') => ({
  plan_id: PLAN_A100_1X, // 1.22 USDC/h, US
  name,
  container_settings: {
    image: 'docker.io/fluencelabs/debian-ssh-root:11',
    expose: [{ port: '22', protocol: 'tcp' }, { port: '80', protocol: 'http' }],
    environment: [{ name: 'MODEL_PATH', value: '/models/llama' }],
  },
  ssh_key: SSH_KEY,
});
async function deployContainer(name?: string): Promise<string> {
  const r = await h.call('POST', '/gpu/instances/', containerBody(name));
  expect(r.status).toBe(200);
  return r.json.instance_id;
}
async function balance(): Promise<string> {
  return (await h.call('GET', '/v2/users/balances')).json[0].balance;
}

describe('container lifecycle', () => {
  it('reserves 3 hours at deploy, goes ACTIVE with connection details after the provisioning delay', async () => {
    const id = await deployContainer();
    expect(await balance()).toBe('96.34'); // 100 - 3 × 1.22

    let d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d).toMatchObject({ instance_status: 'INITIALIZED', container_status: 'NOT_STARTED', network: null });
    expect(d.billing).toEqual({ hourly_usage: 0, total_spendings: 0, reserved_amount: 0, next_billing_period: null });

    h.clock.t = T0 + 60_000;
    d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(ContainerDetailSchema.safeParse(d).success).toBe(true);
    expect(d.instance_status).toBe('ACTIVE');
    expect(d.container_status).toBe('STARTED');
    expect(d.network.domain).toBe('provider.a100.pub');
    expect(d.network.forwarded_ports).toEqual([{ port: '22', external_port: expect.stringMatching(/^3\d{4}$/), protocol: 'tcp' }]);
    expect(d.network.uri).toMatch(/^http:\/\/.+provider\.a100\.pub$/);
    expect(d.billing).toEqual({ hourly_usage: 1.22, total_spendings: 1.22, reserved_amount: 2.44, next_billing_period: '2026-02-07T15:00:00Z' });
    expect(d.container_info.environment).toEqual([
      { name: 'MODEL_PATH', value: '/models/llama' },
      { name: 'SSH_PUBKEY', value: SSH_KEY },
    ]);
    expect(d.created_at).toBe('2026-02-07T14:42:29.472000Z');
    expect(d.updated_at).toBe('2026-02-07T14:43:29.472000Z');
    // external ports are stable across reads
    const again = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(again.network).toEqual(d.network);
  });

  it('charges each started UTC hour and tops the reserve up from the balance', async () => {
    const id = await deployContainer();
    h.clock.t = Date.UTC(2026, 1, 7, 16, 5); // third billing period (14:xx, 15:xx, 16:xx)
    const d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.billing).toEqual({ hourly_usage: 1.22, total_spendings: 3.66, reserved_amount: 2.44, next_billing_period: '2026-02-07T17:00:00Z' });
    expect(await balance()).toBe('93.90'); // 100 - 3.66 - 2.44
  });

  it('DELETE ends it and refunds the unused reserve; billing keeps what was spent', async () => {
    const id = await deployContainer();
    h.clock.t = T0 + H; // 15:42, second period
    expect((await h.call('DELETE', `/gpu/instances/${id}`)).status).toBe(204);
    expect(await balance()).toBe('97.56'); // 100 - 2 × 1.22
    h.clock.t += 5 * H;
    const d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d).toMatchObject({ instance_status: 'ENDED', container_status: 'NOT_STARTED', network: null });
    expect(d.billing).toEqual({ hourly_usage: 0, total_spendings: 2.44, reserved_amount: 0, next_billing_period: null });
    expect(await balance()).toBe('97.56');
    const list = (await h.call('GET', '/gpu/instances/')).json;
    expect(list[0]).toMatchObject({ id, instance_status: 'ENDED', domain: null });
  });

  it('DELETE of a non-ACTIVE instance is a 400 and of an unknown id a 404', async () => {
    const id = await deployContainer();
    const r = await h.call('DELETE', `/gpu/instances/${id}`);
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/Only active instances can be terminated/);
    h.clock.t += 60_000;
    expect((await h.call('DELETE', `/gpu/instances/${id}`)).status).toBe(204);
    expect((await h.call('DELETE', `/gpu/instances/${id}`)).status).toBe(400); // already ENDED
    const missing = await h.call('DELETE', '/gpu/instances/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ detail: 'Not Found' });
  });

  it('a name matching failNamePattern goes FAILED and gets its money back in full', async () => {
    const id = await deployContainer('will-fail-1');
    expect(await balance()).toBe('96.34');
    h.clock.t += 60_000;
    const d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.instance_status).toBe('FAILED');
    expect(d.network).toBeNull();
    expect(await balance()).toBe('100.00');
    const events = (await h.call('GET', `/gpu/instances/${id}/events`)).json;
    expect(events.join('\n')).toMatch(/BackOff/);
    const logs = (await h.call('GET', `/gpu/instances/${id}/logs`)).json;
    expect(logs.join('\n')).toMatch(/Error/);
  });

  it('insufficient balance is a 400 and nothing is reserved', async () => {
    h.sim.control.setBalance(3);
    const r = await h.call('POST', '/gpu/instances/', containerBody());
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ detail: 'Insufficient balance to deploy instance' });
    expect(h.sim.control.balance()).toBe(3);
    h.sim.control.setBalance(3.66);
    expect((await h.call('POST', '/gpu/instances/', containerBody())).status).toBe(200);
    expect(h.sim.control.balance()).toBe(0);
  });

  it('networkDelayMs keeps the domain null for a while after ACTIVE', async () => {
    await h.sim.stop();
    h = await startHarness({ provisioningDelayMs: 1000, networkDelayMs: 5000, containerStartMs: 0 });
    const id = await deployContainer();
    h.clock.t += 1000;
    let d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.instance_status).toBe('ACTIVE');
    expect(d.network.domain).toBeNull();
    expect((await h.call('GET', '/gpu/instances/')).json[0].domain).toBeNull();
    h.clock.t += 5000;
    d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.network.domain).toBe('provider.a100.pub');
  });

  it('control.advance moves the simulator clock on top of the injected one', async () => {
    const id = await deployContainer();
    h.sim.control.advance(59_999);
    expect((await h.call('GET', `/gpu/instances/${id}`)).json.instance_status).toBe('INITIALIZED');
    h.sim.control.advance(1);
    expect((await h.call('GET', `/gpu/instances/${id}`)).json.instance_status).toBe('ACTIVE');
    expect(h.sim.control.now()).toBe(T0 + 60_000);
  });

  it('setStatus ENDED simulates termination elsewhere', async () => {
    const id = await deployContainer();
    h.clock.t += 60_000;
    h.sim.control.setStatus(id, 'ENDED');
    expect((await h.call('GET', `/gpu/instances/${id}`)).json.instance_status).toBe('ENDED');
    expect(await balance()).toBe('98.78');
  });
});

describe('container update (PUT, full replacement)', () => {
  const update = (name: string, image = 'docker.io/fluencelabs/debian-ssh-root:11') => ({
    name,
    container_settings: { image, environment: [{ name: 'MODEL_PATH', value: '/models/v2' }], startup_command: 'python3 serve.py' },
    ssh_key: SSH_KEY,
  });

  it('replaces name at once and settings once applied; ports stay; a second PUT meanwhile is a 400', async () => {
    const id = await deployContainer();
    expect((await h.call('PUT', `/gpu/instances/${id}`, update('renamed'))).status).toBe(400); // not ACTIVE yet
    h.clock.t += 60_000;
    expect((await h.call('PUT', `/gpu/instances/${id}`, update('renamed', 'docker.io/library/python:3.12'))).status).toBe(204);
    const busy = await h.call('PUT', `/gpu/instances/${id}`, update('again'));
    expect(busy.status).toBe(400);
    expect(busy.json.detail).toMatch(/still being applied/);
    let d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.name).toBe('renamed');
    expect(d.container_info.image).toBe('docker.io/fluencelabs/debian-ssh-root:11');
    h.clock.t += 10_000;
    d = (await h.call('GET', `/gpu/instances/${id}`)).json;
    expect(d.container_info).toEqual({
      image: 'docker.io/library/python:3.12',
      expose: [{ port: '22', protocol: 'tcp' }, { port: '80', protocol: 'http' }],
      environment: [{ name: 'MODEL_PATH', value: '/models/v2' }, { name: 'SSH_PUBKEY', value: SSH_KEY }],
      startup_command: 'python3 serve.py',
    });
    expect((await h.call('PUT', `/gpu/instances/${id}`, update('again'))).status).toBe(204);
  });

  it('validates like create (422) and 404s an unknown id', async () => {
    const id = await deployContainer();
    h.clock.t += 60_000;
    const bad = await h.call('PUT', `/gpu/instances/${id}`, { name: 'x', container_settings: { image: 'UPPER' } });
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['body', 'container_settings', 'image']);
    expect((await h.call('PUT', '/gpu/instances/nope', update('x'))).status).toBe(404);
  });
});

describe.each([
  ['vms', 'vm', VM_OPTION_L40_CENTRAL3, 'Ubuntu Server 22.04'],
  ['baremetal', 'baremetal', BM_OPTION_L40S_4X_DALLAS, 'ubuntu24.04'],
])('%s lifecycle', (seg, availability, planId, os) => {
  it('deploys, goes ACTIVE with ssh_connection, renames, terminates', async () => {
    const r = await h.call('POST', `/gpu/instances/${seg}`, { plan_id: planId, name: 'my-vm', ssh_key: SSH_KEY, os_image: os });
    expect(r.status).toBe(200);
    const id = r.json.instance_id;
    let d = (await h.call('GET', `/gpu/instances/${seg}/${id}`)).json;
    expect(d).toMatchObject({ status: 'INITIALIZED', ssh_connection: null, network: null, availability });
    h.clock.t += 60_000;
    d = (await h.call('GET', `/gpu/instances/${seg}/${id}`)).json;
    expect(VmDetailSchema.safeParse(d).success).toBe(true);
    expect(d.status).toBe('ACTIVE');
    expect(d.ssh_connection).toBe(`ssh ubuntu@${d.network.domain}`);
    expect(d.network).toEqual({ domain: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/), forwarded_ports: [], uri: null });
    expect(d).toMatchObject({ os_image: os, ssh_key: SSH_KEY });

    expect((await h.call('PUT', `/gpu/instances/${seg}/${id}`, { name: 'my-training-vm' })).status).toBe(204);
    const list = (await h.call('GET', `/gpu/instances/${seg}`)).json;
    expect(VmListSchema.safeParse(list).success).toBe(true);
    expect(list).toEqual([expect.objectContaining({ id, name: 'my-training-vm', status: 'ACTIVE', domain: d.network.domain })]);

    // the id belongs to this type only
    expect((await h.call('GET', `/gpu/instances/${id}`)).status).toBe(404);
    expect((await h.call('GET', `/gpu/instances/${seg === 'vms' ? 'baremetal' : 'vms'}/${id}`)).status).toBe(404);
    // no logs or events for VM/BM
    expect((await h.call('GET', `/gpu/instances/${seg}/${id}/logs`)).status).toBe(404);
    expect((await h.call('GET', `/gpu/instances/${id}/logs`)).status).toBe(404);

    expect((await h.call('DELETE', `/gpu/instances/${seg}/${id}`)).status).toBe(204);
    d = (await h.call('GET', `/gpu/instances/${seg}/${id}`)).json;
    expect(d).toMatchObject({ status: 'ENDED', ssh_connection: null, network: null });
  });

  it('rename validates the name', async () => {
    const r = await h.call('POST', `/gpu/instances/${seg}`, { plan_id: planId, name: 'my-vm', ssh_key: SSH_KEY, os_image: os });
    const bad = await h.call('PUT', `/gpu/instances/${seg}/${r.json.instance_id}`, { name: 'Not Valid' });
    expect(bad.status).toBe(422);
    expect(bad.json.detail[0].loc).toEqual(['body', 'name']);
  });
});

describe('logs and events', () => {
  it('return arrays of pod-prefixed lines, honouring ?last=N', async () => {
    const id = await deployContainer();
    h.clock.t += 60_000;
    const events = (await h.call('GET', `/gpu/instances/${id}/events`)).json as string[];
    for (const e of events) expect(e).toMatch(/^\[service-1-[a-z0-9-]+\]: \[(Normal|Warning)\] \[\w+\] .+/);
    for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) {
      expect(events.some((e) => e.includes(`[Normal] [${reason}]`))).toBe(true);
    }
    const last2 = (await h.call('GET', `/gpu/instances/${id}/events?last=2`)).json;
    expect(last2).toEqual(events.slice(-2));
    const logs = (await h.call('GET', `/gpu/instances/${id}/logs?last=1`)).json;
    expect(logs).toEqual([expect.stringMatching(/^\[service-1-[a-z0-9-]+\] Server listening on :: port 22\.$/)]);
    expect((await h.call('GET', `/gpu/instances/${id}/logs?last=abc`)).status).toBe(422);
  });
});

describe('lists', () => {
  it('show every status with the documented fields, containers with instance_status', async () => {
    const a = await deployContainer('box-a');
    await deployContainer('box-fail');
    h.clock.t += 60_000;
    const c = await deployContainer('box-c');
    await h.call('DELETE', `/gpu/instances/${a}`);
    const list = (await h.call('GET', '/gpu/instances/')).json;
    expect(ContainerListSchema.safeParse(list).success).toBe(true);
    expect(list.map((i: any) => [i.name, i.instance_status])).toEqual([['box-a', 'ENDED'], ['box-fail', 'FAILED'], ['box-c', 'INITIALIZED']]);
    expect(Object.keys(list[2]).sort()).toEqual(['created_at', 'domain', 'id', 'instance_status', 'location', 'name', 'resources', 'updated_at']);
    expect(list[2]).toMatchObject({ id: c, location: 'US', resources: { gpu_model: { model: 'a100', interface: 'sxm' } } });
  });
});
