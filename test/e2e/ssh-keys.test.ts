/**
 * Saved SSH keys end to end (issue 12 §2): `/gpu key`, `/gpu key set` (modal and inline),
 * `/gpu key clear`; the deploy form starting on the saved key and the POST carrying it (the
 * simulator's instance holds it); "remember this key"; the Fluence account's keys offered, and
 * silently absent when the main API refuses; the update form; and a private key pasted by mistake
 * refused with a warning and found nowhere: logs, anything sent to Slack, the database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { BLOCK, VIEW } from '../../src/slack/ids';
import { PRIVATE_KEY_WARNING } from '../../src/services/ssh-keys';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { elementOf, fill } from '../support/modal';
import { ECDSA384_FP, ECDSA384_PUB, ED25519_FP, ED25519_PUB, RSA1024_PUB, RSA2048_FP, RSA2048_PUB, privateKeys } from '../support/ssh-keys';
import { command, textOf } from './guardrails-kit';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.stop();
});

const body = (line: string) => line.split(' ')[1]!;

async function openKeyModal(): Promise<any> {
  await t.user.command('key set');
  return t.standin.waitFor(() => [...t.standin.views().values()].find((v) => v.callback_id === VIEW.sshKey));
}

/** Opens the deploy form and picks a plan (the first one for a VM); returns the form once re-rendered with it. */
async function openDeployForm(text = 'deploy container'): Promise<any> {
  const before = new Set(t.standin.views().keys());
  await t.user.command(text);
  const view = await t.standin.waitFor(() => [...t.standin.views().values()].find((v) => !before.has(v.id) && v.blocks?.some((b: any) => b.block_id === BLOCK.plan)));
  const plan = elementOf(view, BLOCK.plan) as any;
  const planId = text.includes('vm') ? plan.options[0].value : PLAN_RTX4090_1X;
  await t.user.selectOption(view, plan.action_id, planId);
  return t.standin.waitFor(() => {
    const v = t.standin.views().get(view.id);
    return v?.blocks?.find((b: any) => b.block_id === BLOCK.plan)?.element?.initial_option?.value === planId ? v : undefined;
  });
}

function keyChoice(view: any): any {
  return view.blocks.find((b: any) => b.block_id === BLOCK.sshKeyChoice)?.element;
}

/** Everything the bot sent to Slack (Web API calls and response_url posts) and every log line. */
function everythingSent(): string {
  return [JSON.stringify(t.standin.calls), JSON.stringify(t.standin.responses), t.logs.join('\n')].join('\n');
}

function databaseBytes(): string {
  const dir = dirname(t.dbPath);
  return readdirSync(dir).map((f) => readFileSync(`${dir}/${f}`).toString('latin1')).join('\n');
}

it('/gpu key shows nothing saved, the modal saves a key, /gpu key names it by fingerprint only, clear forgets it', async () => {
  expect(await command(t, t.user, 'key')).toMatch(/no saved SSH key/);
  const modal = await openKeyModal();
  const ack = await t.user.submitView(modal, fill(modal, { [BLOCK.sshKey]: `  ${ED25519_PUB}\n` }));
  expect(ack.body.response_action).toBe('update');
  expect(JSON.stringify(ack.body.view)).toContain(ED25519_FP);
  const shown = await command(t, t.user, 'key');
  expect(shown).toContain(`*ED25519* \`${ED25519_FP}\``);
  expect(shown).not.toContain(body(ED25519_PUB));
  // the log names it by fingerprint; the key itself is in no log line
  expect(t.logs.join('\n')).toContain(ED25519_FP);
  expect(t.logs.join('\n')).not.toContain(body(ED25519_PUB));
  expect(await command(t, t.user, 'key clear')).toMatch(/forgotten/);
  expect(await command(t, t.user, 'key')).toMatch(/no saved SSH key/);
  expect(await command(t, t.user, 'key clear')).toMatch(/nothing to clear/);
});

