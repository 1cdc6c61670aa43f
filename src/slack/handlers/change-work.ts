/**
 * The Fluence side of an update / rename submission, kept apart from the Slack plumbing in
 * change.ts: what the user typed that must be masked, the work itself (never rejects: every
 * outcome is a value the listener renders), and the once-per-form guard against double submits.
 */
import type { InstanceDetail } from '../../fluence/model';
import type { WorkloadType } from '../../fluence/workload';
import type { FieldErrors, FormState } from '../../services/deploy-form';
import { secretEnvValues } from '../../services/form-secrets';
import { readUpdateForm } from '../../services/update-form';
import { NO_KEY_SOURCES, type KeySources } from '../../services/ssh-key-choice';
import type { PublicKey } from '../../services/ssh-keys';
import type { BotContext } from '../context';
import { BLOCK } from '../ids';

export type ChangeResult =
  /** `rememberKey`: a pasted key to save as the user's ("remember this key" ticked). */
  | { kind: 'ok'; name: string; instance?: InstanceDetail; rememberKey?: PublicKey }
  | { kind: 'invalid'; errors: FieldErrors; instance?: InstanceDetail }
  | { kind: 'failed'; error: unknown; instance?: InstanceDetail };

/**
 * The secret values typed into the environment (form-secrets.ts) and the registry password field, valid or not, so the
 * redactor knows them before anything (a log line, an error echoing the input) can carry them.
 */
export function typedSecrets(state: FormState): string[] {
  const first = (block: string) => {
    const entries = Object.values(state[block] ?? {});
    const v = entries[0]?.value;
    return typeof v === 'string' ? v : '';
  };
  return [...secretEnvValues(first(BLOCK.env)), first(BLOCK.registryPassword)].filter((s) => s.trim().length > 0);
}

/** Reads the current settings (env values left empty keep theirs), validates, PUTs. */
/** `keys`: the saved and account keys the form offered (its key select). */
export async function runUpdate(ctx: BotContext, id: string, state: FormState, keys: KeySources = NO_KEY_SOURCES): Promise<ChangeResult> {
  let instance: InstanceDetail | undefined;
  try {
    instance = await ctx.fluence.getInstance('container', id);
    const form = readUpdateForm(state, instance, keys);
    if (!form.ok) return { kind: 'invalid', errors: form.errors, instance };
    ctx.redactor.add(...form.secrets);
    await ctx.fluence.updateContainer(id, form.request);
    return { kind: 'ok', name: form.request.name, instance, ...(form.rememberKey ? { rememberKey: form.rememberKey } : {}) };
  } catch (error) {
    return { kind: 'failed', error, ...(instance ? { instance } : {}) };
  }
}

export async function runRename(ctx: BotContext, type: WorkloadType, id: string, name: string): Promise<ChangeResult> {
  try {
    await ctx.fluence.renameInstance(type, id, name);
    return { kind: 'ok', name };
  } catch (error) {
    return { kind: 'failed', error };
  }
}

/** Forms remembered per running bot; a successful one is kept (bounded) so a resubmit is a no-op. */
const MAX_REMEMBERED = 500;
const submitted = new WeakMap<BotContext, Map<string, Promise<ChangeResult>>>();

/**
 * Runs `start` once per form key. A second submission of the same form (double click, Slack
 * retry) gets the first one's promise and `first: false`, so nothing is sent twice. A failed or
 * invalid attempt is forgotten: the user fixes the form and submits again.
 */
export function settle(ctx: BotContext, key: string, start: () => Promise<ChangeResult>): { work: Promise<ChangeResult>; first: boolean } {
  let forms = submitted.get(ctx);
  if (!forms) submitted.set(ctx, (forms = new Map()));
  const existing = forms.get(key);
  if (existing) return { work: existing, first: false };
  const work = start();
  forms.set(key, work);
  const known = forms;
  void work.then((r) => {
    if (r.kind !== 'ok') known.delete(key);
    while (known.size > MAX_REMEMBERED) {
      const oldest = known.keys().next().value;
      if (oldest === undefined) break;
      known.delete(oldest);
    }
  });
  return { work, first: true };
}
