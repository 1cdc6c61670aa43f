/**
 * Fluence misbehaving under a whole bot: a share of 500s and 429s plus a hung request during a
 * deploy-to-ACTIVE flow, an outage lasting several watch cycles, and garbage bodies. The user
 * always gets either the result or a clear message, the watch is never lost, and the ACTIVE
 * reply is posted exactly once.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';
import { BLOCK } from '../../src/slack/ids';
import {
  CLEAR_FLUENCE_FAILURE,
  announcementOf,
  answerOf,
  fill,
  openForm,
  planOptions,
  threadOf,
  viewText,
  SSH,
} from './support';

let t: TestBot;
afterEach(async () => {
  await t?.stop();
});

/** The ready reply: the watcher's "is ready" thread message with the SSH command. */
const readyReplies = (ts: string) => threadOf(t, ts).filter((m) => /is ready/.test(String(m.text)) || /ssh /.test(JSON.stringify(m.blocks ?? [])));

/** Ticks the watcher until `done()` or `max` cycles; returns how many cycles it took. */
async function tickUntil(done: () => boolean, max: number, ms?: number): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await t.tick(ms);
    if (done()) return i;
  }
  throw new Error(`still not done after ${max} watch cycles`);
}

describe('a deploy while Fluence fails 30% of requests and one request hangs', () => {
  it('ends with exactly one ACTIVE reply, and every failure the user met was explained', async () => {
    t = await startTestBot();
    // 15% 500s + 15% 429s (Retry-After: 1) on every Fluence call, and the very next request hangs
    // past the client's 2 s timeout (it is the first GET of `/gpu plans`: retried, so it still answers).
    const thirtyPercent = { errorRate: 0.15, rateLimitRate: 0.15, retryAfterSeconds: 1 };
    t.sim.control.setFaults({ ...thirtyPercent, hangNext: 1, seed: 7 });
    const seen: Array<{ step: string; text: string; failed: boolean }> = [];
    const note = (step: string, text: string) => {
      const failed = CLEAR_FLUENCE_FAILURE.test(text) || /could not|couldn't/i.test(text);
      seen.push({ step, text, failed });
      return failed;
    };

    // 1. the user browses plans until they get them (a person would retry after an error)
    for (let i = 0; ; i++) {
      if (i === 5) throw new Error(`no plans after 5 tries:\n${seen.map((s) => s.text).join('\n---\n')}`);
      const text = await answerOf(t, 'plans');
      if (!note('plans', text)) {
        expect(text).toMatch(/\$[\d.]+\/h/);
        break;
      }
    }
    expect(t.sim.control.requests.some((r) => r.status === 0)).toBe(true); // the hung one, never answered

    // 2. deploy form -> submit, retrying what failed, until Fluence accepted it
    let deployed = false;
    for (let attempt = 0; !deployed; attempt++) {
      if (attempt === 8) throw new Error(`not deployed after 8 tries:\n${seen.map((s) => `${s.step}: ${s.text}`).join('\n---\n')}`);
      const form = await openForm(t);
      const plans = planOptions(form);
      if (plans.length === 0) {
        expect(note('form', viewText(form))).toBe(true); // an empty form must say why
        continue;
      }
      const fields: Record<string, string> = { [BLOCK.plan]: plans[0]!, [BLOCK.name]: 'faulty-box', [BLOCK.ports]: '22', [BLOCK.sshKey]: SSH };
      if (!form.blocks.some((b: any) => b.block_id === BLOCK.imagePreset)) fields[BLOCK.image] = 'nvidia/cuda:12.4.1-runtime-ubuntu22.04';
      // Concurrent calls reach the simulator in no fixed order, so which calls the 30% hits varies
      // from run to run; the first deploy POST is rate limited on purpose so that a failure the
      // user must be told about happens in every run.
      if (attempt === 0) t.sim.control.setFaults({ rateLimitRate: 1, retryAfterSeconds: 1, onlyPaths: /^\/gpu\/instances\/$/ });
      const ack = await t.user.submitView(form, fill(form, fields));
      if (attempt === 0) t.sim.control.setFaults({ ...thirtyPercent, seed: 11 });
      expect(ack.status).toBe(200);
      const shown = ack.body.response_action === 'errors' ? Object.values(ack.body.errors).join('\n') : viewText(ack.body.view);
      if (/Deployed/.test(JSON.stringify(ack.body.view ?? {}))) deployed = true;
      else expect(note('submit', shown)).toBe(true); // a failed submit must say why
    }

    const creates = t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/');
    expect(creates.filter((r) => r.status === 200 || r.status === 201)).toHaveLength(1);
    expect(t.sim.control.instances().filter((i) => i.name === 'faulty-box')).toHaveLength(1);
    const announcement = await t.standin.waitFor(() => announcementOf(t, 'faulty-box'));

    // 3. the watcher polls through the faults until the instance is ACTIVE and the reply is out
    t.clock.advance(120_000);
    await tickUntil(() => readyReplies(announcement.ts).length > 0, 40);
    for (let i = 0; i < 5; i++) await t.tick();
    expect(readyReplies(announcement.ts)).toHaveLength(1);
    expect(threadOf(t, announcement.ts).filter((m) => /is ready/.test(String(m.text)))).toHaveLength(1);

    // the faults really happened, and each failure the user met was explained in words
    const statuses = t.sim.control.requests.map((r) => r.status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const failures = seen.filter((s) => s.failed);
    expect(failures.find((s) => s.step === 'submit')?.text).toMatch(/Fluence is (rate limiting|limiting how fast)/);
    for (const s of failures) expect(s.text).toMatch(/try again|retry/i);
  }, 30_000);

  it('a `/gpu plans` whose every retry fails tells the user so, and the next one works', async () => {
    t = await startTestBot();
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: /\/plans\// });
    const failed = await answerOf(t, 'plans');
    expect(failed).toMatch(/Fluence is unreachable or too slow right now, so I could not .*plans/);
    expect(failed).toMatch(/nothing was changed or charged\. Try again in a minute/);
    expect(t.sim.control.requests.filter((r) => r.path === '/gpu/plans/')).toHaveLength(4); // 1 + 3 retries

    t.sim.control.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7, onlyPaths: /\/plans\// });
    expect(await answerOf(t, 'plans')).toMatch(/Fluence is rate limiting requests\. Retry in 7 s/);

    t.sim.control.clearFaults();
    expect(await answerOf(t, 'plans')).toMatch(/\$[\d.]+\/h/);
  });
});

describe('a Fluence outage of several watch cycles', () => {
  it('loses no watch and posts one ready reply when Fluence is back', async () => {
    t = await startTestBot();
    const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'outage' });
    expect((await t.user.command('watch outage-0')).status).toBe(200);
    const status = await t.standin.waitFor(() => announcementOf(t, 'outage-0'));
    // the watch is stored right after Slack accepts the status post
    await t.standin.waitFor(async () => (await t.bot.context.store.watches.get(id!)));

    // Fluence goes dark (every call 503s... as 500s here) and the instance becomes ACTIVE meanwhile
    t.sim.control.setFaults({ errorRate: 1 });
    t.sim.control.setStatus(id!, 'ACTIVE');
    const before = t.sim.control.requests.length;
    for (let i = 0; i < 8; i++) await t.tick();
    expect(t.sim.control.requests.length).toBeGreaterThan(before); // it did try
    expect((await t.bot.context.store.watches.listWatching()).map((w) => w.instanceId)).toContain(id);
    expect(threadOf(t, status.ts)).toEqual([]);

    // back: the reply comes within the backoff (at most 15 skipped cycles), once
    t.sim.control.clearFaults();
    await tickUntil(() => readyReplies(status.ts).length > 0, 20);
    for (let i = 0; i < 5; i++) await t.tick();
    expect(readyReplies(status.ts)).toHaveLength(1);
    expect(threadOf(t, status.ts)).toHaveLength(1);
    expect(t.standin.messages('C_GENERAL').find((m) => m.ts === status.ts)!.text).toMatch(/ACTIVE/);
  });

  it('a restart during the outage keeps the watch too', async () => {
    t = await startTestBot();
    const [id] = t.sim.control.seedInstances(1, 'vm', { status: 'INITIALIZED', namePrefix: 'restart' });
    expect((await t.user.command('watch restart-0')).status).toBe(200);
    const status = await t.standin.waitFor(() => announcementOf(t, 'restart-0'));
    await t.standin.waitFor(async () => (await t.bot.context.store.watches.get(id!)));
    t.sim.control.setFaults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) await t.tick();
    t = await t.restart();
    t.sim.control.setStatus(id!, 'ACTIVE');
    for (let i = 0; i < 3; i++) await t.tick();
    t.sim.control.clearFaults();
    await tickUntil(() => readyReplies(status.ts).length > 0, 20);
    await t.tick();
    expect(readyReplies(status.ts)).toHaveLength(1);
  });
});

