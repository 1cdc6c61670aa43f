/** Saved SSH keys and users' last channels in the store (migrations 900/901, Kysely): survive a restart, one per user. */
import { SshKeyBook } from '../../src/services/ssh-key-book';
import { FluenceError } from '../../src/fluence/errors';
import { ED25519_FP, ED25519_PUB, RSA2048_FP, RSA2048_PUB } from '../support/ssh-keys';
import { tempStores, type TempStores } from './temp-store';

let stores: TempStores;
beforeEach(() => {
  stores = tempStores();
});
afterEach(() => stores.cleanup());

const quiet = { debug() {}, info() {}, warn() {} };
const noAccount = { listAccountSshKeys: async () => [] };

test('a saved key is one row per user, replaced by the next, kept across a restart, deleted by clear', async () => {
  const store = await stores.open();
  const book = new SshKeyBook({ repo: store.sshKeys, fluence: noAccount, logger: quiet, now: stores.clock.now });
  expect(await book.saved('U1')).toBeUndefined();
  expect(await book.save('U1', ED25519_PUB)).toMatchObject({ ok: true });
  stores.clock.t += 1000;
  await book.save('U1', RSA2048_PUB);
  await book.save('U2', ED25519_PUB);
  expect(await store.sshKeys.get('U1')).toEqual({
    userId: 'U1', publicKey: RSA2048_PUB, fingerprint: RSA2048_FP, algorithm: 'RSA', bits: 2048, updatedAt: stores.clock.t,
  });
  await store.close();
  const again = await stores.open();
  const book2 = new SshKeyBook({ repo: again.sshKeys, fluence: noAccount, logger: quiet, now: stores.clock.now });
  expect((await book2.saved('U2'))?.fingerprint).toBe(ED25519_FP);
  expect(await book2.clear('U1')).toBe(true);
  expect(await book2.clear('U1')).toBe(false);
  expect(await again.sshKeys.get('U1')).toBeUndefined();
});

test('a refused text is not stored', async () => {
  const store = await stores.open();
  const book = new SshKeyBook({ repo: store.sshKeys, fluence: noAccount, logger: quiet, now: stores.clock.now });
  expect(await book.save('U1', 'ssh-ed25519 not-a-key')).toMatchObject({ ok: false });
  expect(await store.sshKeys.get('U1')).toBeUndefined();
});

test("the last channel is one per user, the newest wins", async () => {
  const store = await stores.open();
  expect(await store.lastChannels.get('U1')).toBeUndefined();
  await store.lastChannels.remember('U1', 'CA');
  await store.lastChannels.remember('U1', 'CB');
  await store.lastChannels.remember('U2', 'CA');
  expect([await store.lastChannels.get('U1'), await store.lastChannels.get('U2')]).toEqual(['CB', 'CA']);
});

test('account keys: cached for a minute, a refusal believed for 30 minutes, and one call for concurrent forms', async () => {
  const store = await stores.open();
  let calls = 0;
  let refuse = false;
  const fluence = {
    listAccountSshKeys: async () => {
      calls++;
      if (refuse) throw new FluenceError('auth', 'refused');
      return [{ id: 'k1', name: 'ci', publicKey: ED25519_PUB }, { id: 'k2', name: 'bad', publicKey: 'ssh-dss AAAA' }];
    },
  };
  const book = new SshKeyBook({ repo: store.sshKeys, fluence, logger: quiet, now: stores.clock.now });
  const [a, b] = await Promise.all([book.accountKeys(), book.accountKeys()]);
  expect(calls).toBe(1);
  expect(a.map((k) => k.name)).toEqual(['ci']); // a key that does not parse is not offered
  expect(b).toBe(a);
  stores.clock.t += 61_000;
  refuse = true;
  expect(await book.accountKeys()).toEqual([]);
  expect(calls).toBe(2);
  stores.clock.t += 29 * 60_000;
  expect(await book.accountKeys()).toEqual([]);
  expect(calls).toBe(2);
  stores.clock.t += 2 * 60_000;
  refuse = false;
  expect((await book.accountKeys()).map((k) => k.id)).toEqual(['k1']);
  expect(calls).toBe(3);
});

test('a slow main API does not hold a form: no account keys after waitMs, and the late answer serves the next form', async () => {
  const store = await stores.open();
  let answer: (v: Array<{ id: string; name: string; publicKey: string }>) => void = () => {};
  const fluence = { listAccountSshKeys: () => new Promise<Array<{ id: string; name: string; publicKey: string }>>((r) => (answer = r)) };
  const book = new SshKeyBook({ repo: store.sshKeys, fluence, logger: quiet, now: stores.clock.now });
  await book.save('U1', ED25519_PUB);
  const first = await book.sources('U1', { waitMs: 20 });
  expect(first.account).toEqual([]);
  expect(first.saved?.fingerprint).toBe(ED25519_FP);
  answer([{ id: 'k1', name: 'ci', publicKey: RSA2048_PUB }]);
  await new Promise((r) => setImmediate(r));
  expect((await book.sources('U1', { waitMs: 20 })).account.map((k) => k.id)).toEqual(['k1']);
});
