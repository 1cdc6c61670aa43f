/**
 * Issue 9 §2 and §5: limits hold under concurrency and price changes, and only modals the bot
 * opened can deploy. Two submissions racing for one channel budget cannot both pass (the check
 * and the claim are one write transaction, pending claims counted at their price); a plan whose
 * price went up since the form showed it, or since an admin approved it, is not deployed without
 * a new decision; a signed view_submission with a request id the bot never issued deploys nothing.
 */
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION, BLOCK } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching, openDeployModal, submitDeployModal, textOf } from './guardrails-kit';

const ENV = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1' };
const DEPLOYER2 = 'UDEPLOYERTWO';

let t: TestBot;
afterEach(async () => {
  await t?.stop();
});
const posts = () => t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/').length;

async function withDeployers() {
  t = await startTestBot({ env: ENV });
  await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER2}> deployer`);
}

describe('channel budget under concurrency', () => {
  it('budget $0.50/h, two $0.39/h deploys submitted at once: one deploys, the other asks for approval', async () => {
    await withDeployers();
    await command(t, t.user.withUser(ADMIN), 'budget 0.50');
    const a = t.user.withUser(DEPLOYER);
    const b = t.user.withUser(DEPLOYER2);
    const formA = await openDeployModal(t, a);
    const formB = await openDeployModal(t, b);
    const [ackA, ackB] = await Promise.all([
      submitDeployModal(a, formA, { planId: PLAN_RTX4090_1X, name: 'racer-a' }),
      submitDeployModal(b, formB, { planId: PLAN_RTX4090_1X, name: 'racer-b' }),
    ]);
    expect([ackA.status, ackB.status]).toEqual([200, 200]);
    await t.bot.context.inflight.idle();
    expect(posts()).toBe(1);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(1);
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*racer-[ab]/s);
    expect(textOf(request)).toMatch(/budget of \$0\.50\/h \(now \$0\.39\/h\)/);
    expect(await t.bot.context.store.approvals.listPending()).toHaveLength(1);
  });
});

describe('prices are bound to the decision', () => {
  it('a plan that got dearer after the form showed it is not deployed until the user submits again', async () => {
    t = await startTestBot();
    const form = await openDeployModal(t, t.user);
    expect(JSON.stringify(form.blocks)).toMatch(/\$0\.39\/h/);
    t.sim.control.setFaults({ prices: { [PLAN_RTX4090_1X]: 0.45 } });
    const first = await submitDeployModal(t.user, form, { planId: PLAN_RTX4090_1X, name: 'dearer' });
    expect(first.body.response_action).toBe('errors');
    expect(first.body.errors[BLOCK.plan]).toMatch(/now costs \$0\.45\/h, more than the \$0\.39\/h shown/);
    expect(posts()).toBe(0);
    // the error showed the new price: submitting again accepts it
    const second = await submitDeployModal(t.user, form, { planId: PLAN_RTX4090_1X, name: 'dearer' });
    expect(JSON.stringify(second.body.view)).toMatch(/Deployed/);
    expect(JSON.stringify(second.body.view)).toMatch(/\$0\.45\/h/);
    expect(posts()).toBe(1);
    const claim = (await t.bot.context.store.deployRequests.listByChannel('C_GENERAL'))[0]!;
    expect(claim.pricePerHour).toBe(0.45);
  });

  it('an admin approves $2.10/h, the plan now costs $21/h: nothing is deployed and a new decision is needed', async () => {
    await withDeployers();
    await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'repriced' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*repriced/s);
    expect(textOf(request)).toContain('$2.10/h');
    t.sim.control.setFaults({ prices: { [PLAN_H100_1X]: 21 } });
    await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    const note = await messageMatching(t, 'C_GENERAL', /nothing was deployed/);
    expect(note.thread_ts).toBe(request.ts);
    expect(textOf(note)).toMatch(/now costs \$21\.00\/h, more than the \$2\.10\/h that was approved/);
    expect(textOf(note)).toContain(`<@${DEPLOYER}>`);
    await t.bot.context.inflight.idle();
    expect(posts()).toBe(0);
    expect((await t.bot.context.store.audit.recent(10)).filter((e) => e.action === 'deploy' && e.outcome === 'ok')).toHaveLength(0);
  });

  it('approved at $2.10/h and still $2.10/h: deployed, and the audit row says what was paid', async () => {
    await withDeployers();
    await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'same-price' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*same-price/s);
    await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /Deployed `same-price`/);
    const row = (await t.bot.context.store.audit.recent(10)).find((e) => e.action === 'deploy' && e.outcome === 'ok');
    expect(row?.pricePerHour).toBe(2.1);
  });
});

describe('only modals the bot opened, for the user it opened them for', () => {
  it('a signed view_submission with a made-up view id and request id deploys nothing', async () => {
    t = await startTestBot();
    const real = await openDeployModal(t, t.user);
    const forged = {
      ...real,
      id: 'VFORGED01',
      private_metadata: JSON.stringify({ v: 1, requestId: 'made-up-request-id', type: 'container', channelId: 'C_GENERAL' }),
    };
    const ack = await submitDeployModal(t.user, forged, { planId: PLAN_RTX4090_1X, name: 'forged' });
    expect(ack.status).toBe(200);
    expect(ack.body.response_action).toBe('errors');
    expect(JSON.stringify(ack.body.errors)).toMatch(/did not open this form for you/);
    await t.bot.context.inflight.idle();
    expect(posts()).toBe(0);
  });

  it("another user's form (its real request id) deploys nothing for them", async () => {
    t = await startTestBot();
    const alices = await openDeployModal(t, t.user);
    const ack = await submitDeployModal(t.user.withUser('UMALLORY'), alices, { planId: PLAN_RTX4090_1X, name: 'borrowed' });
    expect(ack.body.response_action).toBe('errors');
    expect(posts()).toBe(0);
    // Alice's own submit still works
    const own = await submitDeployModal(t.user, alices, { planId: PLAN_RTX4090_1X, name: 'borrowed' });
    expect(JSON.stringify(own.body.view)).toMatch(/Deployed/);
  });
});

describe('an approval decided just before the bot stopped', () => {
  it('approved, then the process died before the deploy was sent: the next process sends it once and says so in the thread', async () => {
    t = await startTestBot({ env: { ...ENV, GPU_BOT_SEAL_KEY: 'a-test-seal-key-of-at-least-32-characters' } });
    await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
    await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'orphaned' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*orphaned/s);
    const [pending] = await t.bot.context.store.approvals.listPending();
    // what the Approve click does first; the process is killed before its deploy is claimed
    expect(await t.bot.context.store.approvals.decide(pending!.id, { decision: 'approved', by: ADMIN, at: t.bot.context.now() })).not.toHaveProperty('error');
    t = await t.restart();
    const done = await messageMatching(t, 'C_GENERAL', /Deployed `orphaned`/);
    expect(done.thread_ts).toBe(request.ts);
    await t.bot.context.inflight.idle();
    expect(posts()).toBe(1);
    expect(await t.bot.context.store.approvals.get(pending!.id)).toMatchObject({ state: 'approved', instanceId: expect.any(String) });
    // another restart finds it settled: nothing more is sent
    t = await t.restart();
    await t.bot.context.inflight.idle();
    expect(posts()).toBe(1);
  });
});
