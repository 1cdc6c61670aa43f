/**
 * Plan alerts end to end (issue 12 §3 proof): the bot behind signed Slack requests, the Fluence
 * simulator's market changing, the scheduler's plan-alert job and the outbox delivering to the Slack
 * stand-in, on a manual clock.
 */
import { PLAN_H100_1X, VM_OPTION_H100_TOKYO } from '../../src/simulator';
import { ACTION, BLOCK } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { buttonsOf, nthResponse, visibleText } from '../support/responses';

const INTERVAL = 5 * 60_000;
const DAY = 86_400_000;

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(() => t.stop());

/** One scheduled check: time passes, the job runs, the outbox delivers. Returns the plan-list calls it made. */
async function check(ms = INTERVAL): Promise<number> {
  await t.bot.context.inflight.idle();
  t.clock.advance(ms);
  t.sim.control.resetRequests();
  expect(await t.bot.scheduler.runNow('plan-alerts')).toBe('ran');
  await t.bot.delivery.deliverDue();
  return t.sim.control.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/gpu/plans')).length;
}

const alertPosts = (channel = 'C_GENERAL') => t.standin.messages(channel).filter((m) => /Plan alert \d+/.test(m.text ?? ''));

async function addAlert(text: string, user = t.user): Promise<number> {
  const ack = await user.command(text);
  const msg = await nthResponse(t.standin, ack.responseUrl!);
  const m = /Alert (\d+) set/.exec(visibleText(msg));
  if (!m) throw new Error(`no alert set: ${visibleText(msg)}`);
  return Number(m[1]);
}

