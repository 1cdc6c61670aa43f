/**
 * Runway alerts through the whole bot (issue 11 §4, §6): one alert per threshold crossing to
 * ALERT_CHANNEL with the figures and who burns most, nothing more while it stays crossed (restarts
 * included), several thresholds crossed at once are one alert, and a top-up re-arms them.
 */
import { FluenceClient } from '../../src/fluence/client';
import { PLAN_A100_1X, PLAN_H100_1X } from '../../src/simulator/catalog';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, command, messageMatching, openDeployModal, submitDeployModal, textOf } from './guardrails-kit';

const ALERTS = 'CALERTS';
let t: TestBot;
const as = (id: string, channel = 'C_GENERAL'): SlackUser => t.user.withUser(id).inChannel(channel);
const alerts = () => t.standin.messages(ALERTS).filter((m) => /Runway under/.test(m.text ?? ''));

async function runRunway(): Promise<void> {
  await t.bot.context.inflight.idle();
  t.clock.advance(60_000);
  await t.bot.scheduler.runNow('money.runway');
  await t.bot.delivery.deliverDue();
}

beforeAll(async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, ALERT_CHANNEL: ALERTS, AUDIT_CHANNEL: 'CAUDIT' } });
  expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
  const view = await openDeployModal(t, as(DEPLOYER));
  expect(JSON.stringify((await submitDeployModal(as(DEPLOYER), view, { planId: PLAN_H100_1X, name: 'big-burner' })).body)).toMatch(/Deployed/);
  await messageMatching(t, 'C_GENERAL', /big-burner/);
  // one more straight through the API: priced from its detail, "outside gpu-bot"
  const direct = new FluenceClient({ baseUrl: t.sim.url, apiKey: t.sim.apiKey, timeoutMs: 2000 });
  await direct.createInstance('container', {
    plan_id: PLAN_A100_1X,
    name: 'side-job',
    container_settings: { image: 'docker.io/fluencelabs/debian-ssh-root:11', expose: [{ port: '22', protocol: 'tcp' }] },
  } as never);
  t.clock.advance(3 * 60_000); // both ACTIVE: $2.10 + $1.22 = $3.32/h
}, 30_000);
afterAll(async () => {
  await t?.stop();
});

test('above every threshold: nothing', async () => {
  t.sim.control.setBalance(100); // 30 h
  await runRunway();
  expect(alerts()).toHaveLength(0);
});

test('under 24 h: one alert with the figures and the top burners, and no second one while it stays under', async () => {
  t.sim.control.setBalance(50); // 15 h
  await runRunway();
  await runRunway();
  expect(alerts()).toHaveLength(1);
  const text = textOf(alerts()[0]);
  expect(text).toMatch(/🪫 \*Runway under 24 h\*: the balance of \*\$50\.00\* lasts about \*15 h\* at the current burn of \*\$3\.32\/h\*/);
  expect(text).toMatch(/• `big-burner` container · \$2\.10\/h · <@UDEPLOYER>\n• `side-job` container · \$1\.22\/h · outside gpu-bot/);
  expect(t.standin.messages('CAUDIT').filter((m) => /Runway/.test(m.text ?? ''))).toHaveLength(0);
});

test('a restart while crossed sends nothing again; 6 h and 1 h crossed in one step are one alert', async () => {
  t = await t.restart();
  await runRunway();
  expect(alerts()).toHaveLength(1);
  t.sim.control.setBalance(2); // 36 min: under 6 h and 1 h at once
  await runRunway();
  await runRunway();
  expect(alerts()).toHaveLength(2);
  expect(textOf(alerts()[1])).toMatch(/🚨 \*Runway under 1 h\* \(crossed 6 h, 1 h at once\): the balance of \*\$2\.00\* lasts about \*36 min\*/);
});

test('a top-up re-arms the thresholds: the next crossing alerts again', async () => {
  t.sim.control.setBalance(1000);
  await runRunway();
  expect(alerts()).toHaveLength(2);
  t.sim.control.setBalance(60); // 18 h
  await runRunway();
  expect(alerts()).toHaveLength(3);
  expect(textOf(alerts()[2])).toMatch(/Runway under 24 h\*: the balance of \*\$60\.00\*/);
});

test('a tick on which a list cannot be read decides nothing: no false re-arm, no second alert', async () => {
  // without the container list the burn would look like $0/h and every threshold would re-arm
  t.sim.control.setFaults({ errorRate: 1, onlyPaths: /^\/gpu\/instances\/$/ });
  try {
    await runRunway();
  } finally {
    t.sim.control.clearFaults();
  }
  await runRunway();
  expect(alerts()).toHaveLength(3);
});
