/**
 * The deploy form, opening and re-rendering (the submission is deploy-submit.ts):
 *  1. `/gpu deploy` (or a plan's Deploy button): views.open a loading modal with the trigger at
 *     once (it expires in 3 s), then fetch plans, images and the balance and views.update the form.
 *  2. Type / plan / image-preset selects re-render the form, keeping what was typed.
 *  3. Submit: deploy-submit.ts (where Slack turns into spent money).
 */
import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { WorkloadType } from '../../fluence/workload';
import type { FormState } from '../../services/deploy-form';
import type { BotContext } from '../context';
import { ACTION, VIEW } from '../ids';
import { parseDeployMeta, renderDeployLoading, type DeployModalMeta } from '../views/deploy-modal';
import { forgetKept, valuesForRerender } from './deploy-drafts';
import type { ActionListener, Feature } from './feature';
import type { CommandHandler, SlackActor } from './types';
import { loadModalData, PICKED_CHANNEL, refusalText, showForm } from './deploy-form-view';
import { onSubmit } from './deploy-submit';

// ACK_BUDGET_MS and refusalText are part of this feature's surface for the other handlers.
export { ACK_BUDGET_MS, refusalText } from './deploy-form-view';

// ---- 1. opening --------------------------------------------------------------------------

export interface OpenDeployModalInput {
  client: WebClient;
  triggerId: string;
  actor: SlackActor;
  type?: WorkloadType;
  planId?: string;
  /**
   * From the "Deploy a GPU" shortcut: the form has a channel picker starting on `actor.channelId`
   * (the user's last channel, or '' for none), and the submission takes the channel picked.
   */
  pick?: true;
  /** Preselected in the form with the plan (a plan alert's Deploy button). */
  location?: string;
}

/** Opens the modal first (the trigger dies in 3 s), then fills it in. Throws only if views.open fails. */
export async function openDeployModal(ctx: BotContext, input: OpenDeployModalInput): Promise<void> {
  const type = input.type ?? 'container';
  const meta: Omit<DeployModalMeta, 'v'> = {
    requestId: randomUUID(),
    type,
    ...(input.actor.channelId ? { channelId: input.actor.channelId } : {}),
    ...(input.planId ? { planId: input.planId } : {}),
    ...(input.pick ? { pick: true as const } : {}),
  };
  // Issued before the modal exists: a submission is accepted only for an id recorded here, from this
  // user. A picker form is issued with no channel ('' = PICKED_CHANNEL): its channel is the one picked.
  const issuedChannel = input.pick ? PICKED_CHANNEL : input.actor.channelId;
  await ctx.store.deployModals.issue(meta.requestId, { teamId: input.actor.teamId ?? null, userId: input.actor.userId, channelId: issuedChannel });
  const opened = await input.client.views.open({ trigger_id: input.triggerId, view: renderDeployLoading(meta) });
  const view = opened.view;
  if (!view?.id) return;
  await ctx.store.deployModals.setView(meta.requestId, view.id);
  const data = await loadModalData(ctx, meta, input.location ? { location: input.location } : {}, input.actor.userId);
  await showForm(ctx, input.client, view.id, view.hash, data);
}

const deployCommand: CommandHandler<'deploy'> = async ({ ctx, command, actor, client, triggerId, respond }) => {
  const auth = await ctx.guard.authorize(actor, 'deploy');
  if (!auth.allowed) {
    await respond({ response_type: 'ephemeral', text: refusalText(auth.reason, auth.admins) });
    return;
  }
  await openOrExplain(ctx, { client, triggerId, actor, ...(command.type ? { type: command.type } : {}) }, respond);
};

/** views.open failures (mostly expired_trigger_id) become a hint, not a silent nothing. */
export async function openOrExplain(
  ctx: BotContext,
  input: OpenDeployModalInput,
  respond: ((m: { response_type: 'ephemeral'; text: string }) => Promise<unknown>) | undefined,
): Promise<void> {
  try {
    await openDeployModal(ctx, input);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    ctx.logger.warn({ code }, 'could not open the deploy modal');
    const text =
      code === 'expired_trigger_id' || code === 'exchanged_trigger_id'
        ? '⌛ Slack gave me too little time to open the deploy form (its 3-second window passed). Please run `/gpu deploy` again.'
        : `I could not open the deploy form (${code ?? 'Slack error'}). Please try \`/gpu deploy\` again.`;
    await respond?.({ response_type: 'ephemeral', text });
  }
}

// ---- 2. re-rendering on select ------------------------------------------------------------

const onFormSelect = (ctx: BotContext): ActionListener => async ({ ack, body, client }) => {
  await ack();
  const view = body.view;
  const meta = view ? parseDeployMeta(view.private_metadata ?? '') : undefined;
  if (!view || !meta) return;
  const state = (view.state?.values ?? {}) as FormState;
  const action = body.actions[0];
  let type = meta.type;
  if (action?.action_id === ACTION.deployType && action.type === 'static_select' && action.selected_option) {
    type = action.selected_option.value as WorkloadType;
  }
  // a shortcut form's channel pick: the lease menu follows that channel's policy
  const picked = meta.pick && action?.action_id === ACTION.deployChannel && action.type === 'conversations_select' ? action.selected_conversation : undefined;
  const channel = picked ? { channelId: picked } : {};
  // secrets typed so far stay with the bot, not in the re-rendered view (deploy-drafts.ts)
  const values = type === meta.type ? await valuesForRerender(ctx, meta.requestId, state) : {};
  if (type !== meta.type) await forgetKept(ctx, meta.requestId);
  const data = await loadModalData(ctx, { ...meta, ...channel, type, ...(type === meta.type ? {} : { planId: undefined }) }, values, body.user.id);
  await showForm(ctx, client, view.id, view.hash, data);
};

// ---- wiring -------------------------------------------------------------------------------

export const feature: Feature = {
  name: 'deploy',
  commands: { deploy: deployCommand },
  actions: [
    { actionId: ACTION.deployType, listener: onFormSelect },
    { actionId: ACTION.deployPlanSelect, listener: onFormSelect },
    { actionId: ACTION.deployImagePreset, listener: onFormSelect },
    { actionId: ACTION.deployChannel, listener: onFormSelect },
  ],
  views: [{ callbackId: VIEW.deploy, listener: onSubmit }],
};
