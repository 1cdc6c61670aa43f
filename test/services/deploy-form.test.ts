/** The deploy/update forms: every rule lands on the field the user must fix, with a precise message. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerPlanOffers, vmPlanOffers, type PlanOffer } from '../../src/fluence/model';
import { ContainerPlansSchema, VmPlansSchema } from '../../src/fluence/schemas';
import {
  apiIssuesToFieldErrors, deployFormBlocks, deployFormValues, keyedActionId, readDeployForm, type FormState,
} from '../../src/services/deploy-form';
import { registryHost } from '../../src/services/form-fields';
import { readRenameForm, readUpdateForm } from '../../src/services/update-form';
import { ACTION, BLOCK, INPUT_ACTION, type BlockId } from '../../src/slack/ids';
import { PRIVATE_KEY_WARNING } from '../../src/services/ssh-keys';
import { ED25519_PUB, RSA1024_PUB } from '../support/ssh-keys';

const EXAMPLES = join(__dirname, '../../../shared/fluence/examples');
const example = (f: string) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'));

const KEY = ED25519_PUB;
const baseOffer = containerPlanOffers(ContainerPlansSchema.parse(example('plans-containers.response.json')))[0]!;
const offer: PlanOffer = { ...baseOffer, planId: '075e40d4-2766-4347-833b-205245fe3629', locations: ['US', 'DE'] };
const vmOffer: PlanOffer = {
  ...vmPlanOffers('vm', VmPlansSchema.parse(example('plans-vms.response.json')))[0]!,
  planId: 'e5f00ba8-268e-4279-9672-eabca860f19e',
  osOptions: ['Ubuntu Server 22.04', 'Ubuntu Server 24.04'],
};

const SELECTS = new Set<BlockId>([BLOCK.plan, BLOCK.location, BLOCK.osImage, BLOCK.imagePreset]);
/** view.state.values as Slack sends them: text inputs carry `value`, selects `selected_option`. */
function state(fields: Partial<Record<BlockId, string | null>>): FormState {
  const out: FormState = {};
  for (const [block, v] of Object.entries(fields) as Array<[BlockId, string | null]>) {
    const action = block === BLOCK.plan ? ACTION.deployPlanSelect : INPUT_ACTION;
    out[block] = {
      [action]: SELECTS.has(block)
        ? { type: 'static_select', selected_option: v === null ? null : { value: v } }
        : { type: 'plain_text_input', value: v },
    };
  }
  return out;
}

const validContainer = {
  [BLOCK.plan]: offer.planId,
  [BLOCK.name]: 'my-gpu-container',
  [BLOCK.image]: 'docker.io/fluencelabs/debian-ssh-root:11',
  [BLOCK.ports]: '22/tcp, 80/http 443\n8000',
  [BLOCK.env]: '# model\nMODEL_PATH=/models/llama\n',
  [BLOCK.startup]: 'python3 serve.py --port 8000',
  [BLOCK.location]: 'US',
  [BLOCK.sshKey]: KEY,
};
const deploy = (over: Partial<Record<BlockId, string | null>>) => readDeployForm('container', state({ ...validContainer, ...over }), [offer]);
const errorsOf = (over: Partial<Record<BlockId, string | null>>) => {
  const r = deploy(over);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

test('a valid container form gives exactly the documented request body', () => {
  const r = deploy({});
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.request).toEqual({ ...example('instances-create-container.request.json'), ssh_key: KEY });
  expect(JSON.stringify(r.request)).toBe(JSON.stringify({ ...example('instances-create-container.request.json'), ssh_key: KEY }));
  expect(r.offer).toBe(offer);
  // a path is a setting, not a secret; the SSH key field always is
  expect(r.secrets).toEqual([KEY]);
});

test('a minimal container form omits optional parts; "Any location" sends no constraint', () => {
  const r = deploy({ [BLOCK.ports]: '22, 80/http', [BLOCK.env]: '', [BLOCK.startup]: null, [BLOCK.location]: 'any' });
  expect(r.ok && r.request).toEqual({ ...example('instances-create-container-minimal.request.json'), ssh_key: KEY });
});

