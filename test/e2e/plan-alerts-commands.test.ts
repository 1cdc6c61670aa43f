/** `/gpu alert add|list|remove` through signed Slack requests: who may, where it posts, the cap. */
import { PLAN_H100_1X } from '../../src/simulator';
import { ACTION } from '../../src/slack/ids';
import { renderAlertMatch } from '../../src/slack/views/plan-alerts';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { buttonsOf, nthResponse, visibleText } from '../support/responses';

let t: TestBot;
beforeAll(async () => {
  // not sandbox: roles matter (alice has no grant: a viewer); U_ADMIN is an admin
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: 'UADMIN1' } });
});
afterAll(() => t.stop());

async function gpu(user: TestBot['user'], text: string): Promise<any> {
  const ack = await user.command(text);
  expect(ack.status).toBe(200);
  if (ack.body && typeof ack.body === 'object' && ack.body.text) return ack.body; // answered in the ack (a parse error)
  return nthResponse(t.standin, ack.responseUrl!);
}

describe('/gpu alert', () => {
  it('a viewer sets an alert here; the answer names it, where it posts, and what matches already', async () => {
    const msg = await gpu(t.user, 'alert add h100 max=2.2');
    const text = visibleText(msg);
    expect(msg.response_type).toBe('ephemeral');
    expect(text).toMatch(/Alert \d+ set:\* H100 containers · max \$2\.20\/h/);
    expect(text).toContain('I will post in <#C_GENERAL>');
    expect(text).toContain('1 plan matches already (cheapest $2.10/h)');
    expect(text).toContain('You have 1 of 10 alerts');
  });

  it('typed in a DM, it posts in the DM with the bot', async () => {
    const msg = await gpu(t.user.withUser('U_DMER').inChannel('D_SOMEDM'), 'alert add vms a100');
    expect(visibleText(msg)).toContain('I will post in a DM with you');
    const [alert] = await t.bot.context.planAlerts.list('U_DMER');
    expect(alert?.channelId).toBe('U_DMER');
  });

  it('bad filters get the specific message in the ack', async () => {
    const ack = await t.user.command('alert add h100 max=free');
    expect(visibleText(ack.body)).toContain("max must be a price in USD per hour like 2.50 or $2.50, got 'free'");
  });

  it('list shows yours with Remove; someone else cannot remove it, an admin can', async () => {
    const bob = t.user.withUser('U_BOB');
    const set = visibleText(await gpu(bob, 'alert add baremetal 8x'));
    const id = Number(/Alert (\d+) set/.exec(set)![1]);
    const list = await gpu(bob, 'alert list');
    expect(visibleText(list)).toContain(`*${id}* · bare metal · 8 GPUs · in <#C_GENERAL>`);
    expect(buttonsOf(list, ACTION.alertRemove).map((b) => b.value)).toEqual([String(id)]);
    expect(visibleText(await gpu(t.user, `alert remove ${id}`))).toContain(`Alert ${id} is <@U_BOB>'s: only they or an admin can remove it.`);
    expect(visibleText(await gpu(t.user.withUser('UADMIN1'), `alert remove ${id}`))).toContain(`Alert ${id} (bare metal · 8 GPUs, <@U_BOB>'s) removed`);
    expect(visibleText(await gpu(bob, `alert remove ${id}`))).toContain(`There is no plan alert ${id}`);
    expect(visibleText(await gpu(bob, 'alert list'))).toContain('You have no plan alerts.');
  });

  it('Remove on the list removes it and shows the list again in place', async () => {
    const carol = t.user.withUser('U_CAROL');
    await gpu(carol, 'alert add h100');
    await gpu(carol, 'alert add a100 max=1.3');
    const list = await gpu(carol, 'alert list');
    const [first] = buttonsOf(list, ACTION.alertRemove);
    const click = await carol.clickButton(list, ACTION.alertRemove, { value: first.value });
    const after = await nthResponse(t.standin, click.responseUrl!);
    expect(after.replace_original).toBe(true);
    expect(buttonsOf(after, ACTION.alertRemove).map((b) => b.value)).not.toContain(first.value);
    expect(visibleText(after)).toContain('1 of 10 alerts');
  });

  it("a viewer's click on an alert's Deploy is refused as any deploy is (role checked at the click); a deployer's opens the form", async () => {
    const offer = (await t.bot.context.plans.offers('container')).find((o) => o.planId === PLAN_H100_1X)!;
    const msg = { ...renderAlertMatch({ kind: 'plan-alert.match', alertId: 1, ownerId: 'U_ALICE', channel: 'C_GENERAL', type: 'container', filters: { gpu: 'h100' }, matches: [{ offer }], more: 0 }, false), channel: 'C_GENERAL', ts: '1700000000.000900' };
    const opens = t.standin.callsTo('views.open').length;
    const click = await t.user.clickButton(msg, ACTION.alertDeploy);
    expect(visibleText(await nthResponse(t.standin, click.responseUrl!))).toContain('You need the deployer role to deploy instances; you are a viewer.');
    expect(t.standin.callsTo('views.open')).toHaveLength(opens);
    await t.user.withUser('UADMIN1').clickButton(msg, ACTION.alertDeploy);
    await t.standin.waitFor(() => t.standin.callsTo('views.open')[opens]);
  });

  it('the 11th alert of one person is refused, naming the limit and their alerts', async () => {
    const dave = t.user.withUser('U_DAVE');
    for (let i = 1; i <= 10; i++) await gpu(dave, `alert add h100 max=${i}`);
    const text = visibleText(await gpu(dave, 'alert add h100 max=11'));
    expect(text).toContain('You already have 10 plan alerts, the most one person may have');
    expect(await t.bot.context.planAlerts.list('U_DAVE')).toHaveLength(10);
  });
});
