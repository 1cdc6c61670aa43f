/**
 * Main API GET /v1/ssh_keys (API.md §6.2) through the client against the simulator: the account's
 * keys when the API key may list them, an `auth` error when the main API refuses (its spec lists
 * only JWT security for this endpoint), which the bot then treats as "no account keys".
 */
import { FluenceClient } from '../../src/fluence/client';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { ECDSA384_PUB, ED25519_FP, ED25519_PUB } from '../support/ssh-keys';

let sim: SimulatorHandle;
let fluence: FluenceClient;

beforeEach(async () => {
  sim = await startSimulator();
  fluence = new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: 2000, sleep: async () => {} });
});
afterEach(() => sim.stop());

it('lists the account keys with their names, ids and fingerprints', async () => {
  expect(await fluence.listAccountSshKeys()).toEqual([]);
  const laptop = sim.control.addAccountSshKey('laptop', ED25519_PUB);
  sim.control.addAccountSshKey('ci', ECDSA384_PUB);
  const keys = await fluence.listAccountSshKeys();
  expect(keys.map((k) => [k.name, k.publicKey])).toEqual([['laptop', ED25519_PUB], ['ci', ECDSA384_PUB]]);
  expect(keys[0]).toMatchObject({ id: laptop.id, fingerprint: ED25519_FP });
  const call = sim.control.requests.at(-1)!;
  expect([call.method, call.path, call.status]).toEqual(['GET', '/v1/ssh_keys', 200]);
});

it.each([401, 403] as const)('a %i from the main API is an auth error, asked once (never retried)', async (status) => {
  sim.control.addAccountSshKey('laptop', ED25519_PUB);
  sim.control.refuseAccountSshKeys(status);
  await expect(fluence.listAccountSshKeys()).rejects.toMatchObject({ kind: 'auth' });
  expect(sim.control.requests.filter((r) => r.path === '/v1/ssh_keys')).toHaveLength(1);
});

it('needs the API key like every other main-API call', async () => {
  const stranger = new FluenceClient({ baseUrl: sim.url, apiKey: 'wrong', timeoutMs: 2000, sleep: async () => {} });
  await expect(stranger.listAccountSshKeys()).rejects.toMatchObject({ kind: 'auth' });
});