describe('garbage from Fluence', () => {
  const kinds = ['html', 'truncated', 'wrong-types'] as const;

  it.each(kinds)('`/gpu plans` given %s: a clear error, and the next request works', async (kind) => {
    t = await startTestBot();
    t.sim.control.setFaults({ garbageNext: { count: 1, kind }, onlyPaths: /^\/gpu\/plans\/$/ });
    const text = await answerOf(t, 'plans');
    expect(text).toMatch(/Fluence answered something unexpected while trying to .*plans/);
    expect(text).not.toMatch(/<html|DOCTYPE/i);
    expect(await answerOf(t, 'plans')).toMatch(/\$[\d.]+\/h/);
  });

  it.each(kinds)('`/gpu list` given %s for every type: a clear error, and the next request works', async (kind) => {
    t = await startTestBot();
    t.sim.control.seedInstances(2, 'container', { namePrefix: 'listed' });
    t.sim.control.seedInstances(1, 'vm', { namePrefix: 'listed-vm' });
    t.sim.control.seedInstances(1, 'baremetal', { namePrefix: 'listed-bm' });
    t.sim.control.setFaults({ garbageNext: { count: 3, kind }, onlyPaths: /^\/gpu\/instances\/(vms|baremetal)?$/ });
    const text = await answerOf(t, 'list');
    expect(text).toMatch(/Fluence answered something unexpected while trying to list your instances/);
    expect(await answerOf(t, 'list')).toMatch(/listed-0/);
  });

  it('`/gpu list` with garbage for one type still shows the others, with a warning', async () => {
    t = await startTestBot();
    t.sim.control.seedInstances(1, 'container', { namePrefix: 'shown' });
    t.sim.control.seedInstances(1, 'vm', { namePrefix: 'hidden' });
    t.sim.control.setFaults({ garbageNext: { count: 1, kind: 'html' }, onlyPaths: /^\/gpu\/instances\/vms$/ });
    const text = await answerOf(t, 'list');
    expect(text).toMatch(/shown-0/);
    expect(text).toMatch(/Fluence did not answer for VMs .*missing from this list/i);
  });

  it.each(kinds)('`/gpu status` given %s for the instance detail: a clear error, and the next request works', async (kind) => {
    t = await startTestBot();
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'detail' });
    t.sim.control.setFaults({ garbageNext: { count: 1, kind }, onlyPaths: new RegExp(`/${id}$`) });
    const text = await answerOf(t, 'status detail-0');
    expect(text).toMatch(/Fluence answered something unexpected while trying to/);
    expect(await answerOf(t, 'status detail-0')).toMatch(/detail-0/);
  });

  it('`/gpu status` when the lists are garbage says the instance could not be looked up', async () => {
    t = await startTestBot();
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'lookup' });
    t.sim.control.setFaults({ garbageNext: { count: 3, kind: 'truncated' }, onlyPaths: /^\/gpu\/instances\/(vms|baremetal)?$/ });
    const text = await answerOf(t, `status ${id}`);
    expect(text).toMatch(/could not be read from Fluence/);
    expect(text).toMatch(/Try again in a minute/);
  });
});
