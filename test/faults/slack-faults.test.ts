/**
 * Slack misbehaving: chat.postMessage rate limited (HTTP 429 + Retry-After) then fine, and
 * views.open refusing an expired trigger. One post, not two; a hint instead of silence.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';
import { startSlackStandin } from '../../src/standin';
import { announcementOf, nthResponse, openForm, planOptions, submitForm, threadOf, visibleText } from './support';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.stop();
});

const threadPosts = (ts: string) => t.standin.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);

describe('chat.postMessage answers ratelimited, then succeeds', () => {
  it('the ready reply is posted once, after Retry-After, not twice', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'limited' });
    expect((await t.user.command('watch limited-0')).status).toBe(200);
    const status = await t.standin.waitFor(() => announcementOf(t, 'limited-0'));

    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 1, times: 1 });
    t.sim.control.setStatus(id!, 'ACTIVE');
    await t.tick();
    expect(threadPosts(status.ts).map((c) => c.error)).toEqual(['ratelimited']);
    expect(threadOf(t, status.ts)).toEqual([]);

    await t.tick(); // 15 s later: past Retry-After
    await t.tick();
    await t.tick();
    expect(threadPosts(status.ts).map((c) => c.error)).toEqual(['ratelimited', undefined]);
    const thread = threadOf(t, status.ts);
    expect(thread).toHaveLength(1);
    expect(visibleText(thread[0]!)).toMatch(/`limited-0` is ready/);
  });

  it('`/gpu watch` whose status post is rate limited waits Retry-After and posts it once; one reply follows', async () => {
    const [id] = t.sim.control.seedInstances(1, 'vm', { status: 'INITIALIZED', namePrefix: 'first-post' });
    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 1, times: 1 });
    expect((await t.user.command('watch first-post-0')).status).toBe(200);
    const status = await t.standin.waitFor(() => announcementOf(t, 'first-post-0'));
    expect(t.standin.callsTo('chat.postMessage').map((c) => c.error)).toEqual(['ratelimited', undefined]);
    await t.standin.waitFor(async () => (await t.bot.context.store.watches.get(id!)));
    t.sim.control.setStatus(id!, 'ACTIVE');
    for (let i = 0; i < 4; i++) await t.tick();
    expect(threadOf(t, status.ts)).toHaveLength(1);
    expect(t.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && String(m.text).includes('first-post-0'))).toHaveLength(1);
  });

  it('a deploy whose announcement is rate limited still announces once and replies once in its thread', async () => {
    const form = await openForm(t);
    const plan = planOptions(form)[0]!;
    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 1, times: 1 });
    const { ack } = await submitForm(t, form, 'quiet-box', plan);
    expect(JSON.stringify(ack.body.view)).toMatch(/Deployed/);
    const parent = await t.standin.waitFor(() => announcementOf(t, 'quiet-box'));
    expect(t.standin.callsTo('chat.postMessage').map((c) => c.error)).toEqual(['ratelimited', undefined]);
    await t.standin.waitFor(async () => (await t.bot.context.store.watches.listWatching()).length > 0);
    await t.tick(130_000);
    for (let i = 0; i < 3; i++) await t.tick();
    expect(threadOf(t, parent.ts).filter((m) => /is ready/.test(String(m.text)))).toHaveLength(1);
    expect(t.standin.messages().filter((m) => !m.thread_ts && String(m.text).includes('quiet-box'))).toHaveLength(1);
  });
});

describe('views.open fails', () => {
  it('expired_trigger_id: the user gets an ephemeral hint to run the command again, and Fluence is not called', async () => {
    t.standin.fail('views.open', { error: 'expired_trigger_id', times: 1 });
    const ack = await t.user.command('deploy');
    expect(ack.status).toBe(200);
    const hint = await nthResponse(t.standin, ack.responseUrl!);
    expect(hint.response_type).toBe('ephemeral');
    expect(visibleText(hint)).toMatch(/3-second window passed\)\. Please run `\/gpu deploy` again/);
    expect(t.sim.control.requests).toEqual([]);

    // and the next try works
    const again = await t.user.command('deploy');
    expect(again.status).toBe(200);
    await t.standin.waitFor(() => t.standin.callsTo('views.open').find((c) => !c.error));
  });

  it('a real stale trigger (used after the 3 s Slack allows) gets the same hint', async () => {
    // a stand-in whose triggers have already expired when the bot uses them
    const standin = await startSlackStandin({ triggerTtlMs: -1 });
    const late = await startTestBot({ standin, sim: t.sim });
    try {
      const ack = await late.user.command('deploy');
      const hint = await nthResponse(standin, ack.responseUrl!);
      expect(visibleText(hint)).toMatch(/run `\/gpu deploy` again/);
      expect(standin.callsTo('views.open').map((c) => c.error)).toEqual(['expired_trigger_id']);
    } finally {
      await late.stop();
      await standin.stop();
    }
  });

  it('any other views.open error is reported too, with its code', async () => {
    t.standin.fail('views.open', { error: 'internal_error', times: 1 });
    const ack = await t.user.command('deploy vm');
    const hint = await nthResponse(t.standin, ack.responseUrl!);
    expect(visibleText(hint)).toMatch(/could not open the deploy form \(internal_error\)/);
  });
});
