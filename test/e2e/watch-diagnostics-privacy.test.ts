/**
 * Issue 9 §3 for the watcher's own replies: the FAILED reply and the start-grace diagnostics reply
 * (issue 10 §1) are thread replies everyone in the channel reads, and log and event lines routinely
 * hold secrets. In a channel they say what happened, why the lines are not there, and carry Events /
 * Logs buttons that check owner/admin at the click; in the owner's DM with the bot they show the
 * lines as before. Lines that will not be shown are not fetched.
 */
import { CRASHLOOP_IMAGE } from '../../src/simulator';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, deployViaModal, messageMatching, reply as replyBody, replyText, textOf } from './guardrails-kit';

const DM = 'D0DEPLOYER';
const REFUSED = /⛔/;
/** Every simulator log and event line starts with its pod name; these fragments are in the lines only. */
const LINE = /\[service-1-|BackOff|Back-off|ModuleNotFoundError|Traceback|ErrImagePull|image pull failed|Pulling image/;

describe('the watcher\'s FAILED and not-started replies: log and event lines only where the owner alone reads them', () => {
  let t: TestBot;
  const as = (id: string): SlackUser => t.user.withUser(id);
  const lineReads = () => t.sim.control.requests.filter((r) => r.method === 'GET' && /\/(logs|events)$/.test(r.path)).length;
  const threadOf = (channel: string, name: string) => {
    const parent = t.standin.messages(channel).find((m) => !m.thread_ts && textOf(m).includes(name));
    if (!parent) throw new Error(`no deploy message for ${name} in ${channel}`);
    return t.standin.messages(channel).filter((m) => m.thread_ts === parent.ts);
  };
  const buttonsOf = (m: any): string[] => (m.blocks ?? []).flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id).filter(Boolean);
  let readsWhileWatching = 0;

  beforeAll(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, WATCH_START_GRACE_MS: String(60_000) } });
    await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`);
    const deploys: Array<[SlackUser, string, string, string?]> = [
      [as(DEPLOYER), 'C_GENERAL', 'will-fail-chan'], // the simulator fails names matching /fail/
      [as(DEPLOYER), 'C_GENERAL', 'crashy-chan', CRASHLOOP_IMAGE], // ACTIVE, container never STARTED
      [as(DEPLOYER).inChannel(DM), DM, 'will-fail-dm'],
      [as(DEPLOYER).inChannel(DM), DM, 'crashy-dm', CRASHLOOP_IMAGE],
    ];
    for (const [user, channel, name, image] of deploys) {
      await deployViaModal(t, user, { planId: PLAN_RTX4090_1X, name, ...(image ? { image } : {}) });
      await messageMatching(t, channel, new RegExp(name));
    }
    await t.tick(130_000); // provisioned: FAILED, or ACTIVE with the container not started
    await t.tick();
    await t.tick(60_000); // past the start grace
    await t.tick();
    readsWhileWatching = lineReads();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    ['will-fail-chan', /`will-fail-chan` failed to deploy \(status FAILED\)/],
    ['crashy-chan', /`crashy-chan` is ACTIVE and billed, but its container has not started after 1 min/],
  ])('channel deploy %s: the reply says what happened, no log or event line, why not, and Events / Logs buttons', (name, said) => {
    const replies = threadOf('C_GENERAL', name);
    expect(replies).toHaveLength(1);
    const text = textOf(replies[0]);
    expect(text).toMatch(said);
    expect(text).not.toMatch(LINE);
    expect(text).toMatch(/not shown here: they may hold secrets/);
    expect(buttonsOf(replies[0])).toEqual(expect.arrayContaining([ACTION.events, ACTION.logs]));
  });

  it('lines that go to no one are not fetched: the two DM replies read logs and events, the channel replies none', () => {
    expect(readsWhileWatching).toBe(4);
  });

  it.each([
    ['will-fail-chan', ACTION.logs, /image pull failed/],
    ['crashy-chan', ACTION.logs, /ModuleNotFoundError/],
    ['crashy-chan', ACTION.events, /BackOff/],
  ])('%s: a viewer clicking %s is refused; the owner and an admin get the lines, only to themselves', async (name, action, line) => {
    const reply = { ...threadOf('C_GENERAL', name)[0], channel: 'C_GENERAL' };
    const before = lineReads();
    const refused = await replyText(t, await as(VIEWER).inChannel('C_GENERAL').clickButton(reply, action));
    expect(refused).toMatch(REFUSED);
    expect(refused).not.toMatch(LINE);
    expect(lineReads()).toBe(before);
    for (const who of [DEPLOYER, ADMIN]) {
      const answer = await replyBody(t, await as(who).inChannel('C_GENERAL').clickButton(reply, action));
      expect(textOf(answer)).toMatch(line);
      expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    }
  });

  it.each([
    ['will-fail-dm', /image pull failed/, /`will-fail-dm` failed to deploy/],
    ['crashy-dm', /BackOff[\s\S]*ModuleNotFoundError/, /`crashy-dm` is ACTIVE and billed, but its container has not started/],
  ])('a deploy from the owner\'s DM (%s) still gets the lines in the reply', (name, lines, said) => {
    const replies = threadOf(DM, name);
    expect(replies).toHaveLength(1);
    const text = textOf(replies[0]);
    expect(text).toMatch(said);
    expect(text).toMatch(lines);
    expect(text).not.toMatch(/not shown here/);
  });
});
