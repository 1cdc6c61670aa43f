/**
 * What the money jobs cost Fluence per tick on a big fleet (issue 11 §6): no list call of their
 * own (they share the tick's fleet snapshot), one balance call for the runway, and detail calls only
 * for prices not known yet (bounded per tick, then cached for good). A digest that is not due costs
 * nothing at all.
 */
import { MAX_RUNWAY_BURN_READS } from '../../src/services/money';
import { startTestBot, type TestBot } from '../support/bot-harness';

let t: TestBot;
/** Enough to show the bounds (every figure below is independent of N); the bench runs 10,000. */
const N = 600;
const calls = (re: RegExp) => t.sim.control.requests.filter((r) => re.test(`${r.method} ${r.path}`)).length;
const LIST = /^GET \/gpu\/instances\/(vms|baremetal)?$/;
const DETAIL = /^GET \/gpu\/instances\/(vms\/|baremetal\/)?[0-9a-f-]{36}$/;
const BALANCE = /^GET \/v2\/users\/balances$/;

beforeAll(async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', DIGEST_CHANNEL: 'CDIGEST', ALERT_CHANNEL: 'CALERT', DIGEST_TIME: '14:30' }, fluenceTimeoutMs: 30_000 });
  t.sim.control.seedInstances(N, 'container', { namePrefix: 'fleet' });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

test('runway and digest on 600 instances: the tick’s lists are shared, prices are learnt once', async () => {
  // 14:01: the 14:30 digest is not due (yesterday's is too old to send late)
  t.clock.advance(60_000);
  await t.bot.fleet.refresh('container'); // what the watcher's cycle does
  await Promise.all(['vm', 'baremetal'].map((ty) => t.bot.fleet.refresh(ty as 'vm')));
  t.sim.control.resetRequests();
  await t.bot.scheduler.runNow('money.runway');
  const first = { list: calls(LIST), balance: calls(BALANCE), detail: calls(DETAIL) };
  expect(first).toEqual({ list: 0, balance: 1, detail: MAX_RUNWAY_BURN_READS });

  // the other 200 prices next tick, then none: each price is read once and cached for good
  t.sim.control.resetRequests();
  await t.bot.scheduler.runNow('money.runway');
  expect({ list: calls(LIST), balance: calls(BALANCE), detail: calls(DETAIL) }).toEqual({ list: 0, balance: 1, detail: N - MAX_RUNWAY_BURN_READS });
  t.sim.control.resetRequests();
  await t.bot.scheduler.runNow('money.runway');
  expect({ list: calls(LIST), balance: calls(BALANCE), detail: calls(DETAIL) }).toEqual({ list: 0, balance: 1, detail: 0 });

  // the digest is not due: nothing at all
  t.sim.control.resetRequests();
  await t.bot.scheduler.runNow('money.digest');
  expect(t.sim.control.requests).toHaveLength(0);
  console.log(`money jobs at ${N} instances: runway tick = ${first.list} list + ${first.balance} balance + ${first.detail} detail calls (new prices, then cached); digest not due = 0 calls`);
}, 120_000);
