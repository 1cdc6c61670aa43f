/**
 * The "Deploy a GPU" global shortcut end to end (issue 12 §4): the shortcut as the manifest
 * declares it, the deploy form with a conversations_select starting on the user's last channel,
 * the deploy announced (and its thread) in the channel picked; and the guardrails of that channel:
 * the user's role there, the bot and the user both members, nothing sent otherwise.
 * Real roles (FLUENCE_API_KEY set, not sandbox), as in guardrails-roles.test.ts.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION, BLOCK, SHORTCUT, VIEW } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { elementOf, fill } from '../support/modal';
import { ED25519_PUB } from '../support/ssh-keys';
import { ADMIN, DEPLOYER, VIEWER, command, messageMatching, textOf } from './guardrails-kit';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
  t.standin.addChannel({ id: 'CML', name: 'ml', members: ['U_BOT', DEPLOYER, VIEWER, ADMIN] });
  t.standin.addChannel({ id: 'CTEAM', name: 'team', members: ['U_BOT', DEPLOYER, VIEWER] });
  t.standin.addChannel({ id: 'CNOBOT', name: 'nobot', members: [DEPLOYER] });
  t.standin.addChannel({ id: 'COTHERS', name: 'others', members: ['U_BOT', ADMIN] });
});
afterEach(async () => {
  await t.stop();
});

/** Runs the shortcut as `userId`; returns the form once its plans are loaded. */
async function openFromShortcut(userId: string): Promise<any> {
  const before = new Set(t.standin.views().keys());
  const ack = await t.user.withUser(userId).shortcut(SHORTCUT.deploy);
  expect(ack.status).toBe(200);
  return t.standin.waitFor(() => [...t.standin.views().values()].find((v) => !before.has(v.id) && v.callback_id === VIEW.deploy && v.blocks?.some((b: any) => b.block_id === BLOCK.plan)));
}

function picker(view: any): any {
  return view.blocks.find((b: any) => b.block_id === BLOCK.channel);
}

async function submit(userId: string, view: any, name: string, channel?: string) {
  const values = fill(view, { [BLOCK.plan]: PLAN_RTX4090_1X, [BLOCK.name]: name, [BLOCK.ports]: '22', [BLOCK.sshKey]: ED25519_PUB });
  if (channel) values[BLOCK.channel] = { [ACTION.deployChannel]: channel };
  return t.user.withUser(userId).submitView(view, values);
}

const posts = () => t.sim.control.requests.filter((r) => r.method === 'POST');

it('opens the form with a channel picker on the last channel used, and announces the deploy in the channel picked', async () => {
  await t.bot.context.store.grants.set({ kind: 'user', id: DEPLOYER }, 'deployer', ADMIN);
  // the last channel the user used the bot in is where the picker starts
  await command(t, t.user.withUser(DEPLOYER).inChannel('CML'), 'plans');
  const form = await openFromShortcut(DEPLOYER);
  const block = picker(form);
  expect(block).toMatchObject({ type: 'input', dispatch_action: true, label: { text: 'Announce in' } });
  expect(block.element).toMatchObject({ type: 'conversations_select', initial_conversation: 'CML', filter: { include: ['public', 'private'] } });

  // picking another channel re-renders the form for it (its lease policy), keeping the pick
  expect(await command(t, t.user.withUser(ADMIN), 'policy <#CTEAM|team> lease=2h')).toMatch(/2 ?h/);
  await t.user.withUser(DEPLOYER).selectConversation(form, ACTION.deployChannel, 'CTEAM');
  const again = await t.standin.waitFor(() => {
    const v = t.standin.views().get(form.id);
    return picker(v)?.element?.initial_conversation === 'CTEAM' ? v : undefined;
  });
  expect(elementOf(again, BLOCK.lease)).toMatchObject({ initial_option: { value: expect.stringMatching(/^2h|7200000/) } });

  const ack = await submit(DEPLOYER, again, 'from-shortcut');
  expect(ack.body.response_action).toBe('update');
  expect(JSON.stringify(ack.body.view)).toMatch(/Deployed/);
  expect(posts()).toHaveLength(1);
  const announcement = await messageMatching(t, 'CTEAM', /from-shortcut/);
  expect(textOf(announcement)).toMatch(/being deployed by <@UDEPLOYER>/);
  expect(t.standin.messages('CML').filter((m) => /from-shortcut/.test(textOf(m)))).toEqual([]);
  // the user was told, in that channel, where it is announced
  expect(t.standin.callsTo('chat.postEphemeral').find((c) => c.args.channel === 'CTEAM' && c.args.user === DEPLOYER)).toBeTruthy();
  // the thread lives there: the ready reply goes to it
  await t.tick(130_000);
  await t.standin.waitFor(() => t.standin.messages('CTEAM').find((m) => m.thread_ts === announcement.ts));
  // and the next shortcut starts on that channel
  expect(picker(await openFromShortcut(DEPLOYER)).element.initial_conversation).toBe('CTEAM');
});

