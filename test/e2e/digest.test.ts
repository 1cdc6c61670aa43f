/**
 * The daily digest through the whole bot (issue 11 §4, §6): nothing on a day nothing runs, exactly
 * one per due time and channel (a second tick, a restart), a late one after the bot was down says
 * so, opt-ins by admins only, and a Terminate button that checks the role at click time and leaves
 * the digest in place.
 */
import { MINUTE_MS } from '../../src/duration';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, instanceIdOf, messageMatching, openDeployModal, reply, submitDeployModal, textOf } from './guardrails-kit';

const DIGEST = 'CDIGEST';
const OPT = 'COPTIN';
let t: TestBot;
const as = (id: string, channel = 'C_GENERAL'): SlackUser => t.user.withUser(id).inChannel(channel);
const digests = (channel: string) => t.standin.messages(channel).filter((m) => /GPU digest/.test(m.text ?? ''));

async function runDigest(): Promise<void> {
  await t.bot.context.inflight.idle();
  await t.bot.scheduler.runNow('money.digest');
  await t.bot.delivery.deliverDue();
}

/** Moves the clock to the next `hh:mm` UTC (the harness starts at 14:00 UTC, Feb 7). */
function advanceTo(iso: string): void {
  const target = Date.parse(iso);
  expect(target).toBeGreaterThan(t.clock.now());
  t.clock.advance(target - t.clock.now());
}

let box: string;

beforeAll(async () => {
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, DIGEST_TIME: '09:00', DIGEST_TZ: 'UTC', DIGEST_CHANNEL: DIGEST } });
  expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
}, 30_000);
afterAll(async () => {
  await t?.stop();
});

test('a day on which nothing runs gets no digest, and stays decided when something starts later', async () => {
  await runDigest(); // 14:00: today's 09:00 digest is owed (5 h late) but nothing runs
  expect(digests(DIGEST)).toHaveLength(0);
  const view = await openDeployModal(t, as(DEPLOYER));
  expect(JSON.stringify((await submitDeployModal(as(DEPLOYER), view, { planId: PLAN_RTX4090_1X, name: 'digest-box' })).body)).toMatch(/Deployed/);
  await messageMatching(t, 'C_GENERAL', /digest-box/);
  box = await instanceIdOf(t, 'digest-box');
  t.clock.advance(5 * MINUTE_MS); // ACTIVE
  await runDigest();
  expect(digests(DIGEST)).toHaveLength(0);
});

test('/gpu digest: everyone reads the settings, only admins switch a channel (audited)', async () => {
  expect(await command(t, as(DEPLOYER), `digest <#${OPT}> on`)).toMatch(/⛔/);
  expect(await command(t, as(ADMIN), `digest <#${OPT}> on`)).toMatch(/<#COPTIN> now gets the daily spend digest at 09:00 UTC/);
  expect(await command(t, as(ADMIN), `digest <#${OPT}> on`)).toMatch(/already gets/);
  expect(await command(t, as(VIEWER), 'digest')).toMatch(/every day at \*09:00 UTC\* .* to: <#CDIGEST> \(DIGEST_CHANNEL\), <#COPTIN>/);
  expect(await command(t, as(ADMIN), 'digest COPTIN maybe')).toMatch(/Say `on` or `off`/);
  const audit = (await t.bot.context.store.audit.recent(5)).filter((e) => /digest/.test(e.detail ?? ''));
  expect(audit.map((e) => e.outcome)).toEqual(expect.arrayContaining(['ok', 'refused']));
});

test('09:00 the next day: one digest per channel with the instance, yesterday’s spend and a Terminate button; not twice, not after a restart', async () => {
  advanceTo('2026-02-08T08:59:00Z');
  await runDigest();
  expect(digests(DIGEST)).toHaveLength(0);
  advanceTo('2026-02-08T09:00:20Z');
  await runDigest();
  await runDigest();
  expect(digests(DIGEST)).toHaveLength(1);
  expect(digests(OPT)).toHaveLength(1);
  const text = textOf(digests(DIGEST)[0]);
  expect(text).toMatch(/\*1 running\*, burning \*\$0\.39\/h\*/);
  // charged on Feb 7 at 14:00 (deploy) and at every hour start 15:00 … 23:00: 10 × $0.39
  expect(text).toMatch(/Yesterday's spend: \*\$3\.90\*/);
  // the default 8 h lease ended at 22:00; 20 charges so far (10 yesterday, 10 today)
  expect(text).toMatch(/\*<@UDEPLOYER>\*\n`digest-box` container · up 19h · lease ends <!date\^\d+\^[^>]*> \(ended 11h ago\) · \$0\.39\/h · spent \$7\.80/);
  expect(text).not.toMatch(/Sent late/);

  t = await t.restart();
  t.clock.advance(5 * MINUTE_MS);
  await runDigest();
  expect(digests(DIGEST)).toHaveLength(1);
  expect(digests(OPT)).toHaveLength(1);
});

test('the bot was down at 09:00: it sends the day’s digest once when it is back, saying how late', async () => {
  await t.bot.stop();
  advanceTo('2026-02-09T11:30:00Z');
  t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN, DIGEST_TIME: '09:00', DIGEST_TZ: 'UTC', DIGEST_CHANNEL: DIGEST }, dbPath: t.dbPath, clock: t.clock, standin: t.standin, sim: t.sim, ownsShared: true });
  await runDigest();
  await runDigest();
  expect(digests(DIGEST)).toHaveLength(2);
  expect(textOf(digests(DIGEST)[1])).toMatch(/Sent late: this digest was due <!date[^>]*> and I was not running then \(2h30m late\)/);
});

test('Terminate in the digest: the role is checked at the click, the digest stays, the instance ends', async () => {
  const digest = digests(DIGEST)[1]!;
  const refused = await as(VIEWER, DIGEST).clickButton(digest, ACTION.terminateInPlace, { value: `container:${box}` });
  expect(textOf(await reply(t, refused))).toMatch(/⛔|not allowed|owner/i);
  const click = await as(DEPLOYER, DIGEST).clickButton(digest, ACTION.terminateInPlace, { value: `container:${box}` });
  const answer = await reply(t, click);
  expect(answer.replace_original).toBe(false);
  expect(answer.response_type).toBe('ephemeral');
  expect(t.sim.control.instances().find((i) => i.id === box)?.forced?.status).toBe('ENDED');
  expect(t.standin.messages(DIGEST).find((m) => m.ts === digest.ts)?.text).toBe(digest.text);
});
