/**
 * Issue 9 §1: a deploy that may have reached Fluence is never recorded as failed. A POST answered
 * with garbage or a 5xx, a store write that fails after the 2xx, and a bot restarted while the
 * POST was unanswered all leave the claim pending: the same form cannot POST again, the user is
 * told "may have gone through, checking", and the reconciler adopts the instance (announced like
 * any deploy) or, when Fluence never made it, says so once the grace period has passed.
 */
import Database from 'better-sqlite3';
import { ANNOUNCE_CLAIM_MS, RECONCILE_GRACE_MS } from '../../src/services/reconciler';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { announcementOf, openForm, planOptions, submitForm, viewText } from '../faults/support';

const POSTS = /^\/gpu\/instances\/$/;

let t: TestBot;
afterEach(async () => {
  await t?.stop();
});

const posts = () => t.sim.control.requests.filter((r) => r.method === 'POST' && POSTS.test(r.path)).length;
const named = (name: string) => t.sim.control.instances().filter((i) => i.name === name);
const topLevel = (re: RegExp) => t.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && re.test(String(m.text ?? '')));

/** Submits a fresh form for `name`; returns the form (to submit it again) and what the modal said. */
async function deploy(name: string) {
  const form = await openForm(t);
  const { ack } = await submitForm(t, form, name, planOptions(form)[0]!);
  expect(ack.status).toBe(200);
  await t.bot.context.inflight.idle();
  const shown = ack.body?.response_action === 'errors' ? JSON.stringify(ack.body.errors) : viewText(t.standin.views().get(form.id));
  return { form, shown };
}

