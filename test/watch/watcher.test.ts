import { FluenceError } from '../../src/fluence/errors';
import { WORKLOAD_TYPES } from '../../src/fluence/workload';
import { ACTION } from '../../src/slack/ids';
import type { WatchRecord } from '../../src/store/watches';
import { FleetSnapshot } from '../../src/background/fleet';
import { Scheduler } from '../../src/background/scheduler';
import { captureLogger, CONNECTIONS, FakeFluence, harness, MIN, textOf, watchInput, type Harness } from './fakes';

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
  const reports = [];
  for (let i = 0; i < n; i++) {
    h.clock.advance(stepMs);
    reports.push(await h.watcher.runCycle());
  }
  return reports;
}

describe.each(WORKLOAD_TYPES)('%s instance becoming ready', (type) => {
  test('one ready reply in the thread with the connect command, then the watch ends', async () => {
    fluence.put({ type, id: 'i1', name: 'my-llm', status: 'INITIALIZED' });
    const w = await h.watcher.watch(watchInput('i1', type, { name: 'my-llm' }));
    await cycles(4);
    expect(h.notifier.replies()).toHaveLength(0);

    fluence.set('i1', { status: 'ACTIVE', connection: CONNECTIONS[type] });
    h.clock.advance(2 * MIN + 14_000 - 4 * 15_000);
    await h.watcher.runCycle();
    await cycles(5);

    const replies = h.notifier.replies();
    expect(replies).toHaveLength(1);
    const r = replies[0]!;
    expect(r.method).toBe('reply');
    expect(r.to).toBe(`C1/${w.messageTs}`);
    const body = textOf(r.message);
    expect(body).toContain('<@U1>');
    expect(body).toContain('```' + CONNECTIONS[type].ssh + '```');
    expect(body).toContain('ready in 2 min 14 s');
    expect(body).toContain('$2.96/h');
    // the living message was edited to ACTIVE
    const edits = h.notifier.sent.filter((s) => s.method === 'updateStatus');
    expect(edits.at(-1)!.message.text).toContain('ACTIVE');
    expect((await h.store.get('i1'))!.state).toBe('done');
    // no more Fluence calls for a finished watch
    fluence.resetCalls();
    await cycles(2);
    expect(fluence.calls).toEqual([]);
  });
});

test('container ready reply lists every forwarded port and the endpoint URL', async () => {
  fluence.put({ type: 'container', id: 'c1', name: 'web', status: 'ACTIVE', connection: CONNECTIONS.container });
  await h.watcher.watch(watchInput('c1', 'container', { name: 'web' }));
  await cycles(1);
  const body = textOf(h.notifier.replies()[0]!.message);
  expect(body).toContain('8000/tcp → provider.a100.pub:31234');
  expect(body).toContain('22/tcp → provider.a100.pub:32345');
  expect(body).toContain('https://abc.provider.a100.pub');
});

test('ACTIVE without connection details is not ready: keep watching, reply once they appear', async () => {
  fluence.put({ type: 'vm', id: 'v1', name: 'box', status: 'ACTIVE', connection: null });
  await h.watcher.watch(watchInput('v1', 'vm'));
  await cycles(3);
  expect(h.notifier.replies()).toHaveLength(0);
  expect((await h.store.get('v1'))!.state).toBe('watching');
  // status moved INITIALIZED -> ACTIVE once: one edit, not one per cycle
  expect(h.notifier.sent.filter((s) => s.method === 'updateStatus')).toHaveLength(1);
  fluence.set('v1', { connection: CONNECTIONS.vm });
  await cycles(2);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(textOf(h.notifier.replies()[0]!.message)).toContain('ssh ubuntu@216.81.248.90');
});

