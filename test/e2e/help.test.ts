import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { buttonsOf, nthResponse, responsesTo, visibleText } from '../support/responses';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});

describe('/gpu help', () => {
  it.each([[''], ['help'], ['  HELP  ']])('answers %j with examples and the three buttons, acked at once', async (text) => {
    const ack = await t.user.command(text);
    expect(ack.status).toBe(200);
    const help = await nthResponse(t.standin, ack.responseUrl!);
    expect(help.response_type).toBe('ephemeral');
    const seen = visibleText(help);
    expect(seen).toContain('/gpu plans');
    expect(seen).toContain('/gpu deploy');
    expect(seen).toContain('Sandbox');
    expect(buttonsOf(help).map((b) => b.action_id)).toEqual([ACTION.helpPlans, ACTION.helpDeploy, ACTION.helpList]);
  });

  it('Browse plans shows the container plans without touching the help message', async () => {
    const help = await nthResponse(t.standin, (await t.user.command('help')).responseUrl!);
    const click = await t.user.clickButton(help, ACTION.helpPlans);
    expect(click.status).toBe(200);
    const plans = await nthResponse(t.standin, click.responseUrl!);
    expect(plans.replace_original).toBe(false);
    expect(visibleText(plans)).toContain('GPU plans: Containers');
    const deploys = buttonsOf(plans, ACTION.deployPlan);
    expect(deploys.length).toBeGreaterThan(0);
    expect(deploys.every((b) => b.value.startsWith('container:'))).toBe(true);
  });

  it('My instances shows the list', async () => {
    const help = await nthResponse(t.standin, (await t.user.command('help')).responseUrl!);
    const click = await t.user.clickButton(help, ACTION.helpList);
    const list = await nthResponse(t.standin, click.responseUrl!);
    expect(visibleText(list)).toContain('Your instances');
  });

  it('Deploy opens the deploy modal with the click’s trigger, before any answer', async () => {
    const help = await nthResponse(t.standin, (await t.user.command('help')).responseUrl!);
    const before = t.standin.callsTo('views.open').length;
    const click = await t.user.clickButton(help, ACTION.helpDeploy);
    expect(click.status).toBe(200);
    const opened = await t.standin.waitFor(() => t.standin.callsTo('views.open')[before]);
    expect(opened.error).toBeUndefined();
    // the modal is filled in afterwards with the plans
    await t.standin.waitFor(() => t.standin.callsTo('views.update').find((c) => c.args.view_id !== undefined && c.at >= opened.at));
    expect(responsesTo(t.standin, click.responseUrl!)).toEqual([]);
  });
});
