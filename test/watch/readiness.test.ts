/**
 * "Ready" means usable (API.md §10): ACTIVE, container STARTED, an address. On the manual clock:
 * an ACTIVE container that has not started is not ready; past the start grace its requester gets
 * one diagnostics reply (events + logs) and the watch goes on; a detail that never parses still
 * reaches the give-up limit instead of being polled forever.
 */
import { FluenceError } from '../../src/fluence/errors';
import { ACTION } from '../../src/slack/ids';
import { CONNECTIONS, FakeFluence, harness, MIN, textOf, watchInput, type Harness } from './fakes';

let h: Harness;
let fluence: FakeFluence;

beforeEach(async () => {
  fluence = new FakeFluence();
  h = await harness(fluence);
});
afterEach(async () => {
  await h.close();
});

async function cycles(n: number, stepMs = 15_000) {
  for (let i = 0; i < n; i++) {
    h.clock.advance(stepMs);
    await h.watcher.runCycle();
  }
}

const kinds = async () => (await h.store.messagesFor('c1')).filter((m) => m.kind !== 'status').map((m) => m.kind);
const CRASH_EVENTS = [
  '[pod]: [Normal] [Started] Started container service-1',
  '[pod]: [Warning] [BackOff] Back-off restarting failed container service-1 in pod pod',
];
const CRASH_LOGS = ["[pod] ModuleNotFoundError: No module named 'torch'"];

test('ACTIVE with an address but container NOT_STARTED is not ready: no "connect with" reply', async () => {
  fluence.put({ type: 'container', id: 'c1', name: 'llm', status: 'ACTIVE', containerStatus: 'NOT_STARTED', connection: CONNECTIONS.container });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm' }));
  await cycles(4); // one minute: well inside the start grace
  expect(h.notifier.replies()).toEqual([]);
  expect((await h.store.get('c1'))!.state).toBe('watching');

  fluence.set('c1', { containerStatus: 'STARTED' });
  await cycles(1);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(textOf(h.notifier.replies()[0]!.message)).toContain('is ready');
});

test('past the start grace, in the DM of its owner: ONE reply with the last events and logs and Refresh / Terminate; ready still comes once, also across a restart', async () => {
  await h.close();
  h = await harness(fluence, { mayReadLines: (w) => w.requesterId === 'U1' });
  fluence.put({
    type: 'container', id: 'c1', name: 'llm', status: 'ACTIVE', containerStatus: 'NOT_STARTED', connection: CONNECTIONS.container,
    events: CRASH_EVENTS, logs: CRASH_LOGS,
  });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm', channelId: 'D1' }));
  await cycles(1); // first seen not started
  await cycles(19); // 4 min 45 s later: still inside the 5 min grace
  expect(h.notifier.replies()).toEqual([]);
  expect(fluence.calls.filter((c) => c.startsWith('events:') || c.startsWith('logs:'))).toEqual([]);

  await cycles(1); // 5 min after it was first seen not started
  const replies = h.notifier.replies();
  expect(replies).toHaveLength(1);
  const body = textOf(replies[0]!.message);
  expect(replies[0]!.message.text).toContain('llm is ACTIVE but its container has not started');
  expect(body).toContain('has not started after 5 min (container status NOT_STARTED)');
  expect(body).toContain('[BackOff] Back-off restarting failed container');
  expect(body).toContain("ModuleNotFoundError: No module named 'torch'");
  // only the tail is fetched (`?last=N` on both endpoints)
  expect(fluence.lastArgs.every((n) => typeof n === 'number' && n > 0)).toBe(true);
  const actions = replies[0]!.message.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string; text: { text: string } }> };
  expect(actions.elements.map((e) => [e.text.text, e.action_id, e.value])).toEqual([
    ['Refresh', ACTION.openInstance, 'container:c1'],
    ['Terminate', ACTION.terminate, 'container:c1'],
  ]);
  expect((await h.store.get('c1'))!.state).toBe('watching');

  // a restart does not send it again
  await h.restart();
  await cycles(8);
  expect(h.notifier.replies()).toHaveLength(1);

  fluence.set('c1', { containerStatus: 'STARTED' });
  await cycles(3);
  expect(h.notifier.replies().map((r) => r.message.text)).toEqual([
    expect.stringContaining('has not started'),
    expect.stringContaining('llm is ready'),
  ]);
  expect(await kinds()).toEqual(['not_started', 'ready']);
  expect((await h.store.get('c1'))).toMatchObject({ state: 'done', outcome: 'ready' });
});

test('past the start grace, in a channel: the reply says what is known, withholds the lines (not fetched) and offers Events / Logs', async () => {
  await h.close();
  h = await harness(fluence, { mayReadLines: () => true });
  fluence.put({
    type: 'container', id: 'c1', name: 'llm', status: 'ACTIVE', containerStatus: 'NOT_STARTED', connection: CONNECTIONS.container,
    events: CRASH_EVENTS, logs: CRASH_LOGS,
  });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm', channelId: 'C1' }));
  await cycles(21);
  const replies = h.notifier.replies();
  expect(replies).toHaveLength(1);
  const body = textOf(replies[0]!.message);
  expect(body).toContain('has not started after 5 min (container status NOT_STARTED)');
  expect(body).toMatch(/not shown here: they may hold secrets/);
  expect(body).not.toContain('BackOff');
  expect(body).not.toContain('ModuleNotFoundError');
  expect(fluence.calls.filter((c) => c.startsWith('events:') || c.startsWith('logs:'))).toEqual([]);
  const actions = replies[0]!.message.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; text: { text: string } }> };
  expect(actions.elements.map((e) => [e.text.text, e.action_id])).toEqual([
    ['Refresh', ACTION.openInstance],
    ['Events', ACTION.events],
    ['Logs', ACTION.logs],
    ['Terminate', ACTION.terminate],
  ]);
});

test('the grace is counted from when it was first seen ACTIVE-but-not-started, not from the deploy', async () => {
  await h.close();
  h = await harness(fluence, { startGraceMs: 2 * MIN });
  fluence.put({ type: 'container', id: 'c1', name: 'llm', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm' }));
  await cycles(12); // 3 min provisioning
  fluence.set('c1', { status: 'ACTIVE', containerStatus: 'NOT_STARTED', connection: CONNECTIONS.container });
  await cycles(8); // 1 min 45 s after ACTIVE
  expect(h.notifier.replies()).toEqual([]);
  await cycles(1);
  expect(await kinds()).toEqual(['not_started']);
});

test('a container detail without container_status (older API) is ready on ACTIVE + address, as before', async () => {
  fluence.put({ type: 'container', id: 'c1', name: 'llm', status: 'ACTIVE', connection: CONNECTIONS.container });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm' }));
  await cycles(1);
  expect(await kinds()).toEqual(['ready']);
});

test('a detail that never parses does not keep a watch alive forever: slow, then gave up at the hard limit', async () => {
  const unparseable = new FluenceError('bad_response', 'Fluence sent an unexpected response', { field: 'network.forwarded_ports[0].port' });
  fluence.put({ type: 'container', id: 'c1', name: 'llm', status: 'ACTIVE', detailError: unparseable });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'llm' }));
  for (let i = 0; i < 13; i++) await cycles(1, 30 * MIN); // 6.5 h: past the 6 h hard limit
  expect(await kinds()).toEqual(['slow', 'gave_up']);
  expect((await h.store.get('c1'))).toMatchObject({ state: 'done', outcome: 'gave_up', lastStatus: 'ACTIVE' });
  fluence.resetCalls();
  await cycles(2);
  expect(fluence.calls).toEqual([]);
});