test('a valid VM form gives exactly the documented request body', () => {
  const r = readDeployForm('vm', state({
    [BLOCK.plan]: vmOffer.planId, [BLOCK.name]: 'my-gpu-vm', [BLOCK.sshKey]: KEY, [BLOCK.osImage]: 'Ubuntu Server 22.04',
  }), [vmOffer]);
  expect(r.ok && r.request).toEqual({ ...example('instances-create-vm.request.json'), ssh_key: KEY });
  expect(r.ok && r.secrets).toEqual([KEY]);
});

test('private registry credentials: host from the image, password listed as a secret', () => {
  const r = deploy({ [BLOCK.image]: 'ghcr.io/myorg/private-model:v1', [BLOCK.registryUser]: 'myuser', [BLOCK.registryPassword]: 'ghp_xxxxxxxxxxxx' });
  expect(r.ok && r.request).toMatchObject({ container_settings: { credentials: { host: 'ghcr.io', username: 'myuser', password: 'ghp_xxxxxxxxxxxx' } } });
  expect(r.ok && r.secrets).toEqual(['ghp_xxxxxxxxxxxx', KEY]);
  const hub = deploy({ [BLOCK.image]: 'myorg/model:1', [BLOCK.registryUser]: 'u', [BLOCK.registryPassword]: 'pw12345' });
  expect(hub.ok && hub.request).toMatchObject({ container_settings: { credentials: { host: 'docker.io' } } });
  expect(registryHost('nginx')).toBe('docker.io');
  expect(registryHost('index.docker.io/library/nginx')).toBe('docker.io');
  expect(registryHost('localhost:5000/x')).toBe('localhost:5000');
});

test.each([
  'ghcr.io/org/app:V1',
  'docker.io/fluencelabs/debian-ssh-root:11',
  'nginx',
  'localhost:5000/team/app:Release_2.0',
  'ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  'org/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
])('the OCI reference grammar accepts %s (lowercase is for the repository, not the tag)', (image) => {
  const r = deploy({ [BLOCK.image]: image });
  expect(r.ok ? r.request : r.errors).toMatchObject({ container_settings: { image } });
});