describe('an unclear answer to the deploy POST', () => {
  it.each([
    ['a 200 with an HTML body', { garbageNext: { count: 1, kind: 'html' as const } }],
    ['a 500 after the instance was created', { lostAnswerNext: { count: 1, status: 500 } }],
    ['a 503 after the instance was created', { lostAnswerNext: { count: 1, status: 503 } }],
  ])('%s: "checking", no second POST from the same form, then adopted and announced once', async (_what, fault) => {
    t = await startTestBot();
    t.sim.control.setFaults({ ...fault, onlyPaths: POSTS });
    const { form, shown } = await deploy('unclear-box');
    expect(named('unclear-box')).toHaveLength(1); // Fluence did create it
    expect(shown).toMatch(/may have gone through/);
    expect(shown).toMatch(/I am checking and will reply in <#C_GENERAL>/);
    expect(shown).not.toMatch(/nothing was (changed or )?charged|did not go through/i);
    expect((await t.bot.context.store.deployRequests.listPending()).map((c) => c.name)).toEqual(['unclear-box']);

    // the same form again (a person clicking again, or a Slack retry): nothing new is sent
    t.sim.control.clearFaults();
    const again = await submitForm(t, form, 'unclear-box', planOptions(form)[0]!);
    expect(JSON.stringify(again.ack.body)).toMatch(/already submitted/);
    expect(posts()).toBe(1);

    // the reconciler finds it in Fluence's list: owner record, announcement, watch
    const result = await t.bot.reconciler.runOnce();
    expect(result.adopted).toHaveLength(1);
    const id = named('unclear-box')[0]!.id;
    expect(await t.bot.context.store.deployRequests.findByInstance(id)).toMatchObject({ userId: 'U_ALICE', channelId: 'C_GENERAL', state: 'succeeded' });
    const announced = await t.standin.waitFor(() => announcementOf(t, 'unclear-box'));
    expect(announced.text).toMatch(/unclear-box/);
    await t.bot.context.inflight.idle();
    expect(await t.bot.context.store.watches.get(id)).toMatchObject({ instanceId: id, state: 'watching' });
    // a second pass changes nothing: one announcement, one instance
    await t.bot.reconciler.runOnce();
    expect(topLevel(/unclear-box/)).toHaveLength(1);
    expect(named('unclear-box')).toHaveLength(1);
  });

  it('a NEW form for the same name while the first is unsettled is refused under the name: no second instance', async () => {
    t = await startTestBot();
    t.sim.control.setFaults({ lostAnswerNext: { count: 1, status: 503 }, onlyPaths: POSTS });
    expect((await deploy('twice-named')).shown).toMatch(/may have gone through/);
    t.sim.control.clearFaults();
    // the user, unsure, opens a fresh form and deploys the same name again
    const second = await deploy('twice-named');
    expect(second.shown).toMatch(/still being confirmed with Fluence/);
    expect(second.shown).toContain('Nothing was sent');
    expect(posts()).toBe(1);
    expect(named('twice-named')).toHaveLength(1);
    // once the reconciler has settled the first, the name is the user's to reuse as Fluence allows
    await t.bot.reconciler.runOnce();
    expect(await t.bot.context.store.deployRequests.listPending()).toHaveLength(0);
  });

  it('a store write that fails after the 2xx does not free the form for a second POST', async () => {
    t = await startTestBot();
    const db = t.bot.context.store.db;
    db!.pragma('busy_timeout = 50'); // a short wait for the lock (the default 5 s would stall the test)
    const other = new Database(t.dbPath);
    let locked = false;
    // another process takes the write lock once Fluence has created the instance, before the bot records it
    t.sim.control.setFaults({
      onlyPaths: POSTS,
      onHandled: () => {
        if (locked) return;
        other.exec('BEGIN IMMEDIATE');
        locked = true;
      },
    });
    const { form, shown } = await deploy('locked-box');
    expect(named('locked-box')).toHaveLength(1);
    expect(shown).toMatch(/Fluence accepted it \(id `[^`]+`\), but I could not record it yet/);
    expect(shown).not.toMatch(/did not go through|nothing was (changed or )?charged/i);

    other.exec('COMMIT');
    other.close();
    t.sim.control.clearFaults();
    const again = await submitForm(t, form, 'locked-box', planOptions(form)[0]!);
    expect(JSON.stringify(again.ack.body)).toMatch(/already submitted/);
    expect(posts()).toBe(1);
    expect((await t.bot.reconciler.runOnce()).adopted).toHaveLength(1);
    await t.standin.waitFor(() => announcementOf(t, 'locked-box'));
    expect(named('locked-box')).toHaveLength(1);
  });

  it('a bot restarted while the POST was unanswered adopts the instance at start-up', async () => {
    t = await startTestBot();
    t.sim.control.setFaults({ lostAnswerNext: { count: 1, status: 0 }, onlyPaths: POSTS }); // created, never answered
    const { shown } = await deploy('restart-box');
    expect(shown).toMatch(/may have gone through/);
    expect(named('restart-box')).toHaveLength(1);
    t.sim.control.clearFaults();
    t = await t.restart();
    // the start-up pass runs by itself
    await t.bot.context.inflight.idle();
    const announced = await t.standin.waitFor(() => announcementOf(t, 'restart-box'));
    expect(announced.text).toMatch(/restart-box/);
    expect((await t.bot.context.store.deployRequests.findByInstance(named('restart-box')[0]!.id))?.state).toBe('succeeded');
    expect(posts()).toBe(1);
  });

  it('Fluence never made it: still "checking" within the grace period, then failed, said once, and the form works again', async () => {
    t = await startTestBot();
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: POSTS }); // 500 before anything was created
    const { form, shown } = await deploy('ghost-box');
    expect(named('ghost-box')).toHaveLength(0);
    expect(shown).toMatch(/may have gone through/);
    t.sim.control.clearFaults();

    expect((await t.bot.reconciler.runOnce()).open).toHaveLength(1);
    expect(topLevel(/ghost-box/)).toHaveLength(0);
    t.clock.advance(RECONCILE_GRACE_MS + 1000);
    expect((await t.bot.reconciler.runOnce()).failed).toHaveLength(1);
    const said = await t.standin.waitFor(() => topLevel(/ghost-box/)[0]);
    expect(said.text).toMatch(/did not go through/);
    expect(said.text).toMatch(/<@U_ALICE>/);
    await t.bot.reconciler.runOnce();
    expect(topLevel(/ghost-box/)).toHaveLength(1);

    // the claim is failed now, so the same form may deploy (once)
    const again = await submitForm(t, form, 'ghost-box', planOptions(form)[0]!);
    expect(JSON.stringify(again.ack.body)).toMatch(/Deployed/);
    expect(named('ghost-box')).toHaveLength(1);
  });
});

describe('a deploy that succeeded but whose watch was never written', () => {
  it('(the watch write failed, as if the process died there) is announced and watched by the reconciler once its claim lapses: one ready reply', async () => {
    t = await startTestBot();
    const other = new Database(t.dbPath);
    // the disk fills between Fluence's answer and the watch: the instance exists, nobody watches it
    other.exec("CREATE TRIGGER no_watch BEFORE INSERT ON watches BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    await deploy('unwatched-box');
    const id = named('unwatched-box')[0]!.id;
    expect(await t.bot.context.store.watches.get(id)).toBeUndefined();
    expect(await t.bot.context.store.deployRequests.findByInstance(id)).toMatchObject({ state: 'succeeded' });
    other.exec('DROP TRIGGER no_watch');
    other.close();

    // its announcement claim still stands for the process that took it: nothing yet
    t.clock.advance(60_000);
    expect((await t.bot.reconciler.runOnce()).announced).toEqual([]);
    // that claim lapses: the reconciler announces and watches it, once
    t.clock.advance(ANNOUNCE_CLAIM_MS);
    expect((await t.bot.reconciler.runOnce()).announced).toHaveLength(1);
    await t.bot.context.inflight.idle();
    expect(await t.bot.context.store.watches.get(id)).toMatchObject({ state: 'watching' });
    expect((await t.bot.reconciler.runOnce()).announced).toEqual([]);

    // the message posted before the failure becomes its thread and living status: nothing posted twice
    const announcements = topLevel(/unwatched-box/);
    expect(announcements).toHaveLength(1);
    t.sim.control.setStatus(id, 'ACTIVE');
    for (let i = 0; i < 3; i++) await t.tick();
    const ready = t.standin.messages('C_GENERAL').filter((m) => m.thread_ts && /unwatched-box is ready/.test(String(m.text ?? '')));
    expect(ready).toHaveLength(1);
    expect(ready[0]!.thread_ts).toBe(announcements[0]!.ts);
    expect(String(t.standin.messages('C_GENERAL').find((m) => m.ts === announcements[0]!.ts)?.text)).toMatch(/unwatched-box was deployed by <@U_ALICE>: ACTIVE/);
  });
});
