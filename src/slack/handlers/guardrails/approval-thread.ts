/**
 * Writing about an approval request: its channel message (edited to show its state) and its thread
 * notes, patient with Slack's 429s. Shared by filing/deciding (approvals.ts) and sending the approved
 * deploy (approved-deploy.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { DeployInput } from '../../../services/deploy';
import { approvalContext } from '../../../services/sealed';
import type { ApprovalRecord } from '../../../store/approvals';
import type { NotifyResult, WatchNotifier, WatchTarget } from '../../../watch/notifier';
import type { BotContext } from '../../context';
import { patientNotifier } from '../../patient-notifier';
import { sealerFor } from '../../sealer';
import { SlackWatchNotifier } from '../../watch-notifier';
import { offerLabel } from '../../views/deploy-modal';
import { renderApprovalRequest, renderThreadNote, type ApprovalData, type ApprovalState } from '../../views/guardrails';

/**
 * Approval requests and their thread notes must arrive: a 429 (the listener client rejects it at
 * once instead of pausing everyone's calls) is waited out and the same message sent again.
 */
export function slack(ctx: BotContext, client: WebClient): WatchNotifier {
  return patientNotifier(new SlackWatchNotifier({ client, logger: ctx.logger }));
}

export function viewData(ctx: BotContext, a: ApprovalRecord, planLabel?: string): ApprovalData {
  return {
    id: a.id,
    requesterId: a.requesterId,
    name: a.name,
    type: a.type,
    planLabel: planLabel ?? a.planId,
    pricePerHour: a.pricePerHour,
    reasons: a.reason.split('\n').filter(Boolean),
    expiresAt: a.expiresAt,
    sandbox: ctx.sandbox,
  };
}

export function target(a: ApprovalRecord): WatchTarget | undefined {
  return a.messageChannelId && a.messageTs
    ? { teamId: a.teamId, channelId: a.messageChannelId, messageTs: a.messageTs, requesterId: a.requesterId }
    : undefined;
}

/** Writes in the request's thread; without a posted message, tells the requester directly. */
export async function note(ctx: BotContext, client: WebClient, a: ApprovalRecord, text: string): Promise<NotifyResult> {
  const t = target(a);
  const m = renderThreadNote(text);
  return t ? slack(ctx, client).reply(t, m) : slack(ctx, client).dm(a.requesterId, m);
}

export async function setState(ctx: BotContext, client: WebClient, a: ApprovalRecord, state: ApprovalState): Promise<void> {
  const t = target(a);
  if (!t) return;
  // The plan label is not a column: read it back from the sealed request when the key still opens it.
  const opened = sealerFor(ctx).openJson<DeployInput>(a.payload, approvalContext(a.id));
  const label = opened.ok && opened.value.offer ? offerLabel(opened.value.offer) : undefined;
  const r = await slack(ctx, client).updateStatus(t, renderApprovalRequest(viewData(ctx, a, label), state));
  if (!r.ok) ctx.logger.warn({ approvalId: a.id, reason: r.reason }, 'could not update the approval message');
}
