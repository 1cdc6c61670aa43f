/** Home re-publishing: changes are debounced into one publish per user, publishes of one user never overlap. */
import type { FluenceApi } from '../../src/fluence/api';
import { HomeRefresher, observeInstanceChanges } from '../../src/services/home-refresh';
import { ManualClock } from '../../src/watch/clock';

function setup(owners: Record<string, string> = {}) {
  const clock = new ManualClock();
  const published: string[] = [];
  const errors: unknown[] = [];
  let gate: Promise<void> = Promise.resolve();
  const refresher = new HomeRefresher({
    clock,
    debounceMs: 2000,
    publish: async (u) => {
      await gate;
      published.push(u);
    },
    ownersOf: async (id) => (owners[id] ? [owners[id]!] : []),
    onError: (err) => errors.push(err),
  });
  return { clock, published, errors, refresher, hold: (p: Promise<void>) => (gate = p) };
}

test('changes within the debounce window are served by one publish per user, after the window', async () => {
  const { clock, published, refresher } = setup({ i1: 'UA', i2: 'UA', i3: 'UB' });
  refresher.instanceChanged('i1');
  clock.advance(500);
  refresher.instanceChanged('i2');
  refresher.userChanged('UA', 'UC');
  refresher.instanceChanged('i3');
  refresher.instanceChanged('unknown-owner');
  expect(published).toEqual([]);
  clock.advance(1499);
  await refresher.idle();
  expect(published).toEqual([]);
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  await refresher.idle();
  expect(published.sort()).toEqual(['UA', 'UB', 'UC']);
  // the next change starts a new window
  refresher.userChanged('UA');
  clock.advance(2000);
  await new Promise((r) => setImmediate(r));
  await refresher.idle();
  expect(published.filter((u) => u === 'UA')).toHaveLength(2);
});

test('opening publishes at once; a second publish of the same user waits for the first', async () => {
  const { published, refresher, hold } = setup();
  let release!: () => void;
  hold(new Promise<void>((r) => (release = r)));
  const first = refresher.opened('UA');
  const second = refresher.opened('UA');
  await new Promise((r) => setImmediate(r));
  expect(published).toEqual([]);
  release();
  await Promise.all([first, second]);
  expect(published).toEqual(['UA', 'UA']);
});

test('a failing publish is reported and does not stop the next one', async () => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  let n = 0;
  const refresher = new HomeRefresher({
    clock,
    publish: async () => {
      if (n++ === 0) throw new Error('views.publish failed');
    },
    ownersOf: async () => [],
    onError: (err) => errors.push(err),
  });
  await refresher.opened('UA');
  await refresher.opened('UA');
  expect(errors).toHaveLength(1);
  expect(n).toBe(2);
});

test('stop() cancels the pending window: nothing is published after it', async () => {
  const { clock, published, refresher } = setup();
  refresher.userChanged('UA');
  refresher.stop();
  clock.advance(10_000);
  await refresher.idle();
  expect(published).toEqual([]);
  expect(clock.pending).toBe(0);
});

test('observeInstanceChanges reports created, terminated, updated and renamed instances after Fluence accepted them, and nothing for reads or failures', async () => {
  const seen: string[] = [];
  const fake = {
    createInstance: async () => ({ instanceId: 'new-1' }),
    terminateInstance: async () => undefined,
    updateContainer: async () => undefined,
    renameInstance: async () => {
      throw new Error('refused');
    },
    listInstances: async () => [],
  } as unknown as FluenceApi;
  const api = observeInstanceChanges(fake, (id) => seen.push(id));
  await api.createInstance('container', {} as never);
  await api.terminateInstance('vm', 'vm-2');
  await api.updateContainer('ctr-3', {} as never);
  await expect(api.renameInstance('vm', 'vm-4', 'x')).rejects.toThrow('refused');
  await api.listInstances('container');
  expect(seen).toEqual(['new-1', 'vm-2', 'ctr-3']);
});