it('/gpu key set <key> saves at once; a short RSA key is refused with its bit count', async () => {
  expect(await command(t, t.user, `key set ${RSA2048_PUB}`)).toContain(RSA2048_FP);
  const modal = await openKeyModal();
  const short = RSA1024_PUB;
  const ack = await t.user.submitView(modal, fill(modal, { [BLOCK.sshKey]: short }));
  expect(ack.body).toEqual({ response_action: 'errors', errors: { [BLOCK.sshKey]: expect.stringMatching(/has 1024 bits; at least 2048/) } });
  // the refused key did not replace the saved one
  expect(await command(t, t.user, 'key')).toContain(RSA2048_FP);
});

it('the deploy form starts on the saved key and the POST carries it: the simulator instance holds the saved key', async () => {
  await command(t, t.user, `key set ${ED25519_PUB}`);
  const form = await openDeployForm();
  const choice = keyChoice(form);
  expect(choice.initial_option).toMatchObject({ value: 'saved', text: { text: `My saved key (ED25519 ${ED25519_FP})` } });
  // the default preset's image needs a key: no "No SSH key" choice
  expect(choice.options.map((o: any) => o.value)).toEqual(['saved', 'paste']);
  const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'with-saved-key', [BLOCK.ports]: '22/tcp' }));
  expect(ack.body.response_action).toBe('update');
  expect(JSON.stringify(ack.body.view)).toMatch(/Deployed/);
  const instance = t.sim.control.instances().find((i) => i.name === 'with-saved-key');
  expect(instance?.sshKey).toBe(ED25519_PUB);
  // a VM needs a key: the same saved key, and no "No SSH key" choice
  const vm = await openDeployForm('deploy vm');
  expect(keyChoice(vm).options.map((o: any) => o.value)).toEqual(['saved', 'paste']);
});

it('"remember this key" saves a pasted key; a pasted key wins over the choice above it', async () => {
  await command(t, t.user, `key set ${ED25519_PUB}`);
  const form = await openDeployForm();
  const ack = await t.user.submitView(form, {
    ...fill(form, { [BLOCK.name]: 'pasted-key', [BLOCK.ports]: '22', [BLOCK.sshKey]: RSA2048_PUB }),
    [BLOCK.sshKeyRemember]: { [elementOf(form, BLOCK.sshKeyRemember).action_id]: ['remember'] },
  });
  expect(ack.body.response_action).toBe('update');
  expect(t.sim.control.instances().find((i) => i.name === 'pasted-key')?.sshKey).toBe(RSA2048_PUB);
  expect(await command(t, t.user, 'key')).toContain(RSA2048_FP);
});

it('offers the Fluence account keys and deploys with the one picked; when the main API refuses, the form simply has none', async () => {
  t.sim.control.addAccountSshKey('ci-runner', ECDSA384_PUB);
  const form = await openDeployForm();
  const choice = keyChoice(form);
  const account = choice.options.find((o: any) => o.text.text === 'Fluence account key: ci-runner');
  expect(account.description.text).toBe(`ECDSA-384 ${ECDSA384_FP}`);
  // no saved key: the form starts on "paste"
  expect(choice.initial_option.value).toBe('paste');
  await t.user.submitView(form, {
    ...fill(form, { [BLOCK.name]: 'account-key', [BLOCK.ports]: '22' }),
    [BLOCK.sshKeyChoice]: { [choice.action_id]: account.value },
  });
  expect(t.sim.control.instances().find((i) => i.name === 'account-key')?.sshKey).toBe(ECDSA384_PUB);

  // refused (the spec lists only JWT security): no account keys, no error, the saved key still offered
  await t.stop();
  t = await startTestBot();
  t.sim.control.addAccountSshKey('ci-runner', ECDSA384_PUB);
  t.sim.control.refuseAccountSshKeys(403);
  await command(t, t.user, `key set ${ED25519_PUB}`);
  const refused = await openDeployForm();
  expect(keyChoice(refused).options.map((o: any) => o.value)).toEqual(['saved', 'paste']);
  expect(JSON.stringify(refused)).not.toMatch(/refused|forbidden|Not allowed/i);
  expect(t.sim.control.requests.filter((r) => r.path === '/v1/ssh_keys').map((r) => r.status)).toEqual([403]);
  // the refusal is remembered: a second form does not ask again
  await openDeployForm();
  expect(t.sim.control.requests.filter((r) => r.path === '/v1/ssh_keys')).toHaveLength(1);
});

