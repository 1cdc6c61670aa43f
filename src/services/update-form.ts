/**
 * The container update ("Redeploy") and rename forms as data: modal state in, a request the API
 * will accept (or one error per field) out. The fields they share with the deploy form are read
 * by deploy-form.ts (readContainerSettings), so a rule is checked the same way everywhere.
 */
import * as rules from '../fluence/rules';
import type { UpdateContainerRequest } from '../fluence/schemas';
import { BLOCK, type BlockId } from './form-ids';
import { readContainerSettings, textOf, type FieldErrors, type FormState } from './deploy-form';
import { instanceNameProblem } from './form-fields';
import { NO_KEY_SOURCES, type KeySources } from './ssh-key-choice';
import { readKeyFields } from './ssh-key-fields';
import type { PublicKey } from './ssh-keys';

export type UpdateFormResult =
  | { ok: true; request: UpdateContainerRequest; secrets: string[]; rememberKey?: PublicKey }
  | { ok: false; errors: FieldErrors };

/** Blocks the update modal has; API errors on anything else land on the name field. */
export const UPDATE_FORM_BLOCKS: readonly BlockId[] = [
  BLOCK.name, BLOCK.image, BLOCK.env, BLOCK.startup, BLOCK.registryUser, BLOCK.registryPassword, BLOCK.sshKey,
];

/** The key the instance has now: Fluence keeps it in SSH_PUBKEY (injected from ssh_key at deploy). */
export function currentKeyOf(current: { container?: { environment: ReadonlyArray<{ name: string; value: string }> } }): string | undefined {
  return current.container?.environment.find((e) => e.name === rules.RESERVED_SSH_ENV)?.value || undefined;
}

/** `keys`: the saved and account keys the form offered (ssh-key-choice.ts). */
export function readUpdateForm(
  state: FormState,
  current: { name?: string; container?: { environment: ReadonlyArray<{ name: string; value: string }> } },
  keys: KeySources = NO_KEY_SOURCES,
): UpdateFormResult {
  const errors: FieldErrors = {};
  const name = textOf(state, BLOCK.name);
  const nameError = instanceNameProblem(name, current.name);
  if (nameError) errors[BLOCK.name] = nameError;
  const currentKey = currentKeyOf(current);
  const keyRead = readKeyFields(state, keys, { form: 'update', required: false, hasCurrentKey: Boolean(currentKey) });
  Object.assign(errors, keyRead.errors);
  const sshKey = keyRead.resolved.ok ? (keyRead.resolved.key?.text ?? '') : '';
  const settings = readContainerSettings(state, errors, sshKey, { mergeEnv: current.container?.environment ?? [] });
  if (!settings || Object.keys(errors).length) return { ok: false, errors };
  // A full replacement without the current key would lock the user out, so keeping (or an empty
  // key field with no choice made) sends the current key again.
  const userSetsEnvKey = settings.env.some((e) => e.name === rules.RESERVED_SSH_ENV);
  const keyToSend = sshKey || (userSetsEnvKey ? '' : (currentKey ?? ''));
  return {
    ok: true,
    request: {
      name,
      container_settings: {
        image: settings.image,
        // full replacement (API.md §4.4): an empty list says "no variables" explicitly
        environment: keyToSend ? settings.env.filter((e) => e.name !== rules.RESERVED_SSH_ENV) : settings.env,
        ...(settings.startup ? { startup_command: settings.startup } : {}),
        ...(settings.credentials ? { credentials: settings.credentials } : {}),
      },
      ...(keyToSend ? { ssh_key: keyToSend } : {}),
    },
    secrets: settings.secrets,
    ...(keyRead.resolved.ok && keyRead.resolved.remember ? { rememberKey: keyRead.resolved.remember } : {}),
  };
}

/** The rename modal's one field. */
export function readRenameForm(state: FormState): { ok: true; name: string } | { ok: false; errors: FieldErrors } {
  const name = textOf(state, BLOCK.name);
  const problem = instanceNameProblem(name);
  return problem ? { ok: false, errors: { [BLOCK.name]: problem } } : { ok: true, name };
}
