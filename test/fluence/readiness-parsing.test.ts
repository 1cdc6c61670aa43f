/**
 * Detail parsing as the newest docs describe the bodies (API.md §10), through the real client
 * against a scripted server: null network / domain / uri / ssh_connection parse, "usable" needs
 * container_status STARTED, the container SSH user is root only for the root-SSH image, and a
 * status string the docs do not list is logged once per value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FluenceClient, type FluenceClientOptions } from '../../src/fluence/client';
import { isUsable } from '../../src/fluence/model';
import { startStub, type Stub } from './stub-server';

const EXAMPLES = path.join(__dirname, '../../../shared/fluence/examples');
const example = (name: string): any => JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8'));

let stub: Stub;
let warnings: unknown[][];
let client: FluenceClient;

beforeEach(async () => {
  stub = await startStub();
  warnings = [];
  client = new FluenceClient({
    baseUrl: stub.url,
    apiKey: 'k',
    sleep: async () => {},
    logger: { warn: (...a: unknown[]) => void warnings.push(a), debug: () => {} } as unknown as FluenceClientOptions['logger'],
  });
});
afterEach(() => stub.stop());

const active = () => example('instance-container-active.response.json');

async function containerWith(change: (b: any) => void) {
  const body = active();
  change(body);
  stub.script({ status: 200, body });
  return client.getInstance('container', body.id);
}

describe('container detail', () => {
  it('the docs example is usable, with a root SSH line (debian-ssh-root image)', async () => {
    const d = await containerWith(() => {});
    expect(isUsable(d)).toBe(true);
    expect(d.connection?.ssh).toBe('ssh -p 32345 root@provider.a100.pub');
    expect(d.connection?.sshHint).toBeUndefined();
  });

  it('ACTIVE + NOT_STARTED has an address but is not usable', async () => {
    const d = await containerWith((b) => (b.container_status = 'NOT_STARTED'));
    expect(d.connection?.host).toBe('provider.a100.pub');
    expect(isUsable(d)).toBe(false);
  });

  it.each<[string, (b: any) => void]>([
    ['network null', (b) => (b.network = null)],
    ['network.domain null', (b) => (b.network.domain = null)],
    ['network.domain and uri absent', (b) => (delete b.network.domain, delete b.network.uri)],
    ['forwarded_ports absent', (b) => delete b.network.forwarded_ports],
    ['container_info null', (b) => (b.container_info = null)],
  ])('%s parses and is not usable without a domain', async (_what, change) => {
    const d = await containerWith(change);
    expect(d.state).toBe('active');
    const hasDomain = Boolean(d.connection?.host);
    expect(isUsable(d)).toBe(hasDomain);
  });

  it.each([
    ['docker.io/pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', 'ssh -p 32345 <user>@provider.a100.pub', true],
    ['ghcr.io/fluencelabs/debian-ssh-root:11', 'ssh -p 32345 <user>@provider.a100.pub', true],
    ['fluencelabs/debian-ssh-root:12', 'ssh -p 32345 root@provider.a100.pub', false],
    [`docker.io/fluencelabs/debian-ssh-root@sha256:${'0'.repeat(64)}`, 'ssh -p 32345 root@provider.a100.pub', false],
  ])('image %s -> %s', async (image, ssh, hint) => {
    const d = await containerWith((b) => (b.container_info.image = image));
    expect(d.connection?.ssh).toBe(ssh);
    expect(Boolean(d.connection?.sshHint)).toBe(hint);
  });
});

describe('VM detail', () => {
  it('ssh_connection null and network null on an ACTIVE VM parse: no connection yet', async () => {
    const body = example('instance-vm-active.response.json');
    body.ssh_connection = null;
    body.network = null;
    stub.script({ status: 200, body });
    const d = await client.getInstance('vm', body.id);
    expect(d.state).toBe('active');
    expect(d.connection).toBeNull();
    expect(isUsable(d)).toBe(false);
  });
});

describe('unknown status strings', () => {
  it('are logged once per value, across calls and fields', async () => {
    const list = example('instances-list-containers.response.json');
    list[0].instance_status = 'INITIATED';
    list[1].instance_status = 'UPDATING';
    stub.script({ status: 200, body: list });
    await client.listInstances('container');
    await client.listInstances('container');
    const weird = active();
    weird.container_status = 'RESTARTING';
    stub.script({ status: 200, body: weird });
    const d = await client.getInstance('container', weird.id);
    await client.getInstance('container', weird.id);
    expect(isUsable(d)).toBe(false);
    expect(warnings.map((w) => w[0])).toEqual([
      { field: 'status', value: 'INITIATED' },
      { field: 'status', value: 'UPDATING' },
      { field: 'container_status', value: 'RESTARTING' },
    ]);
  });
});
