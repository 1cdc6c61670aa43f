/** The instance card: how to connect, what it costs, which buttons exist, and no secret values. */
import type { InstanceDetail } from '../../../src/fluence/model';
import { ACTION } from '../../../src/slack/ids';
import { renderInstanceCard } from '../../../src/slack/views/card';
import { SANDBOX_NOTE } from '../../../src/slack/views/format';
import { assertBlockKitLimits, mrkdwnTexts } from '../../support/blockkit';
import { NOW, containerActive, vmActive } from './fixtures';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const allButtons = (blocks: unknown[]): Any[] => (blocks as Any[]).flatMap((b) => (b.type === 'actions' ? b.elements : []));
const button = (blocks: unknown[], id: string) => allButtons(blocks).find((b) => b.action_id === id);

test('ACTIVE container: ssh command, forwarded port, billing, env NAMES, and every container button', () => {
  const instance = containerActive();
  const v = renderInstanceCard({ instance, now: NOW, sandbox: false, showPrivate: true });
  assertBlockKitLimits(v.blocks);
  const json = JSON.stringify(v.blocks);
  expect(json).toContain('```ssh -p 32345 root@provider.a100.pub```');
  expect(json).toContain('22/tcp → `provider.a100.pub:32345`');
  expect(json).toContain('🟢 fuchsia-hawk-4706');
  expect(json).toContain('$1.22/h');
  expect(json).toContain('*Spent so far*\\n$1.22');
  expect(json).toContain('*Reserved*\\n$2.44');
  expect(json).toContain('<!date^1770476400^{date_short_pretty} {time}|2026-02-07T15:00:00.000Z>');
  expect(json).toContain('3 minutes ago');
  expect(json).toContain('`SSH_PUBKEY`');
  expect(json).toContain('ACTIVE · STARTED');
  expect(allButtons(v.blocks).map((b) => b.action_id)).toEqual([
    ACTION.refresh, ACTION.logs, ACTION.events, ACTION.update, ACTION.terminate,
  ]);
  for (const b of allButtons(v.blocks)) expect(b.value).toBe(`container:${instance.id}`);
  expect(v).toMatchSnapshot();
});

test('ACTIVE but NOT_STARTED: the address is shown with a note that nothing answers yet', () => {
  const instance = containerActive();
  instance.containerStatus = 'NOT_STARTED';
  const v = renderInstanceCard({ instance, now: NOW, sandbox: false, showPrivate: true });
  assertBlockKitLimits(v.blocks);
  const json = JSON.stringify(v.blocks);
  expect(json).toContain('ACTIVE · NOT_STARTED');
  expect(json).toContain('The container has not started yet (still pulling, or failing to start): see Events and Logs.');
  expect(JSON.stringify(renderInstanceCard({ instance: containerActive(), now: NOW, sandbox: false, showPrivate: true }).blocks)).not.toContain('has not started');
});

test('a container on another image: `<user>@` in the SSH line, with the hint', () => {
  const instance = containerActive();
  instance.connection = { ...instance.connection!, ssh: 'ssh -p 32345 <user>@provider.a100.pub', sshHint: 'Replace <user> with the login user of your image.' };
  const json = JSON.stringify(renderInstanceCard({ instance, now: NOW, sandbox: false, showPrivate: true }).blocks);
  expect(json).toContain('```ssh -p 32345 &lt;user&gt;@provider.a100.pub```');
  expect(json).toContain('_Replace &lt;user&gt; with the login user of your image._');
});