test.each<[string, Partial<Record<BlockId, string | null>>, BlockId, string]>([
  ['no plan', { [BLOCK.plan]: null }, BLOCK.plan, 'Pick a plan.'],
  ['plan gone', { [BLOCK.plan]: 'nope' }, BLOCK.plan, 'This plan is no longer offered. Pick another one.'],
  ['empty name', { [BLOCK.name]: '' }, BLOCK.name, 'Name is required.'],
  ['long name', { [BLOCK.name]: 'a'.repeat(26) }, BLOCK.name, 'Name must be at most 25 characters (it has 26).'],
  ['name chars', { [BLOCK.name]: 'My_Box' }, BLOCK.name, 'Name may contain only lowercase letters, digits and hyphens.'],
  ['name hyphen', { [BLOCK.name]: '-box' }, BLOCK.name, 'Name must not start or end with a hyphen.'],
  ['no image', { [BLOCK.image]: '' }, BLOCK.image, 'Image is required (e.g. docker.io/fluencelabs/debian-ssh-root:11).'],
  ['image spaces', { [BLOCK.image]: 'my image' }, BLOCK.image, 'Image must not contain spaces.'],
  ['image case', { [BLOCK.image]: 'Org/App:V1' }, BLOCK.image, 'The repository name must be lowercase (the tag may keep its case): org/app:V1'],
  ['image bad tag', { [BLOCK.image]: 'org/app:-1' }, BLOCK.image, 'The tag after ":" may contain letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-").'],
  ['image bad digest', { [BLOCK.image]: 'org/app@sha256:abc' }, BLOCK.image, 'The digest after "@" must look like sha256:<64 hex digits>.'],
  ['image grammar', { [BLOCK.image]: 'org//app' }, BLOCK.image, 'This is not a valid image reference: use [registry/]repository[:tag][@sha256:digest], e.g. ghcr.io/org/app:v1.'],
  ['image long', { [BLOCK.image]: 'a'.repeat(256) }, BLOCK.image, 'Image must be at most 255 characters (it has 256).'],
  ['no ports', { [BLOCK.ports]: ' , ' }, BLOCK.ports, 'Expose at least one port, e.g. 22/tcp for SSH.'],
  ['port range', { [BLOCK.ports]: '5000-5005' }, BLOCK.ports, '5000-5005: port ranges are not supported, list the ports one by one.'],
  ['port junk', { [BLOCK.ports]: 'ssh' }, BLOCK.ports, '"ssh" is not a port. Write a number with an optional protocol: 8000 or 8000/udp.'],
  ['port big', { [BLOCK.ports]: '999999999' }, BLOCK.ports, '999999999: Port must be between 1 and 65535.'],
  ['port zero', { [BLOCK.ports]: '0' }, BLOCK.ports, '0: Port must be between 1 and 65535.'],
  ['protocol', { [BLOCK.ports]: '53/sctp' }, BLOCK.ports, '53/sctp: unknown protocol "sctp". Use tcp, udp, http.'],
  ['http not 80', { [BLOCK.ports]: '8080/http' }, BLOCK.ports, '8080/http: only port 80 can be http. Use 8080/tcp.'],
  ['duplicate', { [BLOCK.ports]: '22, 22/tcp' }, BLOCK.ports, 'Port 22/tcp is listed twice.'],
  ['http+tcp 80', { [BLOCK.ports]: '80/http 80' }, BLOCK.ports, 'Port 80/tcp is listed twice.'],
  ['11 ports', { [BLOCK.ports]: '1 2 3 4 5 6 7 8 9 10 11' }, BLOCK.ports, 'At most 10 ports can be exposed (you listed 11).'],
  ['env no =', { [BLOCK.env]: 'A=1\nsupersecret' }, BLOCK.env, 'Line 2 has no "=": write one NAME=value per line.'],
  ['env no name', { [BLOCK.env]: '=x' }, BLOCK.env, 'Line 1: the variable name before "=" is missing.'],
  ['env bad name', { [BLOCK.env]: 'model_path=x' }, BLOCK.env, 'Line 1: "model_path" is not a valid variable name: use uppercase letters, digits and _, starting with a letter.'],
  ['env twice', { [BLOCK.env]: 'A=1\n\nA=2' }, BLOCK.env, 'Line 3: A is set twice.'],
  ['env 65', { [BLOCK.env]: Array.from({ length: 65 }, (_, i) => `V${i}=x`).join('\n') }, BLOCK.env, 'At most 64 variables are allowed (you have 65).'],
  ['SSH_PUBKEY + key', { [BLOCK.env]: 'SSH_PUBKEY=ssh-ed25519 AAAA' }, BLOCK.env, 'Remove SSH_PUBKEY: it is set from the SSH public key field, and defining both makes the deploy fail.'],
  ['startup long', { [BLOCK.startup]: 'x'.repeat(2049) }, BLOCK.startup, 'Startup command must be at most 2048 characters (it has 2049).'],
  ['user only', { [BLOCK.registryUser]: 'bob' }, BLOCK.registryPassword, 'Enter the password or access token for bob, or clear the username.'],
  ['password only', { [BLOCK.registryPassword]: 'hunter22' }, BLOCK.registryUser, 'Enter the registry username, or clear the password.'],
  ['other registry', { [BLOCK.image]: 'quay.io/org/app', [BLOCK.registryUser]: 'u', [BLOCK.registryPassword]: 'p' }, BLOCK.image, 'Registry credentials work only for images on docker.io or ghcr.io; this image is on quay.io.'],
  ['location', { [BLOCK.location]: 'FR' }, BLOCK.location, 'FR is not available for this plan. Pick one of: US, DE, Any location.'],
  ['bad ssh key', { [BLOCK.sshKey]: 'hello' }, BLOCK.sshKey, 'This is not an OpenSSH public key: it should be one line starting with `ssh-ed25519`, `ecdsa-sha2-nistp256` (or 384/521) or `ssh-rsa`, as in your .pub file.'],
  ['private key', { [BLOCK.sshKey]: '-----BEGIN OPENSSH PRIVATE KEY-----' }, BLOCK.sshKey, PRIVATE_KEY_WARNING],
  ['short rsa key', { [BLOCK.sshKey]: RSA1024_PUB }, BLOCK.sshKey, 'This RSA key has 1024 bits; at least 2048 are needed. Make a new key with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`) and paste its .pub file.'],
])('container: %s -> error on the right field', (_name, over, block, message) => {
  const errors = errorsOf(over);
  expect(errors[block]).toBe(message);
  expect(Object.keys(errors)).toEqual([block]);
});