it('the update form keeps the current key by default and puts the saved key in when picked', async () => {
  await command(t, t.user, `key set ${RSA2048_PUB}`);
  const form = await openDeployForm();
  await t.user.submitView(form, {
    ...fill(form, { [BLOCK.name]: 'updatable', [BLOCK.ports]: '22', [BLOCK.sshKey]: ED25519_PUB }),
  });
  const id = t.sim.control.instances().find((i) => i.name === 'updatable')!.id;
  await t.tick(130_000);
  const before = new Set(t.standin.views().keys());
  await t.user.command('update updatable');
  const update = await t.standin.waitFor(() =>
    [...t.standin.views().values()].find((v) => !before.has(v.id) && v.callback_id === VIEW.update && v.blocks?.some((b: any) => b.block_id === BLOCK.name)),
  );
  const choice = keyChoice(update);
  expect(choice.initial_option.value).toBe('keep');
  expect(choice.options.map((o: any) => o.value)).toEqual(['keep', 'saved', 'paste']);
  const ack = await t.user.submitView(update, { [BLOCK.sshKeyChoice]: { [choice.action_id]: 'saved' } });
  expect(ack.status).toBe(200);
  await t.standin.waitFor(() => t.sim.control.instances().find((i) => i.id === id)?.sshKey === RSA2048_PUB);
});

describe('a private key pasted by mistake', () => {
  it('is refused with a warning everywhere it can be pasted, and appears nowhere: logs, Slack, the database', async () => {
    const keys = privateKeys();
    // inline, in the key modal, and in the deploy form (submitted, and carried through a re-render)
    const inline = await t.user.command(`key set ${keys.openssh}`);
    expect(textOf(inline.body)).toContain(PRIVATE_KEY_WARNING);
    const modal = await openKeyModal();
    const refused = await t.user.submitView(modal, fill(modal, { [BLOCK.sshKey]: keys.pem }));
    expect(refused.body).toEqual({ response_action: 'errors', errors: { [BLOCK.sshKey]: PRIVATE_KEY_WARNING } });

    const form = await openDeployForm();
    const typed = fill(form, { [BLOCK.name]: 'oops', [BLOCK.ports]: '22', [BLOCK.sshKey]: keys.openssh });
    const submit = await t.user.submitView(form, typed);
    expect(submit.body).toEqual({ response_action: 'errors', errors: { [BLOCK.sshKey]: PRIVATE_KEY_WARNING } });
    // picking the plan again re-renders the form with what was typed: the key is dropped, with the warning
    await t.user.selectOption(form, elementOf(form, BLOCK.plan).action_id, PLAN_RTX4090_1X);
    await t.standin.waitFor(() => /PRIVATE key/.test(JSON.stringify(t.standin.views().get(form.id)?.blocks?.find((b: any) => b.block_id === BLOCK.sshKey))) || undefined);
    await t.bot.context.inflight.idle();
    expect(await t.bot.context.store.formDrafts.get(JSON.parse(form.private_metadata).requestId)).toBeUndefined();

    expect(t.sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expect(await command(t, t.user, 'key')).toMatch(/no saved SSH key/);
    const sent = everythingSent();
    const stored = databaseBytes();
    for (const line of [...keys.openssh.split('\n'), ...keys.pem.split('\n')].filter((l) => l.length > 20 && !/-----/.test(l))) {
      expect({ line, sent: sent.includes(line), stored: stored.includes(line) }).toEqual({ line, sent: false, stored: false });
    }
  });

  it('typed anywhere after /gpu gets the warning and no word of it back', async () => {
    const keys = privateKeys();
    const ack = await t.user.command(keys.openssh);
    expect(textOf(ack.body)).toContain(PRIVATE_KEY_WARNING);
    expect(JSON.stringify(ack.body)).not.toContain(keys.bareBody.split('\n')[1]);
  });
});
