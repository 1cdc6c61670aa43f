/**
 * `/gpu key`: the saved key named by algorithm and fingerprint (never the key itself), the modal
 * that saves one, and what it answers. Pure: data in, Block Kit out.
 */
import type { ModalView } from '@slack/types';
import { describeKey, type PublicKey } from '../../services/ssh-keys';
import { ACTION, BLOCK, VIEW } from '../ids';
import { button, context, message, sandboxBlocks, section, type MessageView } from './blocks';
import { escapeClamp } from './format';
import { modalShell, section as modalSection, textInput } from './modal-blocks';

/** "*ED25519* `SHA256:…` (alice@laptop)": the comment is the user's text, escaped. */
export function keyLine(key: PublicKey): string {
  const [alg, fp] = describeKey(key).split(' ');
  return `*${alg}* \`${fp}\`${key.comment ? ` (${escapeClamp(key.comment, 100)})` : ''}`;
}

export function renderKeyStatus(saved: PublicKey | undefined, sandbox: boolean): MessageView {
  const set = button({ text: saved ? 'Replace key' : 'Save a key', actionId: ACTION.sshKeySet, value: 'set' });
  if (!saved) {
    return message('You have no saved SSH key.', [
      section('🔑 You have no saved SSH key. Save your public key (the .pub file) and every deploy form starts with it.', set),
      context('`/gpu key set` opens the form; `/gpu key set ssh-ed25519 AAAA…` saves one at once.'),
      ...sandboxBlocks(sandbox),
    ]);
  }
  return message(`Your saved SSH key: ${describeKey(saved)}`, [
    section(`🔑 Your saved SSH key: ${keyLine(saved)}\nDeploy and update forms offer it first.`, set),
    context('`/gpu key set` replaces it, `/gpu key clear` forgets it.'),
    ...sandboxBlocks(sandbox),
  ]);
}

export function renderKeySaved(key: PublicKey, sandbox: boolean): MessageView {
  return message(`Saved your SSH key: ${describeKey(key)}`, [
    section(`✅ Saved your SSH key: ${keyLine(key)}\nYour next deploy forms start with it.`),
    ...sandboxBlocks(sandbox),
  ]);
}

export function renderKeyCleared(had: boolean, sandbox: boolean): MessageView {
  const text = had ? '🗑️ Your saved SSH key is forgotten. Deploy forms ask for a key again.' : 'You had no saved SSH key: nothing to clear.';
  return message(text, [section(text), ...sandboxBlocks(sandbox)]);
}

export function renderKeyModal(saved: PublicKey | undefined, sandbox: boolean): ModalView {
  return modalShell({
    callbackId: VIEW.sshKey,
    title: 'My SSH key',
    submit: 'Save',
    close: 'Cancel',
    blocks: [
      modalSection(saved ? `Saved now: ${keyLine(saved)}. Saving another replaces it.` : 'Deploy forms start with the key you save here.'),
      textInput({
        block: BLOCK.sshKey, label: 'SSH public key', multiline: true, placeholder: 'ssh-ed25519 AAAA… you@laptop',
        hint: 'One OpenSSH public key: the contents of your .pub file (e.g. ~/.ssh/id_ed25519.pub). ed25519, ecdsa, or rsa of 2048 bits or more. Never the private key.',
      }),
      ...sandboxBlocks(sandbox),
    ],
  });
}

/** The modal after a save (response_action: update). */
export function renderKeyModalSaved(key: PublicKey, sandbox: boolean): ModalView {
  return modalShell({
    callbackId: VIEW.sshKey,
    title: 'My SSH key',
    close: 'Done',
    blocks: [modalSection(`✅ Saved: ${keyLine(key)}\nYour next deploy forms start with it.`), ...sandboxBlocks(sandbox)],
  });
}
