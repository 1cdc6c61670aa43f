/**
 * A pending approval holds the deploy sealed under GPU_BOT_SEAL_KEY (issue 10 §2). When the key
 * changes between the request and the decision (a restart with another key), the admin's Approve
 * must say so in the thread, deploy nothing (not an empty or half-read request), tell the
 * requester to deploy again, and forget the sealed payload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, ADMIN2, DEPLOYER, command, deployViaModal, messageMatching, textOf } from './guardrails-kit';

const ENV = { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${ADMIN},${ADMIN2}`, MAX_HOURLY_USD: '1' };
const KEY_A = 'seal-key-A-0123456789abcdefghijklmnopqrstuv';
const KEY_B = 'seal-key-B-0123456789abcdefghijklmnopqrstuv';

let dir: string;
let t: TestBot | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-bot-seal-'));
});
afterEach(async () => {
  await t?.stop();
  t = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('an approval sealed under one GPU_BOT_SEAL_KEY, approved after a restart with another: nothing deployed, the thread says why, the payload is wiped', async () => {
  const dbPath = join(dir, 'bot.sqlite');
  const first = await startTestBot({ dbPath, ownsShared: false, env: { ...ENV, GPU_BOT_SEAL_KEY: KEY_A } });
  await command(first, first.user.withUser(ADMIN), `access grant <@${DEPLOYER}> deployer`);
  const ack = await deployViaModal(first, first.user.withUser(DEPLOYER), { planId: PLAN_H100_1X, name: 'sealed-one', env: 'HF_TOKEN=hf_sealkey_secret_4711' });
  expect(ack.status).toBe(200);
  const request = await messageMatching(first, 'C_GENERAL', /wants to deploy.*sealed-one/s);
  await first.bot.context.inflight.idle();
  await first.bot.stop();

  t = await startTestBot({ dbPath, standin: first.standin, sim: first.sim, ownsShared: true, env: { ...ENV, GPU_BOT_SEAL_KEY: KEY_B } });
  await t.user.withUser(ADMIN).clickButton(request, ACTION.approve);
  const note = await messageMatching(t, 'C_GENERAL', /sealed under another key/);
  expect(note.thread_ts).toBe(request.ts);
  expect(textOf(note)).toMatch(/Nothing was deployed/);
  expect(textOf(note)).toContain(`<@${DEPLOYER}>`);
  const updated = await t.standin.waitFor(() => t!.standin.messages('C_GENERAL').find((m) => m.ts === request.ts && /can no longer be opened/.test(textOf(m))));
  expect(JSON.stringify(updated.blocks)).not.toContain(ACTION.approve);
  expect(t.sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  await t.bot.context.inflight.idle();
  const row = t.bot.context.store.db!.prepare('SELECT state, payload FROM approvals').all() as Array<{ state: string; payload: string }>;
  expect(row).toEqual([{ state: 'approved', payload: '' }]);
});
