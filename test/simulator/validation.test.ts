/** Every documented deploy rule, each broken by exactly one request (API.md §1.6, §4.1, §4.4, §5.1). */
import {
  PLAN_A100_1X,
  PLAN_DOCS_EXAMPLE,
  VM_OPTION_A100_CENTRAL3,
  BM_OPTION_H100_8X_DALLAS,
} from '../../src/simulator';
import { startHarness, SSH_KEY, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ balance: 100000, provisioningDelayMs: 1000 });
});
afterAll(() => h.sim.stop());

type Body = Record<string, any>;
const container = (): Body => ({
  plan_id: PLAN_DOCS_EXAMPLE,
  name: 'my-gpu-container',
  container_settings: {
    image: 'docker.io/fluencelabs/debian-ssh-root:11',
    expose: [{ port: '22', protocol: 'tcp' }, { port: '80', protocol: 'http' }],
    environment: [{ name: 'MODEL_PATH', value: '/models/llama' }],
    startup_command: 'python3 serve.py',
  },
  constraints: { location: 'US' },
  ssh_key: SSH_KEY,
});
const vm = (): Body => ({ plan_id: VM_OPTION_A100_CENTRAL3, name: 'my-gpu-vm', ssh_key: SSH_KEY, os_image: 'Ubuntu Server 22.04' });

