/**
 * Deploys over a spend limit wait for a human: the request is filed (its secrets sealed, never in
 * clear in the database) and posted in the channel with Approve / Deny. An admin who is not the
 * requester decides, checked at the moment of the click; exactly one decision wins (the store's
 * conditional UPDATE); the approved deploy then takes the normal path (DeployService, idempotent
 * on the approval id) and is announced and watched like any other. Everything that happens is
 * written in the request's thread and the audit log. Requests expire after 24 hours (services/approval-expiry.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { DeployInput } from '../../../services/deploy';
import { expireApprovals } from '../../../services/approval-expiry';
import { approvalContext } from '../../../services/sealed';
import type { ApprovalRecord } from '../../../store/approvals';
import type { BotContext } from '../../context';
import { sealerFor } from '../../sealer';
import { offerLabel } from '../../views/deploy-modal';
import { renderApprovalRequest, renderRefusal, renderThreadNote } from '../../views/guardrails';
import { reportFailure } from '../failure';
import type { ActionListener } from '../feature';
import { note, setState, slack, viewData } from './approval-thread';
import { actOnce, deploySealed } from './approved-deploy';

export { resumeApproved } from './approved-deploy';

export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

// ---- filing a request ---------------------------------------------------------------------

/**
 * Where a request is posted: the channel the deploy came from, so the team sees it. A DM with the
 * bot has no admin in it (and Approve/Deny there would be seen by the requester alone), so those go
 * to APPROVALS_CHANNEL, else AUDIT_CHANNEL; with neither, the deploy cannot be approved at all.
 */
export function approvalChannel(ctx: BotContext, actor: { userId: string; channelId: string }): { channel: string } | { refused: string } {
  const direct = actor.channelId.startsWith('D') || actor.channelId === actor.userId;
  if (!direct) return { channel: actor.channelId };
  const channel = ctx.config.APPROVALS_CHANNEL ?? ctx.config.AUDIT_CHANNEL;
  if (channel) return { channel };
  return {
    refused:
      '⛔ This deploy needs an admin\'s approval, and requests from a direct message go to an approvals channel, but none is configured ' +
      '(APPROVALS_CHANNEL or AUDIT_CHANNEL). Nothing was deployed or filed: deploy from a channel the bot is in, or ask an admin to set one.',
  };
}

export interface RequestApprovalInput {
  client: WebClient;
  input: DeployInput;
  reasons: string[];
}

/**
 * Files the deploy as a pending approval (payload sealed) and posts the request in the channel it
 * came from. Idempotent on the modal's request key: a retried submission finds the filed request.
 */
export async function requestApproval(ctx: BotContext, o: RequestApprovalInput): Promise<{ approvalId: string; posted: boolean }> {
  const { input, client } = o;
  const approvalId = input.requestKey;
  const existing = await ctx.store.approvals.get(approvalId);
  if (existing) return { approvalId, posted: existing.messageTs !== null };
  const where = approvalChannel(ctx, input.actor);
  if ('refused' in where) {
    await ctx.deploys.audit(input, 'refused', 'approval needed, but no approvals channel for a deploy from a DM');
    await slack(ctx, client).dm(input.actor.userId, renderThreadNote(where.refused));
    return { approvalId, posted: false };
  }

  const record = await ctx.store.approvals.create({
    id: approvalId,
    teamId: input.actor.teamId ?? null,
    channelId: input.actor.channelId,
    requesterId: input.actor.userId,
    type: input.type,
    planId: input.offer.planId,
    name: input.request.name,
    pricePerHour: input.offer.pricePerHour,
    reason: o.reasons.join('\n'),
    payload: sealerFor(ctx).sealJson(input, approvalContext(approvalId)),
    expiresAt: ctx.now() + APPROVAL_TTL_MS,
  });
  await ctx.deploys.audit(input, 'pending', `approval requested: ${o.reasons.join(' ')}`);

  const view = renderApprovalRequest(viewData(ctx, record, offerLabel(input.offer)));
  const notifier = slack(ctx, client);
  let posted = await notifier.post(where.channel, view);
  const audit = ctx.config.AUDIT_CHANNEL;
  if (!posted.ok && posted.reason === 'not_in_channel' && audit && audit !== where.channel) {
    posted = await notifier.post(audit, view);
  }
  if (posted.ok && posted.ts) {
    await ctx.store.approvals.setMessage(approvalId, posted.channel ?? where.channel, posted.ts);
    ctx.logger.info({ approvalId, channel: posted.channel }, 'deploy approval requested');
    return { approvalId, posted: true };
  }
  ctx.logger.warn({ approvalId, reason: posted.ok ? 'no ts' : posted.reason }, 'could not post the approval request');
  await notifier.dm(
    input.actor.userId,
    renderThreadNote(
      `Your deploy of \`${input.request.name}\` needs an admin's approval, but I could not post the request in <#${where.channel}>. ` +
        'Invite me there with `/invite @gpu-bot` and deploy again.',
    ),
  );
  return { approvalId, posted: false };
}