test('several mistakes are reported together, each on its field, and secrets are never echoed', () => {
  const errors = errorsOf({ [BLOCK.name]: '', [BLOCK.ports]: '', [BLOCK.env]: 'mysecretvalue' });
  expect(Object.keys(errors).sort()).toEqual([BLOCK.env, BLOCK.name, BLOCK.ports].sort());
  expect(JSON.stringify(errors)).not.toContain('mysecretvalue');
});

test('SSH_PUBKEY without an SSH key is allowed; a value may contain "="', () => {
  const r = deploy({ [BLOCK.sshKey]: '', [BLOCK.env]: 'SSH_PUBKEY=k\nTOKEN=a=b==' });
  expect(r.ok && r.request).toMatchObject({ container_settings: { environment: [{ name: 'SSH_PUBKEY', value: 'k' }, { name: 'TOKEN', value: 'a=b==' }] } });
  expect(r.ok && 'ssh_key' in r.request).toBe(false);
});

describe('VM / bare metal', () => {
  const vm = (over: Partial<Record<BlockId, string | null>>, type: 'vm' | 'baremetal' = 'vm') =>
    readDeployForm(type, state({ [BLOCK.plan]: vmOffer.planId, [BLOCK.name]: 'box', [BLOCK.sshKey]: KEY, [BLOCK.osImage]: 'Ubuntu Server 22.04', ...over }), [vmOffer]);
  test('SSH key is required', () => {
    expect(vm({ [BLOCK.sshKey]: '' })).toEqual({ ok: false, errors: { [BLOCK.sshKey]: 'An SSH public key is required: it is the only way into the machine. Paste yours (the .pub file).' } });
  });
  test('OS image must be one of the offer\'s options', () => {
    expect(vm({ [BLOCK.osImage]: 'Ubuntu Server 2.04' })).toEqual({
      ok: false, errors: { [BLOCK.osImage]: 'Pick an OS image this plan offers: Ubuntu Server 22.04, Ubuntu Server 24.04.' },
    });
    expect(vm({ [BLOCK.osImage]: '#1' }).ok && (vm({ [BLOCK.osImage]: '#1' }) as { request: { os_image: string } }).request.os_image).toBe('Ubuntu Server 24.04');
  });
  test('a VM plan id is not accepted for bare metal', () => {
    expect(vm({}, 'baremetal')).toMatchObject({ ok: false, errors: { [BLOCK.plan]: 'This plan is no longer offered. Pick another one.' } });
  });
});

describe('update form', () => {
  const current = { container: { environment: [{ name: 'HF_TOKEN', value: 'hf_live_secret' }, { name: 'MODE', value: 'prod' }] } };
  const base = { [BLOCK.name]: 'my-ctr', [BLOCK.image]: 'docker.io/org/app:2' };
  test('empty values keep the current value, typed values replace it, dropped lines remove the variable', () => {
    const r = readUpdateForm(state({ ...base, [BLOCK.env]: 'HF_TOKEN=\nNEW=1', [BLOCK.startup]: 'run.sh' }), current);
    expect(r).toEqual({
      ok: true,
      request: {
        name: 'my-ctr',
        container_settings: { image: 'docker.io/org/app:2', environment: [{ name: 'HF_TOKEN', value: 'hf_live_secret' }, { name: 'NEW', value: '1' }], startup_command: 'run.sh' },
      },
      // HF_TOKEN is a credential by its name; NEW=1 is a setting
      secrets: ['hf_live_secret'],
    });
  });
  test('an empty SSH key field keeps the current key (it lives in SSH_PUBKEY); a typed key replaces it', () => {
    const withKey = { container: { environment: [{ name: 'SSH_PUBKEY', value: 'ssh-ed25519 AAAAold me@old' }, { name: 'MODE', value: 'prod' }] } };
    const kept = readUpdateForm(state({ ...base, [BLOCK.env]: 'MODE=' }), withKey);
    expect(kept).toMatchObject({
      ok: true,
      request: { container_settings: { environment: [{ name: 'MODE', value: 'prod' }] }, ssh_key: 'ssh-ed25519 AAAAold me@old' },
    });
    const newKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl new@laptop';
    const replaced = readUpdateForm(state({ ...base, [BLOCK.env]: 'MODE=', [BLOCK.sshKey]: newKey }), withKey);
    expect(replaced).toMatchObject({ ok: true, request: { ssh_key: newKey } });
    expect(JSON.stringify(replaced)).not.toContain('AAAAold');
  });
  test('the same rules apply, on the same fields', () => {
    const r = readUpdateForm(state({ ...base, [BLOCK.name]: 'Bad Name', [BLOCK.env]: 'x=1', [BLOCK.sshKey]: 'nope' }), current);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual([BLOCK.env, BLOCK.name, BLOCK.sshKey].sort());
  });
  test('rename form checks the name rule', () => {
    expect(readRenameForm(state({ [BLOCK.name]: 'ok-name' }))).toEqual({ ok: true, name: 'ok-name' });
    expect(readRenameForm(state({ [BLOCK.name]: 'no way' }))).toEqual({ ok: false, errors: { [BLOCK.name]: 'Name may contain only lowercase letters, digits and hyphens.' } });
  });
});

