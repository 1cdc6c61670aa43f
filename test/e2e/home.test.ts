/**
 * The App Home end to end (issue 12 §1): Slack sends `app_home_opened` (signed Events API over
 * HTTP, or a Socket Mode envelope), the bot publishes the Home the viewer's role calls for, and
 * re-publishes it (debounced) when the viewer's instances change. Its buttons are the other
 * features' buttons, authorised at the click, answered in the clicker's DM with the bot.
 * Real roles (FLUENCE_API_KEY set, so not sandbox).
 */
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { startSlackStandin, type SlackUser } from '../../src/standin';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids';
import { HOME_DEBOUNCE_MS } from '../../src/services/home-refresh';
import { encodeRef } from '../../src/slack/views/format';
import { startFakeSocketMode } from '../support/fake-socket-mode';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, deployViaModal, instanceIdOf, messageMatching, submitDeployModal, textOf } from './guardrails-kit';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CHANNEL = 'CGPU';
const ENV = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, MAX_HOURLY_USD: '1' };

const publishes = (t: TestBot, userId: string) => t.standin.callsTo('views.publish').filter((c) => c.args.user_id === userId && !c.error);
const buttons = (view: Any) => (view.blocks as Any[]).flatMap((b) => (b.type === 'actions' ? b.elements : []));
const actionIds = (view: Any) => buttons(view).map((b: Any) => b.action_id);
const dmOf = (userId: string) => `D${userId.slice(1)}`;
// awaited: the store's reads become async (issue 13)
const pending = async (t: TestBot) => await t.bot.context.store.approvals.listPending();

/** The n-th (1-based) Home published for `userId`, once it is there. */
async function nthHome(t: TestBot, userId: string, n: number, timeoutMs?: number): Promise<Any> {
  const call = await t.standin.waitFor(() => publishes(t, userId)[n - 1], timeoutMs);
  return call.args.view;
}

/** Opens the Home tab and returns what the bot published for it. */
async function openHome(t: TestBot, user: SlackUser, timeoutMs?: number): Promise<Any> {
  const before = publishes(t, user.userId).length;
  const ack = await user.openHome();
  expect(ack.status).toBe(200);
  return nthHome(t, user.userId, before + 1, timeoutMs);
}

/** Lets the debounce window pass; returns the Home published after it. */
async function republished(t: TestBot, userId: string, before: number): Promise<Any> {
  await t.bot.context.inflight.idle();
  t.clock.advance(HOME_DEBOUNCE_MS);
  return nthHome(t, userId, before + 1);
}

