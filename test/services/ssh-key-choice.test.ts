/** Which key a form offers first and which it sends (ssh-key-choice.ts), and the key fields as Slack must accept them. */
import { accountChoice, keyOptions, resolveKey, type KeySources } from '../../src/services/ssh-key-choice';
import { parsePublicKey, PRIVATE_KEY_WARNING, type PublicKey } from '../../src/services/ssh-keys';
import { checkView } from '../../src/standin';
import { BLOCK } from '../../src/slack/ids';
import { sshKeyBlocks } from '../../src/slack/views/ssh-key-fields';
import { ECDSA384_PUB, ED25519_PUB, RSA2048_PUB, privateKeys } from '../support/ssh-keys';

const key = (line: string): PublicKey => {
  const r = parsePublicKey(line);
  if (!r.ok) throw new Error(r.error);
  return r.key;
};
const saved = key(ED25519_PUB);
const ci = { id: '7d1c0a52-0c0e-4b4e-9a43-5b1d6c1f0b11', name: 'ci runner', key: key(ECDSA384_PUB) };
const both: KeySources = { saved, account: [ci] };

describe('keyOptions', () => {
  it('nothing to choose from: no select (the paste field alone, as before)', () => {
    expect(keyOptions({ account: [] }, { form: 'deploy', required: false })).toBeUndefined();
  });

  it('deploy: saved first and picked, account keys, "No SSH key" only when a key is optional, paste last', () => {
    expect(keyOptions(both, { form: 'deploy', required: false })).toEqual({
      initial: 'saved',
      options: [
        { value: 'saved', label: expect.stringMatching(/^My saved key \(ED25519 SHA256:/) },
        { value: accountChoice(ci.id), label: 'Fluence account key: ci runner', description: expect.stringMatching(/^ECDSA-384 SHA256:/) },
        { value: 'none', label: 'No SSH key' },
        { value: 'paste', label: 'Paste another key (below)' },
      ],
    });
    expect(keyOptions({ account: [ci] }, { form: 'deploy', required: true })?.initial).toBe('paste');
    expect(keyOptions(both, { form: 'deploy', required: true })?.options.map((o) => o.value)).not.toContain('none');
  });

  it('update: keeps the current key unless there is none, then starts on the saved key', () => {
    expect(keyOptions(both, { form: 'update', required: false, hasCurrentKey: true })?.initial).toBe('keep');
    expect(keyOptions(both, { form: 'update', required: false, hasCurrentKey: false })).toMatchObject({
      initial: 'saved', options: expect.arrayContaining([{ value: 'keep', label: 'No key (as now)' }]),
    });
  });
});

describe('resolveKey', () => {
  const deploy = { form: 'deploy' as const, required: false };
  it('a pasted key wins; "remember" only for a key that is not already the saved one', () => {
    expect(resolveKey({ choice: 'saved', pasted: RSA2048_PUB, remember: true }, both, deploy)).toMatchObject({ ok: true, key: { algorithm: 'RSA' }, remember: { algorithm: 'RSA' } });
    expect(resolveKey({ choice: 'saved', pasted: ED25519_PUB, remember: true }, both, deploy)).toEqual({ ok: true, key: saved });
  });
  it('the saved or an account key by choice; gone since the form opened: an error on the select', () => {
    expect(resolveKey({ choice: 'saved', pasted: '', remember: false }, both, deploy)).toEqual({ ok: true, key: saved });
    expect(resolveKey({ choice: accountChoice(ci.id), pasted: '', remember: false }, both, deploy)).toEqual({ ok: true, key: ci.key });
    expect(resolveKey({ choice: 'saved', pasted: '', remember: false }, { account: [] }, deploy)).toMatchObject({ ok: false, field: 'choice', error: expect.stringMatching(/cleared/) });
    expect(resolveKey({ choice: accountChoice('gone'), pasted: '', remember: false }, both, deploy)).toMatchObject({ ok: false, field: 'choice' });
  });
  it('a machine needs a key; a container may go without; an update may keep its own', () => {
    expect(resolveKey({ choice: 'none', pasted: '', remember: false }, both, { form: 'deploy', required: true })).toMatchObject({ ok: false, field: 'choice' });
    expect(resolveKey({ pasted: '', remember: false }, { account: [] }, { form: 'deploy', required: true })).toMatchObject({ ok: false, field: 'paste' });
    expect(resolveKey({ choice: 'none', pasted: '', remember: false }, both, deploy)).toEqual({ ok: true });
    expect(resolveKey({ choice: 'keep', pasted: '', remember: false }, both, { form: 'update', required: false })).toEqual({ ok: true, keep: true });
  });
  it('a private key: refused under the paste field, marked to be dropped', () => {
    expect(resolveKey({ choice: 'saved', pasted: privateKeys().openssh, remember: true }, both, deploy)).toEqual({ ok: false, field: 'paste', error: PRIVATE_KEY_WARNING, privateKey: true });
  });
});

describe('sshKeyBlocks', () => {
  const modal = (blocks: unknown[]) => ({ type: 'modal', callback_id: 'x', title: { type: 'plain_text', text: 'x' }, submit: { type: 'plain_text', text: 'Go' }, blocks });
  it('is accepted by Slack with long account key names, 120 account keys, and a private key warning', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ ...ci, id: `${String(i).padStart(8, '0')}-0c0e-4b4e-9a43-5b1d6c1f0b11`, name: 'x'.repeat(300) }));
    const blocks = sshKeyBlocks({
      keys: { saved: key(RSA2048_PUB), account: many },
      mode: { form: 'deploy', required: false },
      values: { privateKeyDropped: true, rememberKey: true, sshKeyChoice: 'no-longer-offered' },
      paste: { label: 'SSH public key', optional: true, hint: 'One key.' },
    });
    expect(checkView(modal(blocks))).toBeUndefined();
    const select = (blocks.find((b: any) => b.block_id === BLOCK.sshKeyChoice) as any).element;
    expect(select.options).toHaveLength(100);
    expect(select.initial_option.value).toBe('saved');
    expect(select.options.at(-1).value).toBe('paste');
    expect(JSON.stringify(blocks.find((b: any) => b.block_id === BLOCK.sshKey))).toContain('PRIVATE key');
    expect((blocks.find((b: any) => b.block_id === BLOCK.sshKeyRemember) as any).element.initial_options).toHaveLength(1);
  });
});