test('for anyone but the owner and admins: no startup command, no Logs/Events, and a note saying why', () => {
  const instance = containerActive();
  instance.container!.startupCommand = 'python serve.py --token=tok-startup-secret';
  const shown = renderInstanceCard({ instance, now: NOW, sandbox: false, showPrivate: true });
  expect(JSON.stringify(shown)).toContain('tok-startup-secret');
  const v = renderInstanceCard({ instance, now: NOW, sandbox: false });
  assertBlockKitLimits(v.blocks);
  expect(JSON.stringify(v)).not.toContain('tok-startup-secret');
  expect(allButtons(v.blocks).map((b) => b.action_id)).toEqual([ACTION.refresh, ACTION.update, ACTION.terminate]);
  expect(JSON.stringify(v.blocks)).toMatch(/shown only to the instance's owner and admins/);
});

test('env variable values never appear anywhere in the card', () => {
  const instance = containerActive();
  instance.container!.environment.push({ name: 'HF_TOKEN', value: 'hf_SuperSecretValue123' });
  const v = renderInstanceCard({ instance, now: NOW, sandbox: true });
  const everything = JSON.stringify(v);
  expect(everything).toContain('HF_TOKEN');
  expect(everything).not.toContain('hf_SuperSecretValue123');
  expect(everything).not.toContain('ssh-ed25519 AAAAC3...');
});

test('Terminate has a confirm dialog naming the instance, its price and the refund', () => {
  const v = renderInstanceCard({ instance: containerActive(), now: NOW, sandbox: false });
  const t = button(v.blocks, ACTION.terminate)!;
  expect(t.style).toBe('danger');
  expect(t.confirm.title.text).toBe('Terminate fuchsia-hawk-4706?');
  expect(t.confirm.text.text).toContain('fuchsia-hawk-4706');
  expect(t.confirm.text.text).toContain('$1.22/h');
  expect(t.confirm.text.text).toContain('refunded');
  expect(t.confirm.confirm.text).toBe('Terminate');
  expect(t.confirm.deny.text).toBe('Keep it');
});

test('ACTIVE VM: ssh command, Rename instead of Update, no Logs/Events', () => {
  const instance = vmActive();
  const v = renderInstanceCard({ instance, now: NOW, sandbox: false });
  assertBlockKitLimits(v.blocks);
  const json = JSON.stringify(v.blocks);
  expect(json).toContain('```ssh ubuntu@216.81.248.90```');
  expect(json).toContain('Ubuntu Server 22.04');
  expect(json).not.toContain('ssh-ed25519');
  expect(allButtons(v.blocks).map((b) => b.action_id)).toEqual([ACTION.refresh, ACTION.rename, ACTION.terminate]);
  expect(button(v.blocks, ACTION.rename)!.value).toBe(`vm:${instance.id}`);
  expect(v).toMatchSnapshot();
});

test('a provisioning instance has no Terminate button, and says why and how long', () => {
  const instance: InstanceDetail = { ...containerActive(), status: 'INITIALIZED', state: 'provisioning', connection: null, billing: null };
  const v = renderInstanceCard({ instance, now: NOW, sandbox: true, pricePerHour: 2.96, showPrivate: true });
  assertBlockKitLimits(v.blocks);
  expect(button(v.blocks, ACTION.terminate)).toBeUndefined();
  const json = JSON.stringify(v.blocks);
  expect(json).toContain('Only ACTIVE instances can be terminated; this one is INITIALIZED — provisioning usually takes 2–3 minutes.');
  expect(json).toContain('🟡');
  expect(json).toContain('$2.96/h');
  expect(json).not.toContain('Connect');
  expect(json).toContain(SANDBOX_NOTE);
  expect(v).toMatchSnapshot();
});

test('a reason from the caller (e.g. role) replaces the Terminate button', () => {
  const v = renderInstanceCard({ instance: containerActive(), now: NOW, sandbox: false, canTerminateReason: 'Only deployers can terminate.' });
  expect(button(v.blocks, ACTION.terminate)).toBeUndefined();
  expect(JSON.stringify(v.blocks)).toContain('Only deployers can terminate.');
});

test('ended and failed instances say so and offer neither Terminate nor Update', () => {
  for (const [status, state, icon] of [['ENDED', 'ended', '⚫'], ['FAILED', 'failed', '🔴']] as const) {
    const v = renderInstanceCard({ instance: { ...containerActive(), status, state, connection: null }, now: NOW, sandbox: false });
    assertBlockKitLimits(v.blocks);
    expect(JSON.stringify(v.blocks)).toContain(icon);
    expect(button(v.blocks, ACTION.terminate)).toBeUndefined();
    if (state === 'ended') expect(button(v.blocks, ACTION.update)).toBeUndefined();
  }
});

test('hostile and huge values stay escaped and within limits', () => {
  const base = containerActive();
  const instance: InstanceDetail = {
    ...base,
    name: `<!channel> ${'n'.repeat(400)}`,
    container: {
      ...base.container!,
      image: `evil\`\`\`<@U1>${'i'.repeat(5000)}`,
      environment: Array.from({ length: 300 }, (_, i) => ({ name: `VAR_${i}_${'x'.repeat(100)}`, value: 'v' })),
      startupCommand: 'x'.repeat(10000),
    },
  };
  const v = renderInstanceCard({ instance, now: NOW, sandbox: true, showPrivate: true });
  assertBlockKitLimits(v.blocks);
  // plain_text (header, confirm title) is never parsed for mentions; mrkdwn and the fallback are.
  const parsed = [v.text, ...mrkdwnTexts(v.blocks)].join('\n');
  expect(parsed).toContain('&lt;!channel&gt;');
  expect(parsed).not.toContain('<!channel>');
  expect(parsed).not.toContain('<@U1>');
  expect(parsed).toContain('…and 270 more');
});
