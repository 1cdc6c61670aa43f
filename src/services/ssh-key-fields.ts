/**
 * The SSH key fields of the deploy and update forms read from the modal state: the key select
 * (saved key, account keys, paste another), the paste field and "remember this key". The choice
 * itself is ssh-key-choice.ts. Pure.
 */
import { BLOCK } from './form-ids';
import { checkedOf, selectedOf, textOf, type FieldErrors, type FormState } from './form-state';
import { resolveKey, type KeyFormMode, type KeyResolution, type KeySources } from './ssh-key-choice';

/** Value of the "remember this key" checkbox. */
export const REMEMBER_KEY = 'remember';

/**
 * The SSH key fields of a form (the key select, the paste field, "remember this key") resolved to
 * the key to send; an error goes under the field it is about. `kept`: the key the bot kept when
 * it re-rendered the form (an empty paste field then means that one).
 */
export function readKeyFields(state: FormState, sources: KeySources, mode: KeyFormMode, kept?: string): { resolved: KeyResolution; errors: FieldErrors } {
  const resolved = resolveKey(
    { choice: selectedOf(state, BLOCK.sshKeyChoice), pasted: textOf(state, BLOCK.sshKey) || kept || '', remember: checkedOf(state, BLOCK.sshKeyRemember).includes(REMEMBER_KEY) },
    sources,
    mode,
  );
  if (resolved.ok) return { resolved, errors: {} };
  return { resolved, errors: { [resolved.field === 'choice' ? BLOCK.sshKeyChoice : BLOCK.sshKey]: resolved.error } };
}