describe('422: one broken field, one pydantic-style issue', () => {
  const cases: Array<[string, (b: Body) => void, (string | number)[], string | RegExp, string | null]> = [
    ['missing plan_id', (b) => delete b.plan_id, ['body', 'plan_id'], 'Field required', 'missing'],
    ['missing name', (b) => delete b.name, ['body', 'name'], 'Field required', 'missing'],
    ['missing container_settings', (b) => delete b.container_settings, ['body', 'container_settings'], 'Field required', 'missing'],
    ['missing image', (b) => delete b.container_settings.image, ['body', 'container_settings', 'image'], 'Field required', 'missing'],
    ['missing expose', (b) => delete b.container_settings.expose, ['body', 'container_settings', 'expose'], 'Field required', 'missing'],
    ['name too long', (b) => (b.name = 'a'.repeat(26)), ['body', 'name'], /^Value error, .*at most 25/, 'value_error'],
    ['name with uppercase', (b) => (b.name = 'MyBox'), ['body', 'name'], /^Value error, .*lowercase letters, digits and hyphens/, null],
    ['name with trailing hyphen', (b) => (b.name = 'box-'), ['body', 'name'], /^Value error, .*hyphen/, null],
    ['empty name', (b) => (b.name = ''), ['body', 'name'], /^Value error, /, null],
    ['uppercase image', (b) => (b.container_settings.image = 'Docker.io/X:1'), ['body', 'container_settings', 'image'], /^Value error, .*lowercase/, null],
    ['image over 255', (b) => (b.container_settings.image = 'a'.repeat(256)), ['body', 'container_settings', 'image'], 'String should have at most 255 characters', 'string_too_long'],
    ['no exposed port', (b) => (b.container_settings.expose = []), ['body', 'container_settings', 'expose'], /at least 1 item/, 'too_short'],
    ['11 exposed ports', (b) => (b.container_settings.expose = Array.from({ length: 11 }, (_, k) => ({ port: String(1000 + k) }))), ['body', 'container_settings', 'expose'], /at most 10 items/, 'too_long'],
    ['port 0', (b) => (b.container_settings.expose[0].port = '0'), ['body', 'container_settings', 'expose', 0, 'port'], 'Value error, Port must be between 1 and 65535', null],
    ['port 65536', (b) => (b.container_settings.expose[0].port = '65536'), ['body', 'container_settings', 'expose', 0, 'port'], 'Value error, Port must be between 1 and 65535', null],
    ['port as a number', (b) => (b.container_settings.expose[0].port = 22), ['body', 'container_settings', 'expose', 0, 'port'], 'Input should be a valid string', 'string_type'],
    ['unknown protocol', (b) => (b.container_settings.expose[0].protocol = 'sctp'), ['body', 'container_settings', 'expose', 0, 'protocol'], "Input should be 'tcp', 'udp' or 'http'", 'enum'],
    ['http on port 8080', (b) => (b.container_settings.expose[1] = { port: '8080', protocol: 'http' }), ['body', 'container_settings', 'expose', 1], /^Value error, Only port 80/, null],
    ['65 env vars', (b) => (b.container_settings.environment = Array.from({ length: 65 }, (_, k) => ({ name: `V${k}`, value: '' }))), ['body', 'container_settings', 'environment'], /at most 64 items/, 'too_long'],
    ['lowercase env name', (b) => (b.container_settings.environment[0].name = 'model_path'), ['body', 'container_settings', 'environment', 0, 'name'], /^Value error, .*not a valid variable name/, null],
    ['env name starting with a digit', (b) => (b.container_settings.environment[0].name = '1ABC'), ['body', 'container_settings', 'environment', 0, 'name'], /^Value error, /, null],
    ['startup_command over 2048', (b) => (b.container_settings.startup_command = 'x'.repeat(2049)), ['body', 'container_settings', 'startup_command'], 'String should have at most 2048 characters', 'string_too_long'],
    ['registry host quay.io', (b) => (b.container_settings.credentials = { host: 'quay.io', username: 'u', password: 'p' }), ['body', 'container_settings', 'credentials', 'host'], "Input should be 'docker.io' or 'ghcr.io'", 'enum'],
    ['credentials without password', (b) => (b.container_settings.credentials = { host: 'ghcr.io', username: 'u' }), ['body', 'container_settings', 'credentials', 'password'], 'Field required', 'missing'],
  ];
  it.each(cases)('container create: %s', async (_label, mutate, loc, msg, type) => {
    const body = container();
    mutate(body);
    const r = await h.call('POST', '/gpu/instances/', body);
    expect(r.status).toBe(422);
    expect(r.json.detail).toHaveLength(1);
    const issue = r.json.detail[0];
    expect(issue.loc).toEqual(loc);
    if (typeof msg === 'string') expect(issue.msg).toBe(msg);
    else expect(issue.msg).toMatch(msg);
    if (type) expect(issue.type).toBe(type);
    expect(issue).toHaveProperty('input');
  });

  it('reports every problem of a body at once', async () => {
    const body = container();
    body.name = 'Bad Name';
    body.container_settings.expose[0].port = '70000';
    const r = await h.call('POST', '/gpu/instances/', body);
    expect(r.status).toBe(422);
    expect(r.json.detail.map((d: any) => d.loc.join('.'))).toEqual(['body.name', 'body.container_settings.expose.0.port']);
  });

  it.each(['vms', 'baremetal'])('%s create requires ssh_key and os_image', async (type) => {
    const body = vm();
    if (type === 'baremetal') body.plan_id = BM_OPTION_H100_8X_DALLAS;
    delete body.ssh_key;
    delete body.os_image;
    const r = await h.call('POST', `/gpu/instances/${type}`, body);
    expect(r.status).toBe(422);
    expect(r.json.detail.map((d: any) => [d.type, d.loc])).toEqual([
      ['missing', ['body', 'ssh_key']],
      ['missing', ['body', 'os_image']],
    ]);
  });

  it('vm name follows the same naming rules', async () => {
    const r = await h.call('POST', '/gpu/instances/vms', { ...vm(), name: 'under_score' });
    expect(r.status).toBe(422);
    expect(r.json.detail[0].loc).toEqual(['body', 'name']);
  });

  it('a missing body and a body that is not an object', async () => {
    const none = await h.call('POST', '/gpu/instances/vms');
    expect(none.status).toBe(422);
    expect(none.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body'] });
    const arr = await h.call('POST', '/gpu/instances/vms', [1]);
    expect(arr.status).toBe(422);
    expect(arr.json.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
  });

  it('malformed JSON is a 422 json_invalid', async () => {
    const r = await h.call('POST', '/gpu/instances/', '{"plan_id": ');
    expect(r.status).toBe(422);
    expect(r.json.detail[0].type).toBe('json_invalid');
  });
});

describe('400: valid body, impossible request', () => {
  it('unknown plan id', async () => {
    const r = await h.call('POST', '/gpu/instances/', { ...container(), plan_id: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/not found or no longer available/);
  });

  it('a VM option id on the bare-metal endpoint (and a container plan on the VM endpoint)', async () => {
    const bm = await h.call('POST', '/gpu/instances/baremetal', vm());
    expect(bm.status).toBe(400);
    const v = await h.call('POST', '/gpu/instances/vms', { ...vm(), plan_id: PLAN_A100_1X });
    expect(v.status).toBe(400);
  });

  it('os_image not offered by the option, listing the allowed ones', async () => {
    const r = await h.call('POST', '/gpu/instances/vms', { ...vm(), os_image: 'Ubuntu Server 2.04' });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      detail: 'Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04',
    });
  });

  it('SSH_PUBKEY in env together with ssh_key', async () => {
    const body = container();
    body.container_settings.environment.push({ name: 'SSH_PUBKEY', value: SSH_KEY });
    const r = await h.call('POST', '/gpu/instances/', body);
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/SSH_PUBKEY/);
    // without ssh_key the same env is fine
    delete body.ssh_key;
    expect((await h.call('POST', '/gpu/instances/', body)).status).toBe(200);
  });

  it('constraints.location outside the plan locations', async () => {
    const r = await h.call('POST', '/gpu/instances/', { ...container(), constraints: { location: 'JP' } });
    expect(r.status).toBe(400);
    expect(r.json.detail).toMatch(/Location JP is not available.*US, DE, FI/);
  });

  it('nothing is created by a rejected request', async () => {
    const before = h.sim.control.instances().length;
    await h.call('POST', '/gpu/instances/', { ...container(), constraints: { location: 'JP' } });
    await h.call('POST', '/gpu/instances/', { ...container(), name: 'X' });
    expect(h.sim.control.instances()).toHaveLength(before);
  });
});

describe('the docs example requests are accepted as they are', () => {
  it.each([
    ['/gpu/instances/', 'instances-create-container.request.json'],
    ['/gpu/instances/', 'instances-create-container-minimal.request.json'],
    ['/gpu/instances/vms', 'instances-create-vm.request.json'],
  ])('POST %s with %s', async (path, file) => {
    const body = require(`../../../shared/fluence/examples/${file}`);
    const r = await h.call('POST', path, body);
    expect(r.status).toBe(200);
    expect(r.json.instance_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
