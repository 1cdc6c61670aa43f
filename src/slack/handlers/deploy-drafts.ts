/**
 * The deploy form's secret values across re-renders (services/form-secrets.ts): when the form is
 * shown again, its secrets are sealed into the store under the modal's request id instead of
 * going back to Slack, and the submission takes them from there. Drafts live an hour and are
 * deleted once the form has done its work.
 */
import type { KeptSecrets } from '../../services/form-secrets';
import { hasKept, withholdSecrets } from '../../services/form-secrets';
import { deployFormValues, type DeployFormValues, type FormState } from '../../services/deploy-form';
import { formDraftContext } from '../../services/sealed';
import type { BotContext } from '../context';
import { BLOCK } from '../ids';
import { sealerFor } from '../sealer';

/** How long kept secrets wait for the form to be submitted again. */
export const FORM_DRAFT_TTL_MS = 60 * 60_000;

/** The form's values for a re-render, secrets left out (and kept sealed under `requestId`). */
export async function valuesForRerender(ctx: BotContext, requestId: string, state: FormState): Promise<DeployFormValues> {
  const values = deployFormValues(state);
  // the password as typed (spaces are part of it); Slack sends it with the state, never as a value we render
  const password = Object.values(state[BLOCK.registryPassword] ?? {})[0]?.value ?? undefined;
  const { env, kept, privateKeyDropped } = withholdSecrets({ env: values.env, sshKey: values.sshKey, registryPassword: password }, await keptSecrets(ctx, requestId));
  if (hasKept(kept)) {
    await ctx.store.formDrafts.put(requestId, sealerFor(ctx).sealJson(kept, formDraftContext(requestId)), Date.now() + FORM_DRAFT_TTL_MS);
  } else {
    await ctx.store.formDrafts.delete(requestId);
  }
  const { sshKey: _shownNever, env: _typed, ...rest } = values;
  return {
    ...rest,
    ...(env !== undefined ? { env } : {}),
    ...(privateKeyDropped ? { privateKeyDropped } : {}),
    ...(hasKept(kept)
      ? { kept: { env: Object.keys(kept.env).length > 0, registryPassword: Boolean(kept.registryPassword), sshKey: Boolean(kept.sshKey) } }
      : {}),
  };
}

/** The secrets kept for this form, if any (none once expired, or sealed under another key). */
export async function keptSecrets(ctx: BotContext, requestId: string): Promise<KeptSecrets | undefined> {
  const sealed = await ctx.store.formDrafts.get(requestId);
  if (!sealed) return undefined;
  const opened = sealerFor(ctx).openJson<KeptSecrets>(sealed, formDraftContext(requestId));
  return opened.ok ? opened.value : undefined;
}

export async function forgetKept(ctx: BotContext, requestId: string): Promise<void> {
  await ctx.store.formDrafts.delete(requestId);
}
