/**
 * Issue 9 §3: logs, events and the startup command routinely hold secrets, so only the instance's
 * owner and admins see them. Anyone else gets the card without them, told why, and a Logs/Events
 * button (from someone else's card, or forged) is refused at the click.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, deployViaModal, messageMatching, reply, replyText, textOf } from './guardrails-kit';

const OTHER_DEPLOYER = 'UDEPLOYER2';
const SECRET = 'tok-in-startup-7f3a91';
const REFUSED = /⛔/;

describe('logs, events and the startup command: owner and admins only', () => {
  let t: TestBot;
  const as = (id: string) => t.user.withUser(id);
  const logReads = () => t.sim.control.requests.filter((r) => r.method === 'GET' && /\/(logs|events)$/.test(r.path)).length;

  beforeAll(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`);
    await command(t, as(ADMIN), `access grant <@${OTHER_DEPLOYER}> deployer`);
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_RTX4090_1X, name: 'private-box', startup: `serve --token ${SECRET}` });
    await messageMatching(t, 'C_GENERAL', /private-box/);
    t.sim.control.advance(10 * 60_000);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([VIEWER, OTHER_DEPLOYER])('%s sees the card without the startup command or Logs/Events, and is told why', async (who) => {
    const card = await reply(t, await as(who).command('status private-box'));
    const text = JSON.stringify(card);
    expect(text).toContain('private-box');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ACTION.logs);
    expect(text).not.toContain(ACTION.events);
    expect(textOf(card)).toMatch(/shown only to the instance's owner and admins/);
  });

  it.each([DEPLOYER, ADMIN])('%s (owner / admin) sees the startup command and may read logs and events', async (who) => {
    const card = await reply(t, await as(who).command('status private-box'));
    expect(JSON.stringify(card)).toContain(SECRET);
    const logs = await command(t, as(who), 'logs private-box');
    expect(logs).not.toMatch(REFUSED);
    expect(logs).toMatch(/Logs: private-box/);
    const clicked = await as(who).clickButton({ blocks: card.blocks }, ACTION.events);
    expect(await replyText(t, clicked)).toMatch(/Events: private-box/);
  });

  it.each([
    [VIEWER, 'logs private-box'],
    [VIEWER, 'events private-box 10'],
    [OTHER_DEPLOYER, 'logs private-box'],
  ])('%s: `%s` is refused and nothing is read from Fluence', async (who, text) => {
    const before = logReads();
    const answer = await command(t, as(who), text);
    expect(answer).toMatch(REFUSED);
    expect(answer).toMatch(/owner and admins/);
    expect(logReads()).toBe(before);
  });

  it('a Logs button clicked by a viewer (on the owner\'s card, or forged) is refused', async () => {
    const ownerCard = await reply(t, await as(DEPLOYER).command('status private-box'));
    const before = logReads();
    for (const action of [ACTION.logs, ACTION.events]) {
      const answer = await replyText(t, await as(VIEWER).clickButton({ blocks: ownerCard.blocks }, action));
      expect(answer).toMatch(REFUSED);
      expect(answer).not.toContain(SECRET);
    }
    expect(logReads()).toBe(before);
  });
});