describe('FAILED container', () => {
  async function failedReply(channelId: string, mayReadLines?: (w: WatchRecord) => boolean) {
    await h.close();
    h = await harness(fluence, mayReadLines ? { mayReadLines } : {});
    fluence.put({
      type: 'container', id: 'f1', name: 'bad', status: 'INITIALIZED',
      events: ['[pod]: [Warning] [Failed] Failed to pull image "nope:latest": not found'],
      logs: ['[pod] exec /start.sh: no such file or directory'],
    });
    await h.watcher.watch(watchInput('f1', 'container', { name: 'bad', channelId }));
    await cycles(1);
    fluence.set('f1', { status: 'FAILED' });
    await cycles(3);
    const replies = h.notifier.replies();
    expect(replies).toHaveLength(1);
    expect((await h.store.get('f1'))!.outcome).toBe('failed');
    expect(h.notifier.sent.find((s) => s.method === 'updateStatus' && s.message.text.includes('FAILED'))).toBeDefined();
    const diagnosticsCalls = fluence.calls.filter((c) => c.startsWith('events:') || c.startsWith('logs:'));
    return { body: textOf(replies[0]!.message), message: replies[0]!.message, diagnosticsCalls };
  }

  test('in the DM of a requester who may read them: one reply with the last events and log lines and the refund', async () => {
    const { body, diagnosticsCalls } = await failedReply('D1', (w) => w.requesterId === 'U1');
    expect(body).toContain('Failed to pull image');
    expect(body).toContain('no such file or directory');
    expect(body).toMatch(/refund/);
    expect(diagnosticsCalls).toHaveLength(2);
  });

  test.each([
    ['in a channel', 'C1', () => true],
    ['in the DM of a requester who may not read them (`/gpu watch` of another\'s instance)', 'D1', () => false],
    ['without an access rule', 'D1', undefined],
  ])('%s: the reply withholds the lines (not even fetched) and offers Events / Logs', async (_label, channelId, mayRead) => {
    const { body, message, diagnosticsCalls } = await failedReply(channelId, mayRead);
    expect(body).not.toContain('Failed to pull image');
    expect(body).not.toContain('no such file or directory');
    expect(body).toMatch(/failed to deploy \(status FAILED\)/);
    expect(body).toMatch(/refund/);
    expect(body).toMatch(/not shown here: they may hold secrets/);
    expect(diagnosticsCalls).toEqual([]);
    const actions = message.blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; value: string }> };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION.events, 'container:f1'],
      [ACTION.logs, 'container:f1'],
    ]);
  });
});

test('FAILED VM: reply without diagnostics calls (VM/BM have no logs)', async () => {
  fluence.put({ type: 'vm', id: 'f2', name: 'badvm', status: 'FAILED' });
  await h.watcher.watch(watchInput('f2', 'vm'));
  await cycles(1);
  expect(fluence.calls).toEqual(['list:vm']);
  expect(textOf(h.notifier.replies()[0]!.message)).toMatch(/failed to deploy/);
});