it('refuses, under the channel field and before any POST, a channel the bot is not in or the user is not in', async () => {
  await t.bot.context.store.grants.set({ kind: 'user', id: DEPLOYER }, 'deployer', ADMIN);
  const form = await openFromShortcut(DEPLOYER);
  expect(picker(form).element.initial_conversation).toBeUndefined();
  const noChannel = await submit(DEPLOYER, form, 'nowhere');
  expect(noChannel.body).toEqual({ response_action: 'errors', errors: { [BLOCK.channel]: 'Pick the channel where the deploy is announced.' } });
  const noBot = await submit(DEPLOYER, form, 'no-bot', 'CNOBOT');
  expect(noBot.body.errors[BLOCK.channel]).toMatch(/I am not a member of that channel/);
  const notMine = await submit(DEPLOYER, form, 'not-mine', 'COTHERS');
  expect(notMine.body.errors[BLOCK.channel]).toMatch(/You are not a member of that channel/);
  expect(posts()).toEqual([]);
});

it("applies the user's role in the channel picked: a channel grant counts there, and only there", async () => {
  // VIEWER is a viewer everywhere, but #team grants deployer to whoever acts in it
  await t.bot.context.store.grants.set({ kind: 'channel', id: 'CTEAM' }, 'deployer', ADMIN);
  const form = await openFromShortcut(VIEWER);
  const refused = await submit(VIEWER, form, 'viewer-ml', 'CML');
  expect(refused.body.errors[BLOCK.channel]).toMatch(/viewer|not allowed/i);
  expect(posts()).toEqual([]);
  const ok = await submit(VIEWER, form, 'viewer-team', 'CTEAM');
  expect(ok.body.response_action).toBe('update');
  expect(JSON.stringify(ok.body.view)).toMatch(/Deployed/);
  await messageMatching(t, 'CTEAM', /viewer-team/);
});

it('a deploy over the limit from the shortcut asks for approval in the channel picked, and is announced there once approved', async () => {
  await t.stop();
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, MAX_HOURLY_USD: '0.10' } });
  t.standin.addChannel({ id: 'CTEAM', name: 'team', members: ['U_BOT', DEPLOYER, ADMIN] });
  await t.bot.context.store.grants.set({ kind: 'user', id: DEPLOYER }, 'deployer', ADMIN);
  const form = await openFromShortcut(DEPLOYER);
  const ack = await submit(DEPLOYER, form, 'pricey-one', 'CTEAM');
  expect(JSON.stringify(ack.body.view)).toMatch(/needs an admin's approval/);
  expect(posts()).toEqual([]);
  const request = await messageMatching(t, 'CTEAM', /wants to deploy.*pricey-one/s);
  await t.user.withUser(ADMIN).inChannel('CTEAM').clickButton({ ...request, channel: 'CTEAM' }, ACTION.approve);
  await messageMatching(t, 'CTEAM', /Deployed `pricey-one`/);
  expect(posts()).toHaveLength(1);
  expect(t.standin.messages('C_GENERAL').filter((m) => /pricey-one/.test(textOf(m)))).toEqual([]);
});

