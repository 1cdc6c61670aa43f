/**
 * A deploy form shown again keeps its secrets with the bot, not in Slack (issue 10 §2). Reproduced
 * before: Fluence answered 400, the modal was re-rendered with everything typed, and the secret
 * environment value went back to Slack (in clear in the ack, as `HF_TOKEN=••••••` through the
 * masking fetch); pressing Deploy again deployed the bullets. Now the re-rendered form shows
 * `HF_TOKEN=!`, empty password and key fields, and Deploy sends the values typed the first time.
 */
import type { SimulatorHandle } from '../../src/simulator';
import { SECRET_MASK } from '../../src/secrets';
import { BLOCK } from '../../src/slack/ids';
import type { TestBot } from '../support/bot-harness';
import type { Relay } from '../support/fluence-relay';
import { startRelayedBot, stopRelayedBot } from '../support/relayed-bot';
import { fill, waitForField } from '../support/modal';
import { ED25519_PUB } from '../support/ssh-keys';

const run = `${process.pid}${Date.now().toString(36)}`;
const TOKEN = `hf_${run}RerenderTok9`;
const MARKED = `marked-${run}`;
const PASSWORD = `reg-pw-${run}-Qq2`;
const KEY = ED25519_PUB;

let sim: SimulatorHandle;
let relay: Relay;
let t: TestBot;
beforeEach(async () => {
  ({ t, sim, relay } = await startRelayedBot());
});
afterEach(async () => stopRelayedBot({ t, sim, relay }));

test('after a Fluence 400 the re-rendered form holds no secret, and Deploy again sends the real values, not bullets', async () => {
  await t.user.command('deploy container');
  const form = await waitForField(t.standin, BLOCK.ports);
  const plan = form.blocks.find((b: any) => b.block_id === BLOCK.plan).element.options[0].value;
  const values = fill(form, {
    [BLOCK.plan]: plan,
    [BLOCK.name]: 'rerender-secrets',
    [BLOCK.image]: 'docker.io/acme/private-app:1',
    [BLOCK.ports]: '22/tcp',
    [BLOCK.env]: `HF_TOKEN=${TOKEN}\nDB_URL=!${MARKED}\nMODE=prod`,
    [BLOCK.registryUser]: 'acme-bot',
    [BLOCK.registryPassword]: PASSWORD,
    [BLOCK.sshKey]: KEY,
  });
  relay.answerNext({ method: 'POST', path: /^\/gpu\/instances\/$/, status: 400, body: { detail: 'Plan is no longer available in the requested location' } });
  const refused = await t.user.submitView(form, values);
  expect(refused.body.response_action).toBe('update');
  // the modal as Slack now shows it (the ack replaced its content, same view id)
  const shown = t.standin.views().get(form.id);
  expect(shown.blocks).toEqual(refused.body.view.blocks);
  const text = JSON.stringify(shown);
  for (const secret of [TOKEN, MARKED, PASSWORD, KEY]) expect({ secret, inView: text.includes(secret) }).toEqual({ secret, inView: false });
  expect(text).not.toContain(SECRET_MASK);
  const field = (block: string) => shown.blocks.find((b: any) => b.block_id === block).element;
  expect(field(BLOCK.env).initial_value).toBe('HF_TOKEN=!\nDB_URL=!\nMODE=prod');
  expect(field(BLOCK.registryPassword).initial_value).toBeUndefined();
  expect(field(BLOCK.registryPassword).placeholder.text).toMatch(/kept/);
  expect(field(BLOCK.sshKey).initial_value).toBeUndefined();
  // nor do they sit in clear in the database meanwhile
  expect(JSON.stringify(t.bot.context.store.db!.prepare('SELECT * FROM form_drafts').all())).not.toContain(TOKEN);
  expect(sim.control.instances()).toHaveLength(0);

  // Deploy again, changing nothing: the kept values are deployed
  const again = await t.user.submitView(shown, {});
  expect(again.body.response_action).toBe('update');
  const deployed = sim.control.instances();
  expect(deployed).toHaveLength(1);
  const sent = JSON.stringify(deployed[0]);
  for (const secret of [TOKEN, MARKED, PASSWORD]) expect(sent).toContain(secret);
  expect(sent).not.toContain(SECRET_MASK);
  // the form did its work: nothing is kept any more
  await t.bot.context.inflight.idle();
  expect(t.bot.context.store.db!.prepare('SELECT * FROM form_drafts').all()).toEqual([]);
});

test('a kept secret that is gone (expired) is asked for again, never deployed empty', async () => {
  await t.user.command('deploy container');
  const form = await waitForField(t.standin, BLOCK.ports);
  const plan = form.blocks.find((b: any) => b.block_id === BLOCK.plan).element.options[0].value;
  relay.answerNext({ method: 'POST', path: /^\/gpu\/instances\/$/, status: 400, body: { detail: 'try again' } });
  const refused = await t.user.submitView(form, fill(form, {
    [BLOCK.plan]: plan, [BLOCK.name]: 'kept-gone', [BLOCK.ports]: '22/tcp', [BLOCK.env]: `HF_TOKEN=${TOKEN}`,
  }));
  expect(refused.body.response_action).toBe('update');
  t.bot.context.store.db!.prepare('DELETE FROM form_drafts').run();
  const again = await t.user.submitView(t.standin.views().get(form.id), {});
  expect(again.body.response_action).toBe('errors');
  expect(again.body.errors[BLOCK.env]).toMatch(/HF_TOKEN.*again/);
  expect(sim.control.instances()).toHaveLength(0);
});
