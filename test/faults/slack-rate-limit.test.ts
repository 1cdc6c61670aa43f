/**
 * Issue 10 §4: one 429 must not freeze everyone. Reproduced before: a 429 with Retry-After on an
 * approval post paused the listeners' shared WebClient (same bot token, same pooled client), so
 * another user's `/gpu deploy` reached views.open after its trigger_id expired. Now the listeners'
 * client rejects the 429 at once, the approval post waits it out on its own (patient notifier),
 * and everyone else's calls go straight through.
 *
 * The stand-in's trigger_ids live 1.5 s here and the 429 asks for 3 s, so a paused client cannot
 * open the modal in time; the patient wait is the only real-time wait (about 3 s).
 */
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import { startSlackStandin, type SlackStandin } from '../../src/standin';
import { VIEW } from '../../src/slack/ids';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching } from '../e2e/guardrails-kit';
import { startTestBot, type TestBot } from '../support/bot-harness';

let standin: SlackStandin;
let t: TestBot;
beforeEach(async () => {
  standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM', triggerTtlMs: 1500 });
  t = await startTestBot({ standin, env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1' } });
  await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
});
afterEach(async () => {
  await t?.stop();
  await standin?.stop();
});

test('a rate-limited approval post does not stall another user’s /gpu deploy, and still arrives once', async () => {
  standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 3, times: 1 });
  const ack = await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'needs-approval' });
  expect(ack.status).toBe(200);
  await standin.waitFor(() => standin.callsTo('chat.postMessage').some((c) => c.error === 'ratelimited'));

  // meanwhile, another user opens the deploy form
  const opensBefore = standin.callsTo('views.open').length;
  expect((await t.user.withUser(ADMIN2).command('deploy container')).status).toBe(200);
  const open = await standin.waitFor(() => standin.callsTo('views.open')[opensBefore]);
  expect(open.error).toBeUndefined();
  expect([...standin.views().values()].filter((v) => v.callback_id === VIEW.deploy).length).toBeGreaterThanOrEqual(2);

  // the approval request is posted after Retry-After, exactly once
  await messageMatching(t, 'C_GENERAL', /wants to deploy.*needs-approval/s, 10_000);
  const requests = standin.messages('C_GENERAL').filter((m) => /wants to deploy/.test(JSON.stringify(m)));
  expect(requests).toHaveLength(1);
  expect(await standin.waitFor(async () => (await t.bot.context.store.approvals.listPending())[0]?.messageTs)).toBe(requests[0]!.ts);
}, 20_000);
