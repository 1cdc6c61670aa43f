/**
 * `/gpu spend` through the whole bot (issue 11 §3, §6): the report equals the simulator's own
 * billing totals, attributes by the deploy records with an "outside gpu-bot" group, reads each
 * figure once while it cannot change, and stays inside Slack's limits over 1,200 instances.
 */
import { HOUR_MS, MINUTE_MS } from '../../src/duration';
import { FluenceClient } from '../../src/fluence/client';
import { PLAN_A100_1X, PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { responsesTo, simCalls } from '../support/responses';
import { ADMIN, DEPLOYER, command, instanceIdOf, messageMatching, openDeployModal, reply, submitDeployModal, textOf } from './guardrails-kit';

const ML = 'CML';
let t: TestBot;
const as = (id: string, channel = 'C_GENERAL'): SlackUser => t.user.withUser(id).inChannel(channel);

async function deploy(user: SlackUser, name: string, planId: string, channel: string): Promise<string> {
  const view = await openDeployModal(t, user);
  const ack = await submitDeployModal(user, view, { planId, name });
  expect(JSON.stringify(ack.body)).toMatch(/Deployed/);
  await messageMatching(t, channel, new RegExp(name));
  return instanceIdOf(t, name);
}

/** The bold total in the summary line: "*$12.34* spent …". */
const totalOf = (text: string) => Number(/\*≥?\$([\d,]+\.\d\d)\* spent/.exec(text)![1]!.replace(/,/g, ''));
/** "`$1.22 ███ 12%` <@U…>": the amount on the row that names `who`. */
const rowAmount = (text: string, who: string) => {
  const line = text.split('\n').find((l) => l.includes(who) && l.startsWith('`'));
  if (!line) throw new Error(`no row for ${who} in:\n${text}`);
  return Number(/^`\s*≥?\$([\d,]+\.\d\d)/.exec(line)![1]!.replace(/,/g, ''));
};
const detailCalls = () => simCalls(t.sim, 'GET', /^\/gpu\/instances\/(vms\/|baremetal\/)?[0-9a-f-]{36}$/);

let alice: string;
let boss: string;
let rogue: string;
let atMidnight: number;

beforeAll(async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, DIGEST_TZ: 'UTC' } });
  expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
  // 14:00 UTC: two deploys through the bot, one straight through the API ("outside gpu-bot")
  alice = await deploy(as(DEPLOYER), 'alice-box', PLAN_RTX4090_1X, 'C_GENERAL');
  boss = await deploy(as(ADMIN, ML), 'boss-box', PLAN_H100_1X, ML);
  const direct = new FluenceClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey, timeoutMs: 2000 });
  rogue = (
    await direct.createInstance('container', {
      plan_id: PLAN_A100_1X,
      name: 'rogue-box',
      container_settings: { image: 'docker.io/fluencelabs/debian-ssh-root:11', expose: [{ port: '22', protocol: 'tcp' }] },
    } as never)
  ).instanceId;
  // alice's box runs 5 h 30 min and is terminated; the others run on to 09:15 the next day
  t.clock.advance(5 * HOUR_MS + 30 * MINUTE_MS);
  t.sim.control.setStatus(alice, 'ENDED');
  t.clock.advance(4 * HOUR_MS + 30 * MINUTE_MS - 1); // just before 00:00 UTC, Feb 8
  atMidnight = t.sim.control.totals().spent; // what was charged before today
  t.clock.advance(1);
}, 30_000);
afterAll(async () => {
  await t?.stop();
});

describe('/gpu spend', () => {
  test('30d by owner: the total is the simulator’s own billing total, split by deploy record, with an outside group', async () => {
    t.clock.advance(9 * HOUR_MS + 15 * MINUTE_MS); // 09:15 UTC
    const text = await command(t, as(DEPLOYER), 'spend 30d');
    const sim = t.sim.control.totals();
    expect(totalOf(text)).toBeCloseTo(sim.spent, 2);
    // alice: 6 charges of $0.39 (14:00 … 19:00); boss: 20 charges of $2.10; rogue: 20 of $1.22
    expect(rowAmount(text, `<@${DEPLOYER}>`)).toBeCloseTo(6 * 0.39, 2);
    expect(rowAmount(text, `<@${ADMIN}>`)).toBeCloseTo(20 * 2.1, 2);
    expect(rowAmount(text, 'outside gpu-bot')).toBeCloseTo(20 * 1.22, 2);
    expect(text).toMatch(/burning \*\$3\.32\/h\* now \(2 running\)/);
    expect(text).toMatch(/Burning most now: `boss-box` \$2\.10\/h/);
    expect(text).toMatch(/How this is counted/);
    expect(text).not.toMatch(/Partial/);
  });

  test('today is what the simulator charged since midnight; by channel and by instance group the same money', async () => {
    const text = await command(t, as(DEPLOYER), 'spend today');
    expect(totalOf(text)).toBeCloseTo(t.sim.control.totals().spent - atMidnight, 2);
    const byChannel = await command(t, as(DEPLOYER), 'spend month by=channel');
    expect(rowAmount(byChannel, `<#${ML}>`)).toBeCloseTo(20 * 2.1, 2);
    expect(rowAmount(byChannel, '<#C_GENERAL>')).toBeCloseTo(6 * 0.39, 2);
    const byInstance = await command(t, as(DEPLOYER), 'spend 7d by instance');
    for (const [name, id] of [['alice-box', alice], ['boss-box', boss], ['rogue-box', rogue]] as const) {
      const d = t.sim.control.instances().find((i) => i.id === id)!;
      expect(rowAmount(byInstance, `\`${name}\``)).toBeCloseTo(Math.round(d.pricePerHour * (name === 'alice-box' ? 6 : 20) * 100) / 100, 2);
    }
    expect(byInstance).toMatch(/`alice-box` container · <@UDEPLOYER> · ended/);
  });

  test('a figure that cannot have changed is not read again: ENDED for good, ACTIVE until the next hourly charge', async () => {
    t.sim.control.resetRequests();
    await command(t, as(DEPLOYER), 'spend 30d');
    expect(detailCalls()).toBe(0);
    t.clock.advance(HOUR_MS); // a new billing hour: the two running ones are read again, the ended one never
    t.sim.control.resetRequests();
    const text = await command(t, as(DEPLOYER), 'spend 30d');
    expect(detailCalls()).toBe(2);
    expect(totalOf(text)).toBeCloseTo(t.sim.control.totals().spent, 2);
  });

  test('what could not be read is flagged partial, not silently left out', async () => {
    t.clock.advance(HOUR_MS);
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: new RegExp(`/gpu/instances/${boss}$`) });
    try {
      const text = await command(t, as(DEPLOYER), 'spend 30d');
      expect(text).toMatch(/Partial:\* the billing of 1 instance could not be read/);
      expect(text).toMatch(/\*≥\$[\d.]+\* spent/);
      expect(text.split('\n').find((l) => l.includes(`<@${ADMIN}>`))).toMatch(/^`≥\$0\.00/);
    } finally {
      t.sim.control.clearFaults();
    }
  });

  test('a typo gets a specific message', async () => {
    expect(await command(t, as(DEPLOYER), 'spend yesterday')).toMatch(/the periods are today, 7d, 30d, month/);
    expect(await command(t, as(DEPLOYER), 'spend by=team')).toMatch(/by= takes user, channel, instance/);
  });
});

describe('/gpu spend over 1,200 instances', () => {
  test('answers within Slack’s limits, with the biggest rows, a "more" line and the exact total', async () => {
    const c = t.sim.control;
    c.seedInstances(700, 'container', { namePrefix: 'fleet' });
    c.seedInstances(300, 'vm', { namePrefix: 'vmfleet' });
    c.seedInstances(200, 'container', { namePrefix: 'gone', status: 'ENDED' });
    c.resetRequests();
    const started = Date.now();
    const ack = await as(DEPLOYER).command('spend 30d by=instance');
    expect(ack.status).toBe(200);
    const body = await t.standin.waitFor(() => responsesTo(t.standin, ack.responseUrl!).find((b) => /GPU spend/.test(b.text)), 150_000);
    // the first post said it was reading; the report replaced it
    expect(responsesTo(t.standin, ack.responseUrl!)[0].text).toMatch(/Reading the billing of 1,20\d instances/);
    expect(body.replace_original).toBe(true);
    // the figure the README quotes (the run's own wall time, load included)
    console.log(`/gpu spend over 1,203 instances: answered ${Date.now() - started} ms after the ack`);
    const text = textOf(body);
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(text).toMatch(/…and \d+ more instances: \$[\d,.]+ together/);
    // every instance alive in the window was read once (ended-before-window ones are skipped), nothing twice
    expect(detailCalls()).toBeGreaterThanOrEqual(1200);
    expect(detailCalls()).toBeLessThanOrEqual(1203);
    // the ground truth: every instance's own total_spendings, as the simulator bills it
    const cents = c.instances().reduce((a, i) => a + Math.round(c.spentOf(i.id) * 100), 0);
    expect(totalOf(text)).toBeCloseTo(cents / 100, 2);
    t.sim.control.resetRequests();
    const again = textOf(await reply(t, await as(DEPLOYER).command('spend 30d by=instance')));
    expect(detailCalls()).toBe(0);
    expect(totalOf(again)).toBe(totalOf(text));
  }, 240_000);
});
