/**
 * The lease picked in a deploy form outlives the form: a deploy that needs an admin's approval gets
 * it when the admin approves (hours later), counted from then, not the channel's default.
 */
import { HOUR_MS } from '../../src/duration';
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching } from './guardrails-kit';

describe('leases through approvals', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1', DEFAULT_LEASE_HOURS: '45m' } });
    await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('picked 2 h, approved 3 h later: the lease ends 2 h after the approval', async () => {
    await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'approved-lease', lease: '2h' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*approved-lease/s);
    t.clock.advance(3 * HOUR_MS);
    await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /Deployed `approved-lease`/);
    const instance = (await t.bot.context.fluence.listInstances('container')).find((i) => i.name === 'approved-lease');
    const lease = await t.standin.waitFor(() => t.bot.context.store.leases.get(instance!.id));
    expect(lease).toMatchObject({ ownerId: DEPLOYER, channelId: 'C_GENERAL', endsAt: t.clock.now() + 2 * HOUR_MS });
  });

  test('without a pick: the default of the form, DEFAULT_LEASE_HOURS=45m, also counted from the approval', async () => {
    await deployViaModal(t, t.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'default-lease' });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*default-lease/s);
    t.clock.advance(HOUR_MS);
    await t.user.withUser(ADMIN2).clickButton(request, ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /Deployed `default-lease`/);
    const instance = (await t.bot.context.fluence.listInstances('container')).find((i) => i.name === 'default-lease');
    const lease = await t.standin.waitFor(() => t.bot.context.store.leases.get(instance!.id));
    expect(lease.endsAt).toBe(t.clock.now() + 45 * 60_000);
  });
});
