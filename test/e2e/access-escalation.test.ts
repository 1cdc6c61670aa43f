/**
 * Issue 9 §3, grants: no way from a channel to admin, subjects that are what they claim, and
 * channel grants only for people of the bot's own workspace (a Slack Connect member of a shared
 * channel acts in the same channel id with another team_id). All through signed Slack requests.
 */
import { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, command } from './guardrails-kit';

const MEMBER = 'UMEMBER';
const REFUSED = /⛔/;

describe('grants: no escalation', () => {
  let t: TestBot;
  const as = (id: string) => t.user.withUser(id);
  const roleOf = (userId: string, channelId = 'C_GENERAL', teamId = 'T_TEAM') => t.bot.context.guard.roleOf({ userId, channelId, teamId });

  beforeEach(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('a channel cannot be granted admin: refused, clearly, and nothing is stored', async () => {
    const answer = await command(t, as(ADMIN), 'access grant <#CRANDOM|random> admin');
    expect(answer).toMatch(REFUSED);
    expect(answer).toMatch(/channel cannot be granted \*admin\*/);
    expect(await t.bot.context.store.grants.get({ kind: 'channel', id: 'CRANDOM' })).toBeUndefined();
    // a channel may still be granted deployer
    expect(await command(t, as(ADMIN), 'access grant <#CRANDOM|random> deployer')).toMatch(/everyone in <#CRANDOM> now has the \*deployer\* role/);
  });

  it('a member of a channel holding an old admin grant cannot grant themselves admin (repro: grant #random admin)', async () => {
    // as a database written by an older version would hold it
    await t.bot.context.store.grants.set({ kind: 'channel', id: 'CRANDOM' }, 'admin', ADMIN);
    const inRandom = as(MEMBER).inChannel('CRANDOM');
    const answer = await command(t, inRandom, `access grant <@${MEMBER}> admin`);
    expect(answer).toMatch(REFUSED);
    expect(answer).toMatch(/\*admin\* role/);
    expect(await t.bot.context.store.grants.get({ kind: 'user', id: MEMBER })).toBeUndefined();
    expect(await roleOf(MEMBER, 'CRANDOM')).toBe('deployer'); // the old grant gives at most deployer
    expect(await roleOf(MEMBER)).toBe('viewer');
    expect(await command(t, inRandom, 'access')).toMatch(/<#CRANDOM>: \*admin\* — counts as \*deployer\*/);
    expect(await command(t, inRandom, 'audit')).toMatch(REFUSED);
    // an admin can still clean the old grant up
    expect(await command(t, as(ADMIN), 'access revoke <#CRANDOM>')).toMatch(/Revoked/);
  });

  it('a user granted deployer through a channel cannot manage grants either', async () => {
    await command(t, as(ADMIN), 'access grant <#CTEAM> deployer');
    const answer = await command(t, as(MEMBER).inChannel('CTEAM'), `access grant <@${MEMBER}> deployer`);
    expect(answer).toMatch(REFUSED);
    expect(await t.bot.context.store.grants.get({ kind: 'user', id: MEMBER })).toBeUndefined();
  });

  it.each([
    ['<#D0123ABCD> deployer', /direct-message conversation/],
    ['D0123ABCD deployer', /direct-message conversation/],
    ['<@C0123ABCD> deployer', /channel id written as a user.*<#C0123ABCD>/],
    ['<@G0123ABCD|private> admin', /channel id written as a user/],
    ['<#U0123ABCD> deployer', /user id written as a channel.*<@U0123ABCD>/],
  ])('`access grant %s` is refused with a clear message and stores nothing', async (args, why) => {
    const answer = await command(t, as(ADMIN), `access grant ${args}`);
    expect(answer).toMatch(why);
    expect(await t.bot.context.store.grants.list()).toEqual([]);
  });

  it('W… users and G… channels are accepted', async () => {
    expect(await command(t, as(ADMIN), 'access grant <@W0123ABCD> deployer')).toMatch(/<@W0123ABCD> now has the \*deployer\* role/);
    expect(await command(t, as(ADMIN), 'access grant <#G0123ABCD|priv> viewer')).toMatch(/everyone in <#G0123ABCD> now has the \*viewer\* role/);
  });

  it('a channel grant applies only to people of the bot\'s workspace (Slack Connect members do not inherit it)', async () => {
    await command(t, as(ADMIN), 'access grant <#CSHARED|shared> deployer');
    const external = new SlackUser({
      botUrl: t.bot.eventsUrl,
      signingSecret: t.signingSecret,
      standin: t.standin,
      userId: 'UEXTERNAL',
      userName: 'external',
      channelId: 'CSHARED',
      teamId: 'T_PARTNER',
    });
    const refused = await command(t, external, 'deploy');
    expect(refused).toMatch(REFUSED);
    expect(refused).toMatch(/deployer/);
    expect(t.standin.callsTo('views.open')).toHaveLength(0);

    // the same channel, someone from the bot's own workspace: the grant applies
    await as(MEMBER).inChannel('CSHARED').command('deploy');
    await t.standin.waitFor(() => t.standin.callsTo('views.open').length === 1);
  });
});