describe('plan alerts', () => {
  it('fires once when a price drops to max, not again next check, again after the offer disappears and comes back', async () => {
    const id = await addAlert('alert add h100 max=2 location=DE');
    expect(await check()).toBe(1); // one plan-list call for containers
    expect(alertPosts()).toHaveLength(0); // $2.10/h: nothing yet

    t.sim.control.market.setPrice(PLAN_H100_1X, 1.89);
    await check();
    expect(alertPosts()).toHaveLength(1);
    const first = alertPosts()[0]!;
    expect(first.text).toBe(`Plan alert ${id} (H100 containers · max $2.00/h · location=DE): $1.89/h (was $2.10/h)`);
    expect(visibleText(first)).toContain(`<@U_ALICE> *Plan alert ${id}*`);

    await check();
    await check();
    expect(alertPosts()).toHaveLength(1); // still there, still cheap: told once

    t.sim.control.market.withdraw(PLAN_H100_1X);
    await check();
    expect(alertPosts()).toHaveLength(1);
    t.sim.control.market.restore(PLAN_H100_1X);
    await check();
    expect(alertPosts()).toHaveLength(2); // it came back

    t.sim.control.market.setPrice(PLAN_H100_1X, 2.5);
    await check();
    t.sim.control.market.setPrice(PLAN_H100_1X, 1.95);
    await check();
    expect(alertPosts()).toHaveLength(3); // rose above max, dropped back
    expect(alertPosts()[2]!.text).toContain('$1.95/h (was $2.50/h)');
  });

  it("the message's Deploy button opens the deploy form with that plan and the alert's location preselected", async () => {
    await addAlert('alert add h100 max=2 location=DE');
    t.sim.control.market.setPrice(PLAN_H100_1X, 1.89);
    await check();
    const [msg] = alertPosts();
    const [deploy] = buttonsOf(msg!, ACTION.alertDeploy);
    const opens = t.standin.callsTo('views.open').length;
    const click = await t.user.clickButton(msg!, ACTION.alertDeploy, { value: deploy.value });
    expect(click.status).toBe(200);
    const opened = await t.standin.waitFor(() => t.standin.callsTo('views.open')[opens]);
    expect(opened.error).toBeUndefined();
    const view = await t.standin.waitFor(() => {
      const v = [...t.standin.views().values()].at(-1);
      return v?.blocks?.find((b: any) => b.block_id === BLOCK.plan)?.element?.initial_option ? v : undefined;
    });
    expect(view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.initial_option.value).toBe(PLAN_H100_1X);
    expect(view.blocks.find((b: any) => b.block_id === BLOCK.location).element.initial_option.value).toBe('DE');
    expect(JSON.stringify(view.blocks)).toContain('$1.89/h');
  });

  it('a new VM offer is posted in the DM of an alert set in a DM, with its own location preselected', async () => {
    const bob = t.user.withUser('U_BOB').inChannel('D_BOB_BOT');
    await addAlert('alert add vms h100 max=3', bob);
    await check();
    const id = t.sim.control.market.add('vm', { gpu: 'h100', pricePerHour: 2.2, locations: ['oslo-norway-1'] });
    await check();
    const [dm] = alertPosts('D_BOB'); // the stand-in's DM with U_BOB
    expect(dm).toBeDefined();
    expect(visibleText(dm!)).not.toContain('<@U_BOB>');
    const [deploy] = buttonsOf(dm!, ACTION.alertDeploy);
    expect(JSON.parse(deploy.value)).toEqual({ t: 'vm', p: id, l: 'oslo-norway-1' });
    expect(alertPosts()).toHaveLength(0);
  });

  it('one plan-list call per type per check, however many alerts; a failed list changes nothing', async () => {
    for (let i = 0; i < 6; i++) await addAlert(`alert add h100 max=${1.5 + i / 20}`, t.user.withUser(`U_C${i}`));
    for (let i = 0; i < 6; i++) await addAlert(`alert add vms a100 max=${1 + i / 10}`, t.user.withUser(`U_V${i}`));
    expect(await check()).toBe(2); // containers + VMs, 12 alerts
    t.sim.control.market.setPrice(VM_OPTION_H100_TOKYO, 0.9); // not an a100: nobody's
    expect(await check()).toBe(2);
    expect(alertPosts()).toHaveLength(0);

    t.sim.control.market.setPrice(PLAN_H100_1X, 1.45); // under every container alert's max
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: /\/gpu\/plans/ });
    await check();
    expect(alertPosts()).toHaveLength(0);
    t.sim.control.clearFaults();
    await check();
    expect(alertPosts()).toHaveLength(6); // one per container alert, once
    await check();
    expect(alertPosts()).toHaveLength(6);
  });

  it('expires after PLAN_ALERT_TTL_DAYS with one notice and a Renew button; renewed, it fires again', async () => {
    const id = await addAlert('alert add h100 max=2');
    await check(7 * DAY - 2 * INTERVAL);
    expect(t.standin.messages('C_GENERAL').filter((m) => /expired/.test(m.text ?? ''))).toHaveLength(0);
    await check();
    await check();
    const notices = t.standin.messages('C_GENERAL').filter((m) => /expired/.test(m.text ?? ''));
    expect(notices).toHaveLength(1);
    expect(visibleText(notices[0]!)).toContain(`<@U_ALICE> *Plan alert ${id}* (H100 containers · max $2.00/h) expired`);
    const [renew] = buttonsOf(notices[0]!, ACTION.alertRenew);
    expect(renew.text.text).toBe('Renew for 7 days');

    t.sim.control.market.setPrice(PLAN_H100_1X, 1.8);
    await check();
    expect(alertPosts().filter((m) => !/expired/.test(m.text ?? ''))).toHaveLength(0); // expired: silent

    const other = await t.user.withUser('U_MALLORY').clickButton(notices[0]!, ACTION.alertRenew);
    expect(visibleText(await nthResponse(t.standin, other.responseUrl!))).toContain(`Alert ${id} is <@U_ALICE>'s: only they or an admin can renew it.`);
    const click = await t.user.clickButton(notices[0]!, ACTION.alertRenew);
    expect(visibleText(await nthResponse(t.standin, click.responseUrl!))).toMatch(new RegExp(`Alert ${id}\\* \\(H100 containers · max \\$2\\.00/h\\) renewed until`));
    await check();
    expect(alertPosts().filter((m) => !/expired/.test(m.text ?? ''))).toHaveLength(1);
  });
});
