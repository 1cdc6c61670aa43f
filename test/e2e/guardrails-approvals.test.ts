/**
 * Spend limits and approvals, through the whole bot: a deploy over MAX_HOURLY_USD or a channel
 * budget becomes a request in the channel; a different admin approves (deployed + announced +
 * watched) or denies; self-approval and non-admins are refused; requests expire after 24 h; a
 * deploy the balance cannot cover never reaches the API.
 */
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching, replyText, textOf } from './guardrails-kit';

const ENV = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1' };

describe('approvals', () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot({ env: ENV });
    await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  });
  afterEach(async () => {
    await t?.stop();
  });

  const deployer = () => t.user.withUser(DEPLOYER);
  const posts = () => t.sim.control.requests.filter((r) => r.method === 'POST').length;

  async function requestOverLimit(name: string) {
    const ack = await deployViaModal(t, deployer(), { planId: PLAN_H100_1X, name, env: 'HF_TOKEN=hf_approval_secret_71' });
    expect(ack.status).toBe(200);
    const request = await messageMatching(t, 'C_GENERAL', new RegExp(`wants to deploy.*${name}`, 's'));
    return request;
  }

  test('over MAX_HOURLY_USD: a request is posted, nothing is deployed, and the secret is sealed', async () => {
    const request = await requestOverLimit('big-one');
    const text = textOf(request);
    expect(text).toContain(`<@${DEPLOYER}>`);
    expect(text).toContain('$2.10/h');
    expect(text).toMatch(/above the limit of \$1\.00\/h/);
    const buttons = request.blocks.flatMap((b: any) => b.elements ?? []).map((e: any) => e.action_id);
    expect(buttons).toEqual(expect.arrayContaining([ACTION.approve, ACTION.deny]));
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(0);
    const stored = await t.bot.context.store.approvals.listPending();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.payload).not.toContain('hf_approval_secret_71');
    expect(posts()).toBe(0);
  });

  test('another admin approves: deployed, announced, watched, and recorded in the thread and audit', async () => {
    const request = await requestOverLimit('approved-one');
    const ack = await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    expect(ack.status).toBe(200);
    const deployedNote = await messageMatching(t, 'C_GENERAL', /Deployed `approved-one`/);
    expect(deployedNote.thread_ts).toBe(request.ts);
    expect(textOf(deployedNote)).toContain(`<@${DEPLOYER}>`);
    const instances = await t.bot.context.fluence.listInstances('container');
    expect(instances.map((i) => i.name)).toEqual(['approved-one']);
    // the request message now says who approved it, and has no buttons left
    const updated = t.standin.messages('C_GENERAL').find((m) => m.ts === request.ts)!;
    expect(textOf(updated)).toContain(`Approved by <@${ADMIN}>`);
    expect(JSON.stringify(updated.blocks)).not.toContain(ACTION.approve);
    // announced like a normal deploy, and watched
    await messageMatching(t, 'C_GENERAL', /approved-one.*(being deployed|deployed by)/s);
    await t.bot.context.inflight.idle();
    expect(await t.bot.context.store.watches.get(instances[0]!.id)).toMatchObject({ instanceId: instances[0]!.id });
    const audit = await t.bot.context.store.audit.recent(10);
    expect(audit.find((e) => e.action === 'approve')).toMatchObject({ actorId: ADMIN, outcome: 'ok' });
    expect(audit.find((e) => e.action === 'deploy' && e.outcome === 'ok')).toMatchObject({ actorId: DEPLOYER, instanceId: instances[0]!.id });
    // a second click changes nothing
    const again = await t.user.withUser(ADMIN2).clickButton(request, ACTION.approve);
    expect(await replyText(t, again)).toMatch(/already approved by <@UADMIN>/);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(1);
  });

  test('deny: nothing deployed, the requester is told, the thread records it', async () => {
    const request = await requestOverLimit('denied-one');
    await t.user.withUser(ADMIN).clickButton(request, ACTION.deny);
    const note = await messageMatching(t, 'C_GENERAL', /denied this deploy/);
    expect(note.thread_ts).toBe(request.ts);
    const dm = await messageMatching(t, 'DDEPLOYER', /denied your deploy of `denied-one`/);
    expect(textOf(dm)).toContain(`<@${ADMIN}>`);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(0);
    expect((await t.bot.context.store.audit.recent(5)).find((e) => e.action === 'deny')).toMatchObject({ actorId: ADMIN, outcome: 'ok' });
  });

  test('self-approval is refused, and a non-admin cannot decide', async () => {
    await command(t, t.user.withUser(ADMIN), `access grant <@${ADMIN2}> viewer`); // bootstrap: stays admin
    const ack = await deployViaModal(t, t.user.withUser(ADMIN), { planId: PLAN_H100_1X, name: 'admins-own' });
    expect(ack.status).toBe(200);
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*admins-own/s);
    const self = await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    expect(await replyText(t, self)).toMatch(/cannot approve it yourself/);
    const byDeployer = await deployer().clickButton(request, ACTION.approve);
    const refusal = await replyText(t, byDeployer);
    expect(refusal).toMatch(/admin/);
    expect(refusal).toContain(`<@${ADMIN}>`);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(0);
    expect(await t.bot.context.store.approvals.listPending()).toHaveLength(1);
    // another admin still can
    await t.user.withUser(ADMIN2).clickButton(request, ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /Deployed `admins-own`/);
  });

  test('a request expires after 24 hours: a late click deploys nothing and the message says so', async () => {
    const request = await requestOverLimit('too-late');
    t.clock.advance(24 * 60 * 60 * 1000 + 1);
    const ack = await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    expect(await replyText(t, ack)).toMatch(/expired/);
    const updated = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.ts === request.ts && /Expired/.test(textOf(m))));
    expect(JSON.stringify(updated.blocks)).not.toContain(ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /request expired/);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(0);
  });

  test('a channel budget overrun becomes a request; within budget deploys at once', async () => {
    await command(t, t.user.withUser(ADMIN), 'budget 0.50');
    const ok = await deployViaModal(t, deployer(), { planId: PLAN_RTX4090_1X, name: 'small-one' });
    expect(ok.status).toBe(200);
    await messageMatching(t, 'C_GENERAL', /small-one/);
    expect((await t.bot.context.fluence.listInstances('container')).map((i) => i.name)).toEqual(['small-one']);
    // 0.39 + 0.39 > 0.50
    await deployViaModal(t, deployer(), { planId: PLAN_RTX4090_1X, name: 'second-one' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*second-one/s);
    expect(textOf(request)).toMatch(/budget of \$0\.50\/h/);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(1);
  });

  test('an unaffordable deploy is stopped before any POST, with the figures', async () => {
    t.sim.control.setBalance(1);
    const ack = await deployViaModal(t, deployer(), { planId: PLAN_RTX4090_1X, name: 'cannot-pay' });
    const shown = JSON.stringify(ack.body);
    expect(shown).toMatch(/\$1\.17 upfront/);
    expect(shown).toMatch(/balance is \$1\.00/);
    expect(posts()).toBe(0);
    expect(await t.bot.context.store.approvals.listPending()).toHaveLength(0);
  });
});
