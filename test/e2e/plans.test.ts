import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { buttonsOf, nthResponse, simCalls, visibleText } from '../support/responses';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});
afterEach(() => t.sim.control.clearFaults());

/** Hourly prices of the plan lines, in the order shown. */
function prices(msg: any): number[] {
  return (msg.blocks as any[])
    .filter((b) => b.type === 'section' && b.accessory?.action_id === ACTION.deployPlan)
    .map((b) => Number(/\*\$([\d.]+)\/h\*$/.exec(b.text.text)?.[1]));
}

async function plans(text: string): Promise<any> {
  const ack = await t.user.command(text);
  expect(ack.status).toBe(200);
  return nthResponse(t.standin, ack.responseUrl!);
}

describe('/gpu plans', () => {
  it('a Fluence outage while listing plans gives a clear message, and the ack does not wait for Fluence', async () => {
    // bare metal first: the catalogue is cached per type once read
    t.sim.control.setFaults({ errorRate: 1, latencyMs: 600 });
    const ack = await t.user.command('plans baremetal');
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(600);
    const msg = await nthResponse(t.standin, ack.responseUrl!);
    expect(msg.response_type).toBe('ephemeral');
    expect(visibleText(msg)).toMatch(/Fluence is unreachable or too slow/);
    t.sim.control.clearFaults();
    expect(prices(await plans('plans bm')).length).toBe(5);
  });

  it('lists container plans cheapest first, ten a page, with a Deploy button each and a Next button', async () => {
    const msg = await plans('plans');
    const p = prices(msg);
    expect(p).toHaveLength(10);
    expect(p[0]).toBe(0.39);
    expect([...p].sort((a, b) => a - b)).toEqual(p);
    expect(visibleText(msg)).toContain('Showing 1–10 of 13');
    expect(buttonsOf(msg, ACTION.deployPlan).every((b) => /^container:/.test(b.value))).toBe(true);
    expect(buttonsOf(msg, ACTION.plansPage).map((b) => b.text.text)).toEqual(['Next →']);
  });

  it('pages forward and back in place (replace_original), keeping the filters', async () => {
    const first = await plans('plans containers max=20');
    const next = await t.user.clickButton(first, ACTION.plansPage);
    expect(next.status).toBe(200);
    const page2 = await nthResponse(t.standin, next.responseUrl!);
    expect(page2.replace_original).toBe(true);
    expect(visibleText(page2)).toContain('Showing 11–12 of 12 (13 before filters)');
    expect(visibleText(page2)).toContain('Filters: max $20.00/h');
    expect(Math.min(...prices(page2))).toBeGreaterThanOrEqual(Math.max(...prices(first)));
    const back = await t.user.clickButton(page2, ACTION.plansPage);
    const page1 = await nthResponse(t.standin, back.responseUrl!);
    expect(page1.replace_original).toBe(true);
    expect(prices(page1)).toEqual(prices(first));
  });

  it('filters VM options by GPU and echoes the filters', async () => {
    const msg = await plans('plans vms h100');
    const text = visibleText(msg);
    expect(text).toContain('GPU plans: VMs');
    expect(text).toContain('Filters: gpu=h100');
    expect(prices(msg)).toEqual([2.35, 4.7, 18.4]);
    const lines = msg.blocks.filter((b: any) => b.accessory?.action_id === ACTION.deployPlan).map((b: any) => b.text.text);
    expect(lines.every((l: string) => l.startsWith('*H100'))).toBe(true);
    expect(buttonsOf(msg, ACTION.deployPlan).every((b) => /^vm:/.test(b.value))).toBe(true);
    expect(buttonsOf(msg, ACTION.plansPage)).toEqual([]);
  });

  it.each([
    ['plans gpu=b200', /No plans with GPU "b200"\. Available GPUs: A100, H100, H200, L40S, RTX4090/],
    ['plans h100 count=2', /No H100 plans with 2 GPUs\. Available counts: 1, 4, 8/],
    ['plans h100 location=CA max=1', /No matching plans at or under \$1\/h\. The cheapest matching plan costs \$2\.10\/h/],
    ['plans a100 location=JP', /No matching plans in location "JP"\. Matching plans run in: DE, FI, US/],
  ])('%s says which filter removed everything', async (text, reason) => {
    const msg = await plans(text);
    expect(prices(msg)).toEqual([]);
    expect(visibleText(msg)).toMatch(reason);
    expect(visibleText(msg)).toContain('13 containers plans exist without filters');
  });

  it('a bad filter is answered in the ack itself, naming the problem', async () => {
    const ack = await t.user.command('plans count=lots');
    expect(ack.status).toBe(200);
    expect(visibleText(ack.body)).toContain("count must be a whole number from 1 to 64, got 'lots'");
  });

  it('the Deploy button on a plan opens the deploy modal with that plan selected', async () => {
    const msg = await plans('plans vms a10');
    const button = buttonsOf(msg, ACTION.deployPlan)[0];
    const [, planId] = button.value.split(':');
    const opens = t.standin.callsTo('views.open').length;
    const click = await t.user.clickButton(msg, ACTION.deployPlan, { value: button.value });
    expect(click.status).toBe(200);
    const opened = await t.standin.waitFor(() => t.standin.callsTo('views.open')[opens]);
    expect(opened.error).toBeUndefined();
    const viewId = await t.standin.waitFor(() => [...t.standin.views().values()].find((v) => JSON.stringify(v).includes(planId))?.id);
    const view = t.standin.views().get(viewId);
    expect(JSON.stringify(view)).toMatch(/VM/);
    const planSelect = view.blocks.find((b: any) => b.block_id === 'plan');
    expect(planSelect.element.initial_option.value).toBe(planId);
  });
});

describe('/gpu images', () => {
  it('lists the ready-made container images by name and image', async () => {
    const msg = await plans('images');
    const text = visibleText(msg);
    expect(text).toContain('Container images');
    expect(text).toContain('Debian SSH 11');
    expect(text).toContain('docker.io/vllm/vllm-openai:latest');
    // names of default env variables only
    expect(text).toContain('HF_TOKEN');
    expect(simCalls(t.sim, 'GET', /default-images/)).toBeGreaterThan(0);
  });
});