// ---- deciding -----------------------------------------------------------------------------

const decide = (decision: 'approved' | 'denied') => (ctx: BotContext): ActionListener => async ({ ack, body, action, client, respond }) => {
  await ack();
  const say = async (text: string) => {
    await respond({ response_type: 'ephemeral', replace_original: false, text }).catch((err) =>
      ctx.logger.warn({ err }, 'could not answer an approval click'),
    );
  };
  try {
    const id = action.type === 'button' ? action.value : undefined;
    const approval = id ? await ctx.store.approvals.get(id) : undefined;
    if (!approval) {
      await say('I have no record of this deploy request (it may be from another installation of gpu-bot).');
      return;
    }
    const decider = body.user.id;
    const actor = { userId: decider, channelId: body.channel?.id ?? approval.channelId };
    const verb = decision === 'approved' ? 'approve' : 'deny';
    const auth = await ctx.guard.authorize(actor, 'approve');
    if (!auth.allowed) {
      await audit(ctx, approval, decider, verb, 'refused', auth.reason);
      const v = renderRefusal(auth);
      await respond({ response_type: 'ephemeral', replace_original: false, text: v.text, blocks: v.blocks });
      return;
    }
    if (decider === approval.requesterId) {
      await audit(ctx, approval, decider, verb, 'refused', 'self-approval');
      await say(`⛔ You asked for this deploy, so you cannot ${verb} it yourself: another admin must decide.`);
      return;
    }
    const result = await ctx.store.approvals.decide(approval.id, { decision, by: decider, at: ctx.now() });
    if ('error' in result) {
      if (result.error === 'expired') {
        await expireNow(ctx);
        await say('⌛ This request expired (24 hours passed without a decision). Nothing was deployed; the requester can deploy again.');
      } else if (result.error === 'not_pending') {
        const now = await ctx.store.approvals.get(approval.id);
        await say(`This request was already ${now?.state ?? 'decided'}${now?.decidedBy ? ` by <@${now.decidedBy}>` : ''}. Nothing more was done.`);
      } else {
        await say('I have no record of this deploy request.');
      }
      return;
    }
    await audit(ctx, result, decider, verb, 'ok');
    if (decision === 'denied') {
      await setState(ctx, client, result, { kind: 'denied', by: decider });
      await note(ctx, client, result, `🚫 <@${decider}> denied this deploy. Nothing was deployed.`);
      await slack(ctx, client).dm(
        result.requesterId,
        renderThreadNote(`🚫 <@${decider}> denied your deploy of \`${result.name}\` ($${result.pricePerHour.toFixed(2)}/h). Nothing was deployed.`),
      );
      return;
    }
    await actOnce(ctx, result.id, (a) => deploySealed(ctx, client, a, decider));
  } catch (err) {
    await reportFailure(ctx, respond, err, decision === 'approved' ? 'approving the deploy' : 'denying the deploy');
  }
};

export const onApprove = decide('approved');
export const onDeny = decide('denied');

function audit(ctx: BotContext, a: ApprovalRecord, by: string, action: 'approve' | 'deny', outcome: 'ok' | 'refused', detail?: string): Promise<void> {
  return ctx.guard.audit({
    actorId: by,
    channelId: a.channelId,
    action,
    type: a.type,
    instanceName: a.name,
    pricePerHour: a.pricePerHour,
    outcome,
    detail: `request by <@${a.requesterId}>${detail ? `: ${detail}` : ''}`,
  });
}

// ---- expiry -------------------------------------------------------------------------------

/**
 * A late click found its request expired: close every overdue request now (services/approval-expiry.ts
 * claims their message edits and thread notes in the outbox) and deliver them at once, so the message
 * says "expired" by the time the clicker reads the answer. The scheduler's job does the same every minute.
 */
async function expireNow(ctx: BotContext): Promise<void> {
  for (const a of await expireApprovals(ctx.store, ctx.now())) ctx.logger.info({ approvalId: a.id }, 'deploy approval expired');
  await ctx.outbox.deliverNow();
}
