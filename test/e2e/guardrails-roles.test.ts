/**
 * Roles in Slack, through the whole bot (real roles: FLUENCE_API_KEY set, so not sandbox): each
 * role against each action, grants by channel, who may see and change access, budgets and the
 * audit log, and the balance/runway that everyone may read.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, deployViaModal, instanceIdOf, messageMatching, reply, replyText, textOf } from './guardrails-kit';

const REFUSED = /⛔/;

describe('roles', () => {
  let t: TestBot;
  let depBox: string;
  let adminBox: string;
  const as = (id: string): SlackUser => t.user.withUser(id);

  beforeAll(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/now has the \*deployer\* role/);
    await deployViaModal(t, as(DEPLOYER), { planId: PLAN_RTX4090_1X, name: 'dep-box' });
    await messageMatching(t, 'C_GENERAL', /dep-box/);
    await deployViaModal(t, as(ADMIN), { planId: PLAN_RTX4090_1X, name: 'admin-box' });
    await messageMatching(t, 'C_GENERAL', /admin-box/);
    depBox = await instanceIdOf(t, 'dep-box');
    adminBox = await instanceIdOf(t, 'admin-box');
    t.sim.control.advance(10 * 60_000); // both ACTIVE
  });
  afterAll(async () => {
    await t?.stop();
  });

  const stateOf = async (id: string) => (await t.bot.context.fluence.getInstance('container', id)).state;

  test.each([VIEWER, DEPLOYER, ADMIN])('%s may read: plans, list, status, balance, access, budgets', async (who) => {
    expect(await command(t, as(who), 'plans')).toMatch(/RTX4090/i);
    const list = await command(t, as(who), 'list all');
    expect(list).not.toMatch(REFUSED);
    expect(list).toContain('dep-box');
    const status = await command(t, as(who), 'status dep-box');
    expect(status).not.toMatch(REFUSED);
    expect(status).toContain('dep-box');
    expect(await command(t, as(who), 'balance')).toMatch(/Balance:\* \$[\d.]+/);
    expect(await command(t, as(who), 'access')).toContain(`<@${DEPLOYER}>: *deployer*`);
    expect(await command(t, as(who), 'budget')).toMatch(/Spend limits|MAX_HOURLY_USD/);
  });

  test('deploy: a viewer is refused with the role needed and the admins; deployers and admins get the modal', async () => {
    const refusal = await command(t, as(VIEWER), 'deploy');
    expect(refusal).toMatch(REFUSED);
    expect(refusal).toMatch(/deployer/);
    expect(refusal).toContain(`<@${ADMIN}>`);
    for (const who of [DEPLOYER, ADMIN]) {
      const opens = t.standin.callsTo('views.open').length;
      await as(who).command('deploy');
      await t.standin.waitFor(() => t.standin.callsTo('views.open').length > opens);
    }
  });

  test('terminate: a viewer clicking Terminate on a card is refused; a deployer cannot end another\'s instance', async () => {
    const card = await reply(t, await as(ADMIN).command('status dep-box'));
    const byViewer = await as(VIEWER).clickButton({ blocks: card.blocks }, ACTION.terminate);
    const viewerText = await replyText(t, byViewer);
    expect(viewerText).toMatch(REFUSED);
    expect(viewerText).toContain(`<@${ADMIN}>`);
    expect(await stateOf(depBox)).toBe('active');

    const adminCard = await reply(t, await as(ADMIN).command('status admin-box'));
    const byDeployer = await as(DEPLOYER).clickButton({ blocks: adminCard.blocks }, ACTION.terminate);
    expect(await replyText(t, byDeployer)).toMatch(/someone else's/);
    expect(await stateOf(adminBox)).toBe('active');
    expect((await t.bot.context.store.audit.recent(20)).some((e) => e.action === 'terminate' && e.outcome === 'refused' && e.actorId === DEPLOYER)).toBe(true);
  });

  test.each([
    [VIEWER, 'access grant <@UVIEWER> admin'],
    [DEPLOYER, 'access grant <@UDEPLOYER> admin'],
    [VIEWER, 'access revoke <@UDEPLOYER>'],
    [DEPLOYER, 'budget 5'],
    [VIEWER, 'audit'],
    [DEPLOYER, 'audit 5'],
  ])('%s cannot run `%s`: refused, names the admin role and the admins, changes nothing', async (who, text) => {
    const grants = JSON.stringify(await t.bot.context.store.grants.list());
    const answer = await command(t, as(who), text);
    expect(answer).toMatch(REFUSED);
    expect(answer).toMatch(/\*admin\* role/);
    expect(answer).toContain(`<@${ADMIN}>`);
    expect(JSON.stringify(await t.bot.context.store.grants.list())).toBe(grants);
    expect(await t.bot.context.store.budgets.list()).toEqual([]);
  });

  test('admins set and remove budgets and read the audit log; every change is audited', async () => {
    expect(await command(t, as(ADMIN), 'budget <#CTEAM|team> 12.5')).toMatch(/<#CTEAM>'s budget is now \*\$12\.50\/h\*/);
    expect(await command(t, as(VIEWER), 'budget')).toContain('<#CTEAM>: *$12.50/h*');
    expect(await command(t, as(ADMIN), 'budget <#CTEAM> off')).toMatch(/Removed <#CTEAM>'s budget/);
    expect(await t.bot.context.store.budgets.list()).toEqual([]);
    const audit = await command(t, as(ADMIN), 'audit 50');
    expect(audit).toMatch(/\*budget\*.*\$12\.50\/h → none/);
    expect(audit).toMatch(/\*grant\*.*<@UDEPLOYER>: none → deployer/);
    expect(audit).toMatch(/⛔.*<@UVIEWER> \*grant\*/);
  });

  test('a grant to a channel lets everyone acting there deploy, and only there; revoking it takes it back', async () => {
    const inTeam = as(VIEWER).inChannel('CTEAM');
    expect(await command(t, inTeam, 'deploy')).toMatch(REFUSED);
    expect(await command(t, as(ADMIN), 'access grant <#CTEAM|team> deployer')).toMatch(/everyone in <#CTEAM> now has the \*deployer\* role/);
    const opens = t.standin.callsTo('views.open').length;
    await inTeam.command('deploy');
    await t.standin.waitFor(() => t.standin.callsTo('views.open').length > opens);
    expect(await command(t, as(VIEWER), 'deploy')).toMatch(REFUSED); // in C_GENERAL
    expect(await command(t, as(ADMIN), 'access revoke <#CTEAM>')).toMatch(/Revoked/);
    expect(await command(t, inTeam, 'deploy')).toMatch(REFUSED);
  });

  test('balance: balance, the burn of active instances across types, and the runway', async () => {
    t.sim.control.setBalance(100);
    const text = await command(t, as(VIEWER), 'balance');
    expect(text).toContain('*Balance:* $100.00');
    // dep-box and admin-box are ACTIVE at $0.39/h each
    expect(text).toContain('*Burn:* $0.78/h for 2 active instance(s)');
    expect(text).toMatch(/about \*128\.2 h\*/);
  });
});
