/**
 * Background work through the whole bot on the manual clock (issue 11 §5): the approval expiry runs as
 * the scheduler's job, claims its notices in the outbox and they are delivered once, also across a
 * restart; the watcher's replies go through the same outbox, and the other jobs read its list calls.
 */
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching, textOf } from './guardrails-kit';

const ENV = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1' };

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot({ env: ENV });
  await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
});
afterEach(async () => {
  await t?.stop();
});

const expiredNotes = () => t.standin.messages('C_GENERAL').filter((m) => /request expired/.test(textOf(m)));

test('an approval nobody decided expires on the scheduler: its message and one thread note, never twice, not after a restart', async () => {
  await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'forgotten' });
  const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*forgotten/s);
  await t.bot.context.inflight.idle(); // the request's message is recorded
  expect(await t.bot.scheduler.runNow('approvals.expire')).toBe('ran');
  expect(expiredNotes()).toHaveLength(0); // not due yet

  t.clock.advance(24 * 60 * 60 * 1000 + 1);
  expect(await t.bot.scheduler.runNow('approvals.expire')).toBe('ran');
  const updated = t.standin.messages('C_GENERAL').find((m) => m.ts === request.ts)!;
  expect(textOf(updated)).toMatch(/Expired/);
  expect(expiredNotes()).toHaveLength(1);
  expect(expiredNotes()[0]!.thread_ts).toBe(request.ts);
  expect(await t.bot.context.store.outbox.history(`approval:`)).toEqual([
    expect.objectContaining({ kind: 'approval.expired', state: 'sent', via: 'update' }),
    expect.objectContaining({ kind: 'approval.expired', state: 'sent', via: 'thread' }),
  ]);

  await t.bot.scheduler.runNow('approvals.expire');
  await t.bot.delivery.deliverDue();
  t = await t.restart();
  t.clock.advance(60_000);
  await t.bot.scheduler.runNow('approvals.expire');
  await t.bot.delivery.deliverDue();
  expect(expiredNotes()).toHaveLength(1);
});

test('one cycle costs one list call per workload type: the reconciler reads the watcher\'s list of the cycle', async () => {
  await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_RTX4090_1X, name: 'watched-one' });
  await messageMatching(t, 'C_GENERAL', /watched-one/);
  await t.bot.context.inflight.idle();
  // an unclear deploy of the same type waits to be settled
  await t.bot.context.store.deployRequests.begin('unclear-1', { channelId: 'C_GENERAL', userId: DEPLOYER, type: 'container', planId: PLAN_RTX4090_1X, name: 'ghost', pricePerHour: 0.39 });
  const lists = () => t.sim.control.requests.filter((r) => r.method === 'GET' && r.path === '/gpu/instances/').length;
  await t.tick(); // the watcher's cycle lists containers
  const before = lists();
  expect(await t.bot.scheduler.runNow('deploys.reconcile')).toBe('ran');
  expect(lists() - before).toBe(0); // the reconciler settled from the watcher's list
  expect(await t.bot.context.store.deployRequests.get('unclear-1')).toMatchObject({ state: 'pending' });
  t.clock.advance(60_000); // a list older than one watch interval is not reused
  await t.bot.scheduler.runNow('deploys.reconcile');
  expect(lists() - before).toBe(1);
});