test('ENDED while watched (terminated elsewhere): one reply saying it ended', async () => {
  fluence.put({ type: 'baremetal', id: 'e1', name: 'gone', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('e1', 'baremetal'));
  await cycles(1);
  fluence.set('e1', { status: 'ENDED' });
  await cycles(3);
  expect(h.notifier.replies()).toHaveLength(1);
  expect(textOf(h.notifier.replies()[0]!.message)).toContain('has ended');
  expect((await h.store.get('e1'))!.outcome).toBe('ended');
});

test('slow provisioning: one "taking long" reply with a Terminate button, then one gave-up reply at the hard limit', async () => {
  fluence.put({ type: 'container', id: 's1', name: 'slow', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('s1', 'container'));
  await cycles(10, 5 * MIN); // 50 min
  let replies = h.notifier.replies();
  expect(replies).toHaveLength(1);
  expect(replies[0]!.message.text).toMatch(/taking long/);
  const actions = replies[0]!.message.blocks.find((b) => b.type === 'actions') as unknown as {
    elements: Array<{ action_id: string; value: string; confirm?: unknown }>;
  };
  expect(actions.elements[0]).toMatchObject({ action_id: ACTION.terminate, value: 'container:s1' });
  expect(actions.elements[0]!.confirm).toBeDefined();
  expect((await h.store.get('s1'))!.state).toBe('watching');

  await cycles(70, 5 * MIN); // past 6 h
  replies = h.notifier.replies();
  expect(replies.map((r) => r.message.text)).toEqual([expect.stringMatching(/taking long/), expect.stringMatching(/Stopped watching/)]);
  expect((await h.store.get('s1'))).toMatchObject({ state: 'done', outcome: 'gave_up' });
  fluence.resetCalls();
  await cycles(2);
  expect(fluence.calls).toEqual([]);
});

test('an instance missing from the list keeps being watched, and is given up after the hard limit', async () => {
  await h.watcher.watch(watchInput('ghost', 'vm'));
  await cycles(3);
  expect((await h.store.get('ghost'))!.state).toBe('watching');
  fluence.put({ type: 'vm', id: 'ghost', name: 'late', status: 'ACTIVE', connection: CONNECTIONS.vm });
  await cycles(1);
  expect(h.notifier.replies()).toHaveLength(1); // list lag right after create is harmless
  await h.watcher.watch(watchInput('never', 'vm'));
  await cycles(80, 5 * MIN);
  expect((await h.store.get('never'))).toMatchObject({ state: 'done', outcome: 'gave_up' });
  expect(textOf(h.notifier.replies().at(-1)!.message)).toContain('no longer lists it');
});

test('watch() is idempotent: the same instance twice is one watch and one reply', async () => {
  fluence.put({ type: 'vm', id: 'd1', name: 'dup', status: 'INITIALIZED' });
  const a = await h.watcher.watch(watchInput('d1', 'vm'));
  const b = await h.watcher.watch(watchInput('d1', 'vm', { messageTs: '999.000' }));
  expect(b).toEqual(a);
  expect((await h.store.listWatching())).toHaveLength(1);
  fluence.set('d1', { status: 'ACTIVE', connection: CONNECTIONS.vm });
  await cycles(3);
  expect(h.notifier.replies()).toHaveLength(1);
});

test('restart mid-provisioning (new watcher, same DB file): the watch resumes, exactly one reply', async () => {
  fluence.put({ type: 'container', id: 'r1', name: 'resume', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('r1', 'container'));
  await cycles(2);
  await h.restart();
  expect((await h.store.listWatching()).map((w) => w.instanceId)).toEqual(['r1']);
  fluence.set('r1', { status: 'ACTIVE', connection: CONNECTIONS.container });
  await cycles(2);
  await h.restart();
  await cycles(2);
  expect(h.notifier.replies()).toHaveLength(1);
});

test('a reply decided before a crash but not delivered is sent after restart, with no new Fluence calls', async () => {
  fluence.put({ type: 'vm', id: 'p1', name: 'pending', status: 'ACTIVE', connection: CONNECTIONS.vm });
  await h.watcher.watch(watchInput('p1', 'vm'));
  h.notifier.script.updateStatus.push({ ok: false, reason: 'error', error: 'fetch failed' });
  h.notifier.script.reply.push({ ok: false, reason: 'error', error: 'fetch failed' });
  await cycles(1);
  expect(h.notifier.replies()).toHaveLength(0);
  await h.restart();
  fluence.resetCalls();
  const [report] = await cycles(1);
  expect(fluence.calls).toEqual([]); // the watch is done; the stored payload is delivered
  expect(report!.delivered.map((d) => d.kind)).toEqual(['status', 'ready']);
  await cycles(2);
  expect(h.notifier.replies()).toHaveLength(1);
});

test('notifier failure then success: one reply; Slack 429 waits Retry-After and is never a duplicate', async () => {
  fluence.put({ type: 'vm', id: 'n1', name: 'retry', status: 'ACTIVE', connection: CONNECTIONS.vm });
  await h.watcher.watch(watchInput('n1', 'vm'));
  h.notifier.script.reply.push({ ok: false, reason: 'error', error: 'internal_error' }, { ok: false, reason: 'rate_limited', retryAfterSeconds: 40 });
  await cycles(1); // error
  await cycles(1); // 429, retry after 40 s
  expect(h.notifier.replies()).toHaveLength(0);
  const before = h.notifier.attempts;
  await cycles(1, 15_000); // 15 s later: still inside Retry-After, no attempt
  expect(h.notifier.attempts).toBe(before);
  await cycles(2, 15_000); // past 40 s
  expect(h.notifier.replies()).toHaveLength(1);
  await cycles(3);
  expect(h.notifier.replies()).toHaveLength(1);
  expect((await h.store.messagesFor('n1')).find((m) => m.kind === 'ready')).toMatchObject({ state: 'sent', via: 'thread', attempts: 3 });
});

test('bot not in the channel: the requester gets a DM with the same content and why', async () => {
  fluence.put({ type: 'container', id: 'x1', name: 'dm-me', status: 'ACTIVE', connection: CONNECTIONS.container });
  await h.watcher.watch(watchInput('x1', 'container', { requesterId: 'U777' }));
  h.notifier.script.updateStatus.push({ ok: false, reason: 'not_in_channel', error: 'not_in_channel' });
  h.notifier.script.reply.push({ ok: false, reason: 'not_in_channel', error: 'not_in_channel' });
  await cycles(3);
  const replies = h.notifier.replies();
  expect(replies).toHaveLength(1);
  expect(replies[0]).toMatchObject({ method: 'dm', to: 'U777' });
  expect(replies[0]!.message.text).toContain('could not post in <#C1>');
  expect(textOf(replies[0]!.message)).toContain(CONNECTIONS.container.ssh!);
});

test('Fluence outage for several cycles: no watch lost, one reply when back, one log line per streak', async () => {
  fluence.put({ type: 'container', id: 'o1', name: 'outage', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('o1', 'container'));
  await cycles(1);
  fluence.faults.set('container', new FluenceError('unavailable', 'Fluence answered 503', { status: 503 }));
  fluence.set('o1', { status: 'ACTIVE', connection: CONNECTIONS.container });
  fluence.resetCalls();
  const during = await cycles(12);
  // exponential backoff in cycles: far fewer calls than cycles
  expect(fluence.calls.length).toBeLessThan(6);
  expect(during.some((r) => r.backedOff.includes('container'))).toBe(true);
  expect((await h.store.get('o1'))!.state).toBe('watching');
  fluence.faults.clear();
  await cycles(20);
  expect(h.notifier.replies()).toHaveLength(1);
  const warn = h.logs.filter((l) => l.msg === 'Fluence polling failed; backing off, no watch is dropped');
  const recovered = h.logs.filter((l) => l.msg === 'Fluence polling recovered');
  expect(warn).toHaveLength(1);
  expect(recovered).toHaveLength(1);
  // a second streak logs once more
  fluence.put({ type: 'container', id: 'o2', name: 'outage2', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('o2', 'container'));
  fluence.faults.set('container', new FluenceError('rate_limited', '429', { status: 429, retryAfterSeconds: 30 }));
  await cycles(8);
  fluence.faults.clear();
  await cycles(20);
  expect(h.logs.filter((l) => l.msg === 'Fluence polling failed; backing off, no watch is dropped')).toHaveLength(2);
});

test('the status message is edited in place once per status change, never posted anew', async () => {
  fluence.put({ type: 'vm', id: 'l1', name: 'living', status: 'INITIALIZED' });
  const w = await h.watcher.watch(watchInput('l1', 'vm', { status: 'INITIALIZED' }));
  await cycles(3);
  expect(h.notifier.sent).toHaveLength(0); // already shows INITIALIZED
  fluence.set('l1', { status: 'FAILED' });
  await cycles(2);
  const edits = h.notifier.sent.filter((s) => s.method === 'updateStatus');
  expect(edits).toHaveLength(1);
  expect(edits[0]!.to).toBe(`C1/${w.messageTs}`);
  expect(edits[0]!.message.text).toContain('FAILED');
});

test('sandbox mode: every message carries the sandbox line', async () => {
  await h.close();
  fluence = new FakeFluence();
  h = await harness(fluence, { sandbox: true });
  fluence.put({ type: 'vm', id: 'sb', name: 'sand', status: 'ACTIVE', connection: CONNECTIONS.vm });
  await h.watcher.watch(watchInput('sb', 'vm'));
  await cycles(1);
  expect(h.notifier.sent.length).toBe(2);
  for (const s of h.notifier.sent) expect(textOf(s.message)).toContain('🧪 Sandbox');
});

test('as the scheduler\'s job it polls on the interval; stopping waits for the in-flight cycle and leaves no timer', async () => {
  fluence.put({ type: 'vm', id: 't1', name: 'timer', status: 'INITIALIZED' });
  await h.watcher.watch(watchInput('t1', 'vm'));
  const fleet = new FleetSnapshot({ listInstances: (t) => fluence.listInstances(t), now: () => h.clock.now(), maxAgeMs: 15_000 });
  const scheduler = new Scheduler({ clock: h.clock, fleet, logger: captureLogger().logger });
  scheduler.register({ name: 'watch', intervalMs: 15_000, run: () => h.watcher.runCycle() });
  scheduler.start();
  h.clock.advance(0);
  const flush = () => new Promise((r) => setImmediate(r));
  await flush();
  expect(fluence.calls).toEqual(['list:vm']);
  h.clock.advance(15_000);
  await flush();
  expect(fluence.calls).toHaveLength(2);
  h.clock.advance(15_000);
  await scheduler.stop();
  await h.watcher.stop();
  expect(h.clock.pending).toBe(0);
  h.clock.advance(60_000);
  await flush();
  expect(fluence.calls).toHaveLength(3);
});
