/**
 * Issue 9 §3: an over-limit deploy started in a DM with the bot. Repro: the Approve/Deny message
 * landed in the requester's DM, where no admin is. Now it goes to APPROVALS_CHANNEL (else
 * AUDIT_CHANNEL), or the deploy is refused, clearly, when neither is set.
 */
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, command, deployViaModal, messageMatching, textOf } from './guardrails-kit';

const DM = 'D0DEPLOYER';
const BASE = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, MAX_HOURLY_USD: '1' };

describe('approval requests of deploys started in a DM', () => {
  let t: TestBot;
  afterEach(async () => {
    await t?.stop();
  });

  async function start(env: Record<string, string>) {
    t = await startTestBot({ env: { ...BASE, ...env } });
    await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  }
  const inDm = () => t.user.withUser(DEPLOYER).inChannel(DM);
  const hasButtons = (m: any) => JSON.stringify(m.blocks ?? []).includes(ACTION.approve);

  it.each([
    ['APPROVALS_CHANNEL', { APPROVALS_CHANNEL: 'CAPPROVALS', AUDIT_CHANNEL: 'CAUDIT' }, 'CAPPROVALS'],
    ['AUDIT_CHANNEL when no APPROVALS_CHANNEL', { AUDIT_CHANNEL: 'CAUDIT' }, 'CAUDIT'],
  ])('goes to %s, never to the DM; an admin approves it there', async (_label, env, channel) => {
    await start(env);
    await deployViaModal(t, inDm(), { planId: PLAN_H100_1X, name: 'dm-big' });
    const request = await messageMatching(t, channel, /wants to deploy.*dm-big/s);
    expect(hasButtons(request)).toBe(true);
    expect(t.standin.messages(DM).filter(hasButtons)).toHaveLength(0);
    expect(t.standin.messages(DEPLOYER).filter(hasButtons)).toHaveLength(0);
    await t.user.withUser(ADMIN).inChannel(channel).clickButton({ ...request, channel }, ACTION.approve);
    await messageMatching(t, channel, /Deployed `dm-big`/);
  });

  it('with neither channel set, the deploy is refused with a clear message and nothing is filed', async () => {
    await start({});
    const ack = await deployViaModal(t, inDm(), { planId: PLAN_H100_1X, name: 'dm-big' });
    expect(textOf(ack.body.view)).toMatch(/no.*approvals channel|none is configured/);
    await t.bot.context.inflight.idle();
    expect(await t.bot.context.store.approvals.listPending()).toEqual([]);
    const posts = t.standin.callsTo('chat.postMessage').map((c) => c.args);
    expect(posts.filter(hasButtons)).toHaveLength(0);
    expect(posts.map((m) => textOf(m)).join('\n')).toMatch(/APPROVALS_CHANNEL or AUDIT_CHANNEL/);
    expect(await t.bot.context.fluence.listInstances('container')).toHaveLength(0);
  });
});
