/**
 * Issue 9 §5: a mutating slash command delivered twice (the same signed body again, as Slack or a
 * proxy re-sends it after a timeout, with X-Slack-Retry-Num) acts once, even when the second
 * delivery reaches a restarted bot. Repro: `/gpu rename a b` with Fluence at 2 s, re-delivered at
 * +3 s -> two PUTs and "Renamed" told twice.
 */
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { responsesTo } from '../support/responses';
import { ADMIN, textOf } from './guardrails-kit';

const puts = (t: TestBot) => t.sim.control.requests.filter((r) => r.method === 'PUT');

/** The exact form body Slack sends for `/gpu <text>`; sent again byte for byte on a retry. */
function slashBody(t: TestBot, userId: string, text: string): { body: string; responseUrl: string } {
  const responseUrl = t.standin.responseUrl(undefined, { channel: 'C_GENERAL' });
  const body = new URLSearchParams({
    token: 'standin-verification-token',
    team_id: 'T_TEAM',
    team_domain: 'standin',
    channel_id: 'C_GENERAL',
    channel_name: 'general',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: '/gpu',
    text,
    api_app_id: 'A_STANDIN',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: t.standin.newTriggerId(),
  }).toString();
  return { body, responseUrl };
}

const retry = (n: number) => ({ headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } });

describe('a slash command delivered twice acts once', () => {
  let t: TestBot;
  let admin: SlackUser;
  beforeEach(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: ADMIN } });
    admin = t.user.withUser(ADMIN);
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('rename re-delivered while Fluence is slow: one PUT, one "Renamed"', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' }) as [string];
    t.sim.control.setFaults({ latencyMs: 700 });
    const { body, responseUrl } = slashBody(t, ADMIN, `rename ${vm} box-renamed`);
    const first = await admin.send(body);
    expect(first.status).toBe(200);
    const again = await admin.send(body, retry(1)); // while the first is still waiting for Fluence
    expect(again.status).toBe(200);
    await t.standin.waitFor(() => responsesTo(t.standin, responseUrl).find((r) => /Renamed/.test(textOf(r))), 10_000);
    await t.bot.context.inflight.idle();
    t.sim.control.clearFaults();
    expect(puts(t)).toHaveLength(1);
    expect(responsesTo(t.standin, responseUrl).filter((r) => /Renamed/.test(textOf(r)))).toHaveLength(1);
    expect((await t.bot.context.store.audit.recent(10)).filter((a) => a.action === 'rename')).toHaveLength(1);
  });

  it('the guard is in the store: a re-delivery to a restarted bot does nothing either', async () => {
    const { body, responseUrl } = slashBody(t, ADMIN, 'budget 7');
    await admin.send(body);
    await t.standin.waitFor(() => responsesTo(t.standin, responseUrl)[0]);
    await t.bot.context.store.budgets.set('C_GENERAL', null, ADMIN); // removed meanwhile: a second run would set it again
    t = await t.restart();
    const again = await t.user.withUser(ADMIN).send(body, retry(2));
    expect(again.status).toBe(200);
    await t.bot.context.inflight.idle();
    expect(responsesTo(t.standin, responseUrl)).toHaveLength(1);
    expect(await t.bot.context.store.budgets.list()).toEqual([]);
  });

  it('the same text typed again is a new invocation and runs again', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' }) as [string];
    await admin.command(`rename ${vm} box-a`);
    await admin.command(`rename ${vm} box-b`);
    await admin.command(`rename ${vm} box-a`);
    await t.standin.waitFor(() => (puts(t).length === 3 ? true : undefined));
  });
});
