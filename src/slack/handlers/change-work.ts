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
import type { WorkClaimState } from '../../store/work-claims';
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

/** How long a submission holds its form: a GET and a PUT, each within the Fluence timeout. */
const CHANGE_CLAIM_MS = 5 * 60_000;
/** A form that went through stays claimed this long, so a late resubmit or Slack retry sends nothing. */
const CHANGE_KEEP_MS = 24 * 60 * 60_000;

export type Settled =
  | { first: true; work: Promise<ChangeResult> }
  /** Another submission of this form (on any replica) is running, or went through. */
  | { first: false; state: WorkClaimState }
  /** The claim could not be written (the store did not answer): nothing was sent. */
  | { first: false; state: 'unrecorded' };

/**
 * Runs `start` once per form key, claimed in the store (not in memory: a double click or a Slack
 * retry may reach another replica). A second submission gets `first: false` and the claim's state,
 * so nothing is sent twice. A failed or invalid attempt releases the form: the user fixes it and
 * submits again. A successful one keeps it claimed for a day.
 */
export async function settle(ctx: BotContext, key: string, start: () => Promise<ChangeResult>): Promise<Settled> {
  const claims = ctx.store.workClaims;
  const claimKey = `change:${key}`;
  for (let attempt = 0; ; attempt++) {
    let claim;
    try {
      claim = await claims.claim(claimKey, CHANGE_CLAIM_MS);
    } catch (err) {
      ctx.logger.warn({ err }, 'could not claim an update/rename form; nothing was sent');
      return { first: false, state: 'unrecorded' };
    }
    if (claim) {
      const work = start().then(async (r) => {
        const ended = r.kind === 'ok' ? claims.finish(claim, CHANGE_KEEP_MS) : claims.release(claim);
        // not recorded: the claim still expires by itself (then a resubmit would be sent again)
        await ended.catch((err: unknown) => ctx.logger.warn({ err }, 'could not record the end of an update/rename'));
        return r;
      });
      return { first: true, work };
    }
    const state = await claims.state(claimKey);
    // released between the two reads (the other attempt failed): this one may go ahead
    if (state || attempt >= 2) return { first: false, state: state ?? 'running' };
  }
}
