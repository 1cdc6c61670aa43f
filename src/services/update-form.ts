/**
 * The container update ("Redeploy") and rename forms as data: modal state in, a request the API
 * will accept (or one error per field) out. The fields they share with the deploy form are read
 * by deploy-form.ts (readContainerSettings), so a rule is checked the same way everywhere.
 */
import * as rules from '../fluence/rules';
import type { UpdateContainerRequest } from '../fluence/schemas';
import { BLOCK, type BlockId } from '../slack/ids';
import { readContainerSettings, textOf, type FieldErrors, type FormState } from './deploy-form';
import { instanceNameProblem } from './form-fields';

export type UpdateFormResult =
  | { ok: true; request: UpdateContainerRequest; secrets: string[] }
  | { ok: false; errors: FieldErrors };

/** Blocks the update modal has; API errors on anything else land on the name field. */
export const UPDATE_FORM_BLOCKS: readonly BlockId[] = [
  BLOCK.name, BLOCK.image, BLOCK.env, BLOCK.startup, BLOCK.registryUser, BLOCK.registryPassword, BLOCK.sshKey,
];

export function readUpdateForm(
  state: FormState,
  current: { name?: string; container?: { environment: ReadonlyArray<{ name: string; value: string }> } },
): UpdateFormResult {
  const errors: FieldErrors = {};
  const name = textOf(state, BLOCK.name);
  const nameError = instanceNameProblem(name, current.name);
  if (nameError) errors[BLOCK.name] = nameError;
  const sshKey = textOf(state, BLOCK.sshKey);
  const settings = readContainerSettings(state, errors, sshKey, { mergeEnv: current.container?.environment ?? [] });
  if (sshKey) {
    const keyError = rules.sshKeyProblem(sshKey);
    if (keyError) errors[BLOCK.sshKey] = keyError;
  }
  if (!settings || Object.keys(errors).length) return { ok: false, errors };
  // The current key lives in SSH_PUBKEY (injected from ssh_key at deploy). A full replacement
  // without it would lock the user out, so an empty key field keeps the current key.
  const currentKey = current.container?.environment.find((e) => e.name === rules.RESERVED_SSH_ENV)?.value;
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
  };
}

/** The rename modal's one field. */
export function readRenameForm(state: FormState): { ok: true; name: string } | { ok: false; errors: FieldErrors } {
  const name = textOf(state, BLOCK.name);
  const problem = instanceNameProblem(name);
  return problem ? { ok: false, errors: { [BLOCK.name]: problem } } : { ok: true, name };
}
