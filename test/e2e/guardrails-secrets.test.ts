/**
 * The secret lifecycle: values a user types into the deploy modal (environment values, a registry
 * password) reach Fluence and nowhere else. Two deploys, one direct and one that waits for an
 * approval (its payload sealed in the database), each run to ACTIVE and terminated; then every
 * Slack call and response, every log line, every audit row and the SQLite file bytes are searched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PLAN_H100_1X, PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, command, deployViaModal, instanceIdOf, messageMatching, reply, replyText } from './guardrails-kit';

const run = `${process.pid}${Date.now().toString(36)}`;
const SECRETS = {
  directEnv: `direct-env-${run}-Zq8`,
  directPassword: `direct-pw-${run}-Xk3`,
  approvedEnv: `approved-env-${run}-Wm5`,
  approvedPassword: `approved-pw-${run}-Vn1`,
};

describe('secret lifecycle', () => {
  let t: TestBot;
  afterAll(async () => {
    await t?.stop();
  });

  test('typed secrets appear in no Slack call or response, no log line, no audit row, and not in clear in the database', async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, MAX_HOURLY_USD: '1' } });
    await command(t, t.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
    const deployer = t.user.withUser(DEPLOYER);

    // 1. a direct deploy
    const direct = await deployViaModal(t, deployer, {
      planId: PLAN_RTX4090_1X,
      name: 'secret-direct',
      env: `API_TOKEN=${SECRETS.directEnv}\nMODE=prod`,
      registryUser: 'acme-bot',
      registryPassword: SECRETS.directPassword,
    });
    expect(direct.status).toBe(200);
    await messageMatching(t, 'C_GENERAL', /secret-direct/);

    // 2. a deploy over the limit, approved by the admin: its secrets wait sealed in the database
    await deployViaModal(t, deployer, {
      planId: PLAN_H100_1X,
      name: 'secret-approved',
      env: `HF_TOKEN=${SECRETS.approvedEnv}`,
      registryUser: 'acme-bot',
      registryPassword: SECRETS.approvedPassword,
    });
    const request = await messageMatching(t, 'C_GENERAL', /wants to deploy.*secret-approved/s);
    const dbWhilePending = dbBytes(t);
    expect(dbWhilePending.includes(SECRETS.approvedEnv)).toBe(false);
    expect(dbWhilePending.includes(SECRETS.approvedPassword)).toBe(false);
    await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
    await messageMatching(t, 'C_GENERAL', /Deployed `secret-approved`/);
    // acted on: the sealed deploy is gone from the row
    expect(await t.bot.context.store.approvals.listPending()).toEqual([]);
    const payloads = () => t.bot.context.store.db!.prepare(`SELECT payload FROM approvals`).all() as Array<{ payload: string }>;
    await t.standin.waitFor(() => payloads().every((p) => p.payload === '') || undefined);
    expect(payloads()).toEqual([{ payload: '' }]);

    // Fluence did get the values (the deploy is real), so the test would see a leak if there were one.
    const sent = t.sim.control.instances().map((i) => JSON.stringify(i)).join('\n');
    for (const v of Object.values(SECRETS)) expect(sent).toContain(v);

    // 3. both run to ACTIVE, the watcher reports it, then both are terminated from their cards
    const ids = [await instanceIdOf(t, 'secret-direct'), await instanceIdOf(t, 'secret-approved')];
    t.sim.control.advance(10 * 60_000);
    await t.tick(10 * 60_000);
    for (const name of ['secret-direct', 'secret-approved']) {
      const card = await reply(t, await deployer.command(`status ${name}`));
      const ack = await deployer.clickButton({ blocks: card.blocks }, ACTION.terminate);
      expect(await replyText(t, ack, { match: /terminat|ended/i })).toMatch(/terminat|ended/i);
    }
    await t.tick();
    for (const id of ids) expect((await t.bot.context.fluence.getInstance('container', id)).state).toBe('ended');
    await command(t, t.user.withUser(ADMIN), 'audit 100');
    await command(t, deployer, 'list all');

    // 4. nowhere
    const slack = JSON.stringify(t.standin.calls) + JSON.stringify(t.standin.responses);
    const logs = t.logs.join('\n');
    const audit = JSON.stringify(await t.bot.context.store.audit.recent(500));
    const db = dbBytes(t);
    expect(t.logs.length).toBeGreaterThan(1);
    expect(await t.bot.context.store.audit.count()).toBeGreaterThan(4);
    for (const [what, value] of Object.entries(SECRETS)) {
      expect({ what, inSlack: slack.includes(value) }).toEqual({ what, inSlack: false });
      expect({ what, inLogs: logs.includes(value) }).toEqual({ what, inLogs: false });
      expect({ what, inAudit: audit.includes(value) }).toEqual({ what, inAudit: false });
      expect({ what, inDb: db.includes(value) }).toEqual({ what, inDb: false });
    }
  });
});

/** The database file with its WAL and shared-memory files, as text (latin1 keeps every byte). */
function dbBytes(t: TestBot): string {
  return ['', '-wal', '-shm', '-journal']
    .map((suffix) => `${t.dbPath}${suffix}`)
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1'))
    .join('\n');
}
