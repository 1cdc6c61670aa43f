/**
 * Masking secrets must never break what the bot sends. Reproduction from issue 10 §2: one deploy
 * with `DEBUG=true` made `true` a "secret", and from then on every Slack call carrying
 * `"emoji":true` was sent as `"emoji":••••••`: every user's `/gpu plans` failed with HTTP 400.
 * Now only real secrets are masked, and only in the text of a payload, never in its structure.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { SECRET_MASK } from '../../src/secrets';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { nthResponse, visibleText } from '../support/responses';
import { deployViaModal, messageMatching, textOf } from './guardrails-kit';

let t: TestBot;
afterEach(async () => {
  await t?.stop();
});

async function plansWork(): Promise<void> {
  const ack = await t.user.withUser('UBOB').command('plans');
  expect(ack.status).toBe(200);
  const msg = await nthResponse(t.standin, ack.responseUrl!);
  expect(visibleText(msg)).toContain('Showing 1–10');
  // nothing the bot sent since was refused by Slack for a mangled body
  expect(t.standin.calls.filter((c) => c.error !== undefined).map((c) => `${c.method}: ${c.error}`)).toEqual([]);
}

test('a deploy with DEBUG=true leaves /gpu plans working for everyone (plain settings are not secrets)', async () => {
  t = await startTestBot();
  const ack = await deployViaModal(t, t.user, { planId: PLAN_RTX4090_1X, name: 'debug-on', env: 'DEBUG=true\nPORT=8000\nMODE=prod' });
  expect(ack.status).toBe(200);
  await messageMatching(t, 'C_GENERAL', /debug-on/);
  await plansWork();
  // the announcement still names the channel and reads normally
  expect(JSON.stringify(t.standin.calls)).not.toContain(SECRET_MASK);
});

test('values marked secret that equal pieces of Block Kit structure are masked in text only, and every call still goes through', async () => {
  t = await startTestBot();
  // each value marked secret with NAME=!value; each is also a word of Slack's JSON structure
  const env = ['FLAG=!true', 'OFF=!false', 'NOTHING=!null', 'KIND=!section', 'WHERE=!C_GENERAL', 'NAME=!debug-marked'].join('\n');
  const ack = await deployViaModal(t, t.user, { planId: PLAN_RTX4090_1X, name: 'debug-marked', env });
  expect(ack.status).toBe(200);
  const announced = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => textOf(m).includes(SECRET_MASK)));
  // the instance name equals a secret: masked where it is text...
  expect(textOf(announced)).not.toContain('debug-marked');
  // ...while the structure (block types, the channel) is intact
  expect((announced.blocks ?? []).every((b: { type: string }) => b.type !== SECRET_MASK)).toBe(true);
  await plansWork();
  const deployed = t.sim.control.instances().find((i) => i.name === 'debug-marked');
  expect(deployed && JSON.stringify(deployed)).toContain('"value":"true"');
});