describe('App Home', () => {
  let t: TestBot;
  const as = (u: string) => t.user.withUser(u).inChannel(CHANNEL);
  beforeEach(async () => {
    t = await startTestBot({ env: ENV });
    expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('publishes the sections each role calls for: viewer, deployer, admin', async () => {
    expect(await command(t, as(ADMIN), `budget <#${CHANNEL}|gpu> 10`)).toMatch(/10/);
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_RTX4090_1X, name: 'small-one' });
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_H100_1X, name: 'big-one' }); // over MAX_HOURLY_USD: pending
    await t.bot.context.inflight.idle();
    expect(await pending(t)).toHaveLength(1);
    await t.tick(130_000); // small-one turns ACTIVE
    const smallId = await instanceIdOf(t, 'small-one');

    const viewer = await openHome(t, as(VIEWER));
    const v = textOf(viewer);
    expect(v).toContain('You are a *viewer* here');
    expect(v).toContain('*Balance* $');
    expect(v).toContain('*Burn* $0.39/h (1 active)');
    expect(v).toContain('My instances (0)');
    expect(v).toContain('*1* instance(s) running across the team, burning *$0.39/h*');
    expect(v).not.toContain('Pending approvals');
    expect(v).not.toContain('small-one');
    expect(actionIds(viewer)).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet]);

    const deployer = await openHome(t, as(DEPLOYER));
    const d = textOf(deployer);
    expect(d).toContain('You are a *deployer* here');
    expect(d).toContain('My instances (1)');
    expect(d).toMatch(/\*small-one\* `[0-9a-f]{8}` · container · ACTIVE · RTX4090 24GB PCIE × 1 · \$0\.39\/h · up \d+m?\d*s? · spent \$[\d.]+ · lease ends <!date/);
    expect(d).not.toContain('Pending approvals');
    expect(actionIds(deployer)).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet, ACTION.openInstance, ACTION.leaseExtend2h, ACTION.terminate]);
    expect(buttons(deployer).find((b: Any) => b.action_id === ACTION.terminate).confirm.title.text).toBe('Terminate small-one?');

    const admin = await openHome(t, as(ADMIN));
    const a = textOf(admin);
    expect(a).toContain('You are an *admin* here');
    expect(a).toContain('My instances (0)');
    expect(a).toContain('Pending approvals (1)');
    expect(a).toContain(`<@${DEPLOYER}> wants to deploy the container \`big-one\` at *$2.10/h* (from <#${CHANNEL}>`);
    expect(a).toContain(`*small-one*`);
    expect(a).toContain(`<@${DEPLOYER}> in <#${CHANNEL}>`);
    expect(a).toContain(`<#${CHANNEL}>: $0.39/h of $10.00/h`);
    expect(actionIds(admin)).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet, ACTION.approve, ACTION.deny]);
    expect(buttons(admin).find((b: Any) => b.action_id === ACTION.approve).value).toBe((await pending(t))[0]!.id);
    expect(smallId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is re-published after a deploy and after a terminate clicked on the Home itself (confirmed, checked at the click)', async () => {
    const deployer = as(DEPLOYER);
    const first = await openHome(t, deployer);
    expect(textOf(first)).toContain('My instances (0)');

    await deployViaModal(t, deployer, { planId: PLAN_RTX4090_1X, name: 'home-job' });
    const afterDeploy = await republished(t, DEPLOYER, 1);
    expect(textOf(afterDeploy)).toContain('My instances (1)');
    expect(textOf(afterDeploy)).toContain('*home-job*');
    expect(actionIds(afterDeploy)).not.toContain(ACTION.terminate); // not ACTIVE yet

    await t.tick(130_000); // ACTIVE: the ready reply re-publishes it too
    const id = await instanceIdOf(t, 'home-job');
    const n = publishes(t, DEPLOYER).length;
    const active = await republished(t, DEPLOYER, n);
    expect(actionIds(active)).toContain(ACTION.terminate);
    // Extend 2 h on the Home: the lease handler moves the end (checked at the click), the Home shows it
    const endBefore = (await t.bot.context.store.leases.get(id))!.endsAt!;
    const beforeExtend = publishes(t, DEPLOYER).length;
    await deployer.clickButton({ view: active }, ACTION.leaseExtend2h);
    await t.bot.context.inflight.idle();
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(endBefore + 2 * 3600_000);

    const extended = await republished(t, DEPLOYER, beforeExtend);
    expect(textOf(extended)).toContain(`<!date^${Math.floor((endBefore + 2 * 3600_000) / 1000)}^`);
    const before = publishes(t, DEPLOYER).length;
    const ack = await deployer.clickButton({ view: extended }, ACTION.terminate, { value: encodeRef('container', id) });
    expect(ack.status).toBe(200);
    await t.bot.context.inflight.idle();
    expect(t.sim.control.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(id))).toHaveLength(1);
    // the answer goes to the clicker's DM with the bot (a Home click has no response_url)
    const dm = await t.standin.waitFor(() => t.standin.messages(dmOf(DEPLOYER)).find((m) => /Terminated|ENDED/i.test(textOf(m))));
    expect(textOf(dm)).toContain('home-job');
    const after = await republished(t, DEPLOYER, before);
    expect(textOf(after)).toContain('My instances (0)');
    expect(textOf(after)).not.toContain('home-job');
  });

  it('a viewer clicking Terminate on a Home that shows it (forged) is refused at the click: nothing is deleted', async () => {
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_RTX4090_1X, name: 'not-yours' });
    await t.tick(130_000);
    const id = await instanceIdOf(t, 'not-yours');
    const deployerHome = await openHome(t, as(DEPLOYER));
    const viewer = as(VIEWER);
    await viewer.clickButton({ view: deployerHome }, ACTION.terminate, { value: encodeRef('container', id) });
    await t.bot.context.inflight.idle();
    const dm = await t.standin.waitFor(() => t.standin.messages(dmOf(VIEWER))[0]);
    expect(textOf(dm)).toMatch(/deployer role/);
    expect(t.sim.control.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('an admin approves in place on the Home: the deploy goes out, the admin\'s and the requester\'s Homes are re-published', async () => {
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_H100_1X, name: 'needs-ok' });
    await t.bot.context.inflight.idle();
    expect(await pending(t)).toHaveLength(1);
    const home = await openHome(t, as(ADMIN));
    const approvalId = buttons(home).find((b: Any) => b.action_id === ACTION.approve).value;
    const adminBefore = publishes(t, ADMIN).length;
    const deployerBefore = publishes(t, DEPLOYER).length;
    await as(ADMIN).clickButton({ view: home }, ACTION.approve, { value: approvalId });
    await t.bot.context.inflight.idle();
    expect((await t.bot.context.store.approvals.get(approvalId))?.state).toBe('approved');
    expect(await instanceIdOf(t, 'needs-ok')).toBeTruthy();
    const adminAfter = await republished(t, ADMIN, adminBefore);
    expect(textOf(adminAfter)).toContain('Pending approvals (0)');
    expect(textOf(adminAfter)).toContain('*needs-ok*');
    const deployerHome = await nthHome(t, DEPLOYER, deployerBefore + 1);
    expect(textOf(deployerHome)).toContain('*needs-ok*');
  });

  it('quick actions: Deploy opens the form with a channel picker and announces where picked; My SSH key opens the key form; Browse plans answers in the DM', async () => {
    t.standin.addChannel({ id: CHANNEL, name: 'gpu', members: ['U_BOT', DEPLOYER] });
    const deployer = as(DEPLOYER);
    await command(t, deployer, 'plans'); // the last channel the deployer used the bot in
    const home = await openHome(t, deployer);
    const opened = (callbackId: string) => t.standin.callsTo('views.open').filter((c) => c.args.view?.callback_id === callbackId && !c.error);
    await deployer.clickButton({ view: home }, ACTION.homeDeploy);
    const form = await t.standin.waitFor(() => [...t.standin.views().values()].find((v) => v.callback_id === VIEW.deploy && v.blocks?.some((b: Any) => b.block_id === BLOCK.plan)));
    const picker = form.blocks.find((b: Any) => b.block_id === BLOCK.channel);
    expect(picker.element).toMatchObject({ type: 'conversations_select', initial_conversation: CHANNEL });
    const ack = await submitDeployModal(deployer, form, { planId: PLAN_RTX4090_1X, name: 'from-home' });
    expect(ack.body.response_action).toBe('update');
    expect(textOf(await messageMatching(t, CHANNEL, /from-home/))).toMatch(/being deployed by <@UDEPLOYER>/);

    await deployer.clickButton({ view: home }, ACTION.sshKeySet);
    await t.standin.waitFor(() => opened(VIEW.sshKey)[0]);
    await deployer.clickButton({ view: home }, ACTION.helpPlans);
    await t.bot.context.inflight.idle();
    const dm = await t.standin.waitFor(() => t.standin.messages(dmOf(DEPLOYER)).find((m) => /\$0\.39\/h/.test(textOf(m))));
    expect(textOf(dm)).toMatch(/RTX4090/);
  });

  it('the Messages tab publishes nothing; hundreds of instances still make a Home Slack accepts, cut visibly', async () => {
    await as(ADMIN).openHome({ tab: 'messages' });
    await t.bot.context.inflight.idle();
    expect(publishes(t, ADMIN)).toHaveLength(0);
    // enough running instances that the admin's Team list cannot fit (about 1 s to gather on 2 cores)
    t.sim.control.seedInstances(2500, 'container', { namePrefix: 'bulk' });
    const home = await openHome(t, as(ADMIN), 20_000);
    expect(home.blocks.length).toBeLessThanOrEqual(100);
    expect(textOf(home)).toMatch(/…and \d+ more instances: `\/gpu list`/);
    expect(t.standin.rejections).toEqual([]);
  }, 40_000);
});

test('Socket Mode: an app_home_opened events_api envelope is acked and the Home published', async () => {
  const socket = await startFakeSocketMode();
  let t: TestBot | undefined;
  try {
    const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
    standin.handle('apps.connections.open', () => ({ url: socket.url }));
    t = await startTestBot({ standin, ownsShared: true, env: { SLACK_APP_TOKEN: 'xapp-home-test' } });
    const user = t.user.withUser('UHOMESOCK');
    socket.push({ envelope_id: 'home-1', type: 'events_api', accepts_response_payload: false, retry_attempt: 0, retry_reason: '', payload: user.eventCallback('home') });
    await standin.waitFor(() => socket.received.find((m) => m.envelope_id === 'home-1'));
    const call = await standin.waitFor(() => standin.callsTo('views.publish').find((c) => c.args.user_id === 'UHOMESOCK'));
    expect(call.error).toBeUndefined();
    expect(textOf(call.args.view)).toContain('GPU dashboard');
    expect(textOf(call.args.view)).toContain('🧪 Sandbox');
  } finally {
    await t?.stop();
    await socket.close();
  }
}, 15_000);
