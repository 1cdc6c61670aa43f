/**
 * Issue 9 §3: the Terminate button also sits on public thread replies (the watcher's "container not
 * started" reply). Its click answers by replacing the message it is on, so when that message is
 * in the channel, the card put there must not carry the startup command (it routinely holds
 * secrets), even though the clicker, the owner, may see it on their own ephemeral card.
 */
import { CRASHLOOP_IMAGE } from '../../src/simulator';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, command, deployViaModal, messageMatching, reply, textOf } from './guardrails-kit';

const SECRET = 'tok-in-startup-5c1e08';

let t: TestBot;
afterEach(async () => {
  await t?.stop();
});

it("the owner terminating from the channel's not-started reply: the card that replaces it shows no startup command", async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, WATCH_START_GRACE_MS: String(60_000) } });
  const owner = t.user.withUser(DEPLOYER);
  await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  await deployViaModal(t, owner, { planId: PLAN_RTX4090_1X, name: 'crashy-public', image: CRASHLOOP_IMAGE, startup: `serve --token ${SECRET}` });
  const parent = await messageMatching(t, 'C_GENERAL', /crashy-public/);
  await t.tick(130_000); // ACTIVE, container never started
  await t.tick();
  await t.tick(60_000); // past the start grace: the not-started reply
  await t.tick();
  const notStarted = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.thread_ts === parent.ts && /has not started/.test(textOf(m))));
  // the owner's own (ephemeral) card does show it: they may see it
  expect(JSON.stringify(await reply(t, await owner.command('status crashy-public')))).toContain(SECRET);

  const click = await owner.inChannel('C_GENERAL').clickButton({ ...notStarted, channel: 'C_GENERAL' }, ACTION.terminate);
  expect(click.status).toBe(200);
  await t.standin.waitFor(() => (t.sim.control.requests.some((r) => r.method === 'DELETE') ? true : undefined));
  await t.bot.context.inflight.idle();
  const replaced = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.ts === notStarted.ts && /Terminat/.test(textOf(m)) && m !== notStarted));
  expect(textOf(replaced)).toMatch(/crashy-public/);
  expect(JSON.stringify(t.standin.messages('C_GENERAL'))).not.toContain(SECRET);
  expect(JSON.stringify(replaced)).not.toContain(ACTION.logs);

  // Refresh on that public card, by an admin: it replaces the message again, still without them
  const refreshed = await t.user.withUser(ADMIN).inChannel('C_GENERAL').clickButton({ ...replaced, channel: 'C_GENERAL' }, ACTION.refresh);
  expect(refreshed.status).toBe(200);
  await t.bot.context.inflight.idle();
  await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.ts === notStarted.ts && m.edited?.ts !== replaced.edited?.ts));
  expect(JSON.stringify(t.standin.messages('C_GENERAL'))).not.toContain(SECRET);
});