describe('422 loc -> field', () => {
  const one = (loc: Array<string | number>, type: 'container' | 'vm' = 'container') =>
    apiIssuesToFieldErrors([{ loc, msg: 'Value error, bad', type: 'value_error' }], { blocks: deployFormBlocks(type) });
  test.each<[Array<string | number>, BlockId, string]>([
    [['body', 'container_settings', 'expose', 0, 'port'], BLOCK.ports, 'Port 1: bad'],
    [['body', 'container_settings', 'environment', 2, 'name'], BLOCK.env, 'Variable 3: bad'],
    [['body', 'name'], BLOCK.name, 'bad'],
    [['body', 'container_settings', 'image'], BLOCK.image, 'bad'],
    [['body', 'container_settings', 'startup_command'], BLOCK.startup, 'bad'],
    [['body', 'container_settings', 'credentials', 'password'], BLOCK.registryPassword, 'Registry credentials: bad'],
    [['body', 'container_settings', 'credentials', 'username'], BLOCK.registryUser, 'Registry credentials: bad'],
    [['body', 'container_settings', 'credentials', 'host'], BLOCK.image, 'Registry credentials: bad'],
    [['body', 'constraints', 'location'], BLOCK.location, 'bad'],
    [['body', 'ssh_key'], BLOCK.sshKey, 'bad'],
    [['body', 'plan_id'], BLOCK.plan, 'bad'],
    [['body', 'mystery', 3], BLOCK.plan, 'mystery.3: bad'],
  ])('%j', (loc, block, text) => {
    expect(one(loc)).toEqual({ [block]: text });
  });
  test('VM: os_image and ssh_key map; a container-only loc falls back to the plan block', () => {
    expect(one(['body', 'os_image'], 'vm')).toEqual({ [BLOCK.osImage]: 'bad' });
    expect(one(['body', 'constraints', 'location'], 'vm')).toEqual({ [BLOCK.plan]: 'constraints.location: bad' });
  });
  test('the input (maybe a secret) is never shown; two issues on one field are joined', () => {
    const e = apiIssuesToFieldErrors([
      { loc: ['body', 'container_settings', 'expose', 0, 'port'], msg: 'Value error, Port must be between 1 and 65535', input: '999999999' } as never,
      { loc: ['body', 'container_settings', 'expose', 1, 'protocol'], msg: 'Input should be tcp' },
    ]);
    expect(e).toEqual({ [BLOCK.ports]: 'Port 1: Port must be between 1 and 65535 · Port 2: Input should be tcp' });
  });
});

test('re-render values: kept when the same preset and plan, dropped when they just changed', () => {
  const s: FormState = {
    [BLOCK.plan]: { [ACTION.deployPlanSelect]: { selected_option: { value: 'p2' } } },
    [BLOCK.imagePreset]: { [ACTION.deployImagePreset]: { selected_option: { value: 'new' } } },
    [BLOCK.name]: { [INPUT_ACTION]: { value: 'box' } },
    [BLOCK.image]: { [keyedActionId('old')]: { value: 'old/image' } },
    [BLOCK.registryPassword]: { [INPUT_ACTION]: { value: 'hunter22' } },
    [BLOCK.location]: { [keyedActionId('p2')]: { selected_option: { value: 'US' } } },
  };
  expect(deployFormValues(s)).toEqual({ planId: 'p2', imagePreset: 'new', name: 'box', location: 'US' });
  s[BLOCK.image] = { [keyedActionId('new')]: { value: 'typed/image' } };
  expect(deployFormValues(s).image).toBe('typed/image');
});
