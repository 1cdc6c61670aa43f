/**
 * The SSH key part of the deploy and update modals (issue 12 §2): a select of the user's saved
 * key and the Fluence account's keys with "paste another", the paste field, and "remember this
 * key". With nothing to choose from, the paste field alone, as the forms always had. Pure.
 */
import type { KnownBlock, PlainTextOption } from '@slack/types';
import { keyOptions, type KeyFormMode, type KeyOption, type KeySources } from '../../services/ssh-key-choice';
import { REMEMBER_KEY } from '../../services/ssh-key-fields';
import { PRIVATE_KEY_WARNING } from '../../services/ssh-keys';
import { BLOCK, INPUT_ACTION } from '../ids';
import { OPTION_TEXT_MAX, plain, textInput } from './modal-blocks';
import { clamp } from './format';

export interface SshKeyFieldsData {
  keys: KeySources;
  mode: KeyFormMode;
  /** What the form had before a re-render. */
  values?: { sshKeyChoice?: string | undefined; rememberKey?: boolean | undefined; keptKey?: boolean | undefined; privateKeyDropped?: boolean | undefined };
  /** The paste field as the form had it without choices: label, hint, whether Slack must require it. */
  paste: { label: string; hint: string; optional: boolean };
}

function toOption(o: KeyOption): PlainTextOption {
  return {
    text: plain(clamp(o.label, OPTION_TEXT_MAX)),
    value: o.value,
    ...(o.description ? { description: plain(clamp(o.description, OPTION_TEXT_MAX)) } : {}),
  };
}

export function sshKeyBlocks(d: SshKeyFieldsData): KnownBlock[] {
  const values = d.values ?? {};
  const choices = keyOptions(d.keys, d.mode);
  const warning = values.privateKeyDropped ? `${PRIVATE_KEY_WARNING} ` : '';
  const placeholder = values.keptKey ? 'kept from before: leave empty to use it' : 'ssh-ed25519 AAAA… you@laptop';
  const blocks: KnownBlock[] = [];
  if (!choices) {
    blocks.push(textInput({ block: BLOCK.sshKey, label: d.paste.label, optional: d.paste.optional, placeholder, hint: warning + d.paste.hint }));
  } else {
    const options = choices.options.map(toOption);
    const initial = options.find((o) => o.value === values.sshKeyChoice) ?? options.find((o) => o.value === choices.initial) ?? options[0]!;
    blocks.push(
      {
        type: 'input',
        block_id: BLOCK.sshKeyChoice,
        label: plain('SSH key'),
        element: { type: 'static_select', action_id: INPUT_ACTION, options, initial_option: initial },
        hint: plain(d.keys.saved ? 'Your saved key is set with /gpu key set; /gpu key clear forgets it.' : 'Save your own key with /gpu key set, and the form starts with it.'),
      },
      textInput({
        block: BLOCK.sshKey, label: 'Or paste another key', optional: true, placeholder,
        hint: `${warning}Used instead of the choice above when filled in: one OpenSSH public key (the .pub file).`,
      }),
    );
  }
  const rememberText = d.keys.saved ? 'Make a pasted key my saved key' : 'Remember a pasted key for my next deploys';
  const remember: PlainTextOption = { text: plain(rememberText), value: REMEMBER_KEY };
  blocks.push({
    type: 'input',
    block_id: BLOCK.sshKeyRemember,
    optional: true,
    label: plain('Remember this key'),
    element: { type: 'checkboxes', action_id: INPUT_ACTION, options: [remember], ...(values.rememberKey ? { initial_options: [remember] } : {}) },
    hint: plain('Only a public key is kept. /gpu key shows it, /gpu key clear forgets it.'),
  });
  return blocks;
}
