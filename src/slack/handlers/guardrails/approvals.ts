/**
 * Deploys over a spend limit wait for a human: the request is filed (its secrets sealed, never in
 * clear in the database) and posted in the channel with Approve / Deny. An admin who is not the
 * requester decides, checked at the moment of the click; exactly one decision wins (the store's
 * conditional UPDATE); the approved deploy then takes the normal path (DeployService, idempotent
 * on the approval id) and is announced and watched like any other. Everything that happens is
 * written in the request's thread and the audit log. Requests expire after 24 hours (services/approval-expiry.ts).
 */
import type { WebClient } from '@slack/web-api';
import type { PlanOffer } from '../../../fluence/model';
import { cents, formatUsd } from '../../../services/cost';
import type { DeployInput, DeployOutcome } from '../../../services/deploy';
import { expireApprovals } from '../../../services/approval-expiry';
import { approvalContext } from '../../../services/sealed';
import type { ApprovalRecord } from '../../../store/approvals';
import type { NotifyResult, WatchNotifier, WatchTarget } from '../../../watch/notifier';
import type { BotContext } from '../../context';
import { patientNotifier } from '../../patient-notifier';
import { sealerFor } from '../../sealer';
import { SlackWatchNotifier } from '../../watch-notifier';
import { renderFluenceError } from '../../views/errors';
import { offerLabel } from '../../views/deploy-modal';
import { renderApprovalRequest, renderRefusal, renderThreadNote, type ApprovalData, type ApprovalState } from '../../views/guardrails';
import { announceDeploy } from '../announce';
import { checkingText } from '../deploy-settle';
import { reportFailure } from '../failure';
import type { ActionListener } from '../feature';

export const APPROVAL_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Approval requests and their thread notes must arrive: a 429 (the listener client rejects it at
 * once instead of pausing everyone's calls) is waited out and the same message sent again.
 */
function slack(ctx: BotContext, client: WebClient): WatchNotifier {
  return patientNotifier(new SlackWatchNotifier({ client, logger: ctx.logger }));
}

function viewData(ctx: BotContext, a: ApprovalRecord, planLabel?: string): ApprovalData {
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

function target(a: ApprovalRecord): WatchTarget | undefined {
  return a.messageChannelId && a.messageTs
    ? { teamId: a.teamId, channelId: a.messageChannelId, messageTs: a.messageTs, requesterId: a.requesterId }
    : undefined;
}

/** Writes in the request's thread; without a posted message, tells the requester directly. */
async function note(ctx: BotContext, client: WebClient, a: ApprovalRecord, text: string): Promise<NotifyResult> {
  const t = target(a);
  const m = renderThreadNote(text);
  return t ? slack(ctx, client).reply(t, m) : slack(ctx, client).dm(a.requesterId, m);
}

async function setState(ctx: BotContext, client: WebClient, a: ApprovalRecord, state: ApprovalState): Promise<void> {
  const t = target(a);
  if (!t) return;
  // The plan label is not a column: read it back from the sealed request when the key still opens it.
  const opened = sealerFor(ctx).openJson<DeployInput>(a.payload, approvalContext(a.id));
  const label = opened.ok && opened.value.offer ? offerLabel(opened.value.offer) : undefined;
  const r = await slack(ctx, client).updateStatus(t, renderApprovalRequest(viewData(ctx, a, label), state));
  if (!r.ok) ctx.logger.warn({ approvalId: a.id, reason: r.reason }, 'could not update the approval message');
}

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

/**
 * How long acting on an approved deploy holds its claim: the plan re-read, the deploy's POST and
 * the thread notes. A replica killed meanwhile frees it after this (the next start-up resumes it).
 */
const APPROVAL_ACT_CLAIM_MS = 10 * 60_000;

/**
 * Runs `act` on an approved request once across every replica (the click's replica, or one
 * resuming at start-up): the claim, in the store, keeps the others away. `act` gets the request as
 * it is once claimed; undefined (nothing run) when someone else is acting on it, or already did.
 */
async function actOnce<T>(ctx: BotContext, id: string, act: (a: ApprovalRecord) => Promise<T>): Promise<T | undefined> {
  const claim = await ctx.store.workClaims.claim(`approval:${id}`, APPROVAL_ACT_CLAIM_MS);
  if (!claim) return undefined;
  try {
    // read again under the claim: another replica may have acted on it (and wiped it) since it was listed
    const a = await ctx.store.approvals.get(id);
    if (!a || a.state !== 'approved' || !a.payload || a.instanceId) return undefined;
    return await act(a);
  } finally {
    // decided and acted on: the sealed settings (secrets included) are not kept a moment longer
    try {
      await ctx.store.approvals.wipePayload(id);
    } finally {
      await ctx.store.workClaims.release(claim).catch((err: unknown) => ctx.logger.warn({ err, approvalId: id }, 'could not release an approval claim (it expires by itself)'));
    }
  }
}

/**
 * At start-up: an approval decided just before the process stopped (killed between the click and
 * the deploy's claim) was never sent, and its thread said "Deploying…". No claim under its key
 * means no POST ever left, so the approved deploy is sent now, through the same path (price bound
 * to the approval, idempotent on the key). With a claim it was sent: the reconciler settles that
 * one, and the sealed settings are only wiped. Past the request's 24 hours it is not sent.
 * A request another replica is acting on right now is left to it.
 */
export async function resumeApproved(ctx: BotContext, client: WebClient): Promise<number> {
  let resumed = 0;
  for (const listed of await ctx.store.approvals.listApprovedUnsettled()) {
    const sent = await actOnce(ctx, listed.id, async (a) => {
      if (!a.decidedBy || (await ctx.store.deployRequests.get(a.id))) return false;
      if (ctx.now() >= a.expiresAt) {
        await ctx.store.approvals.wipePayload(a.id);
        await setState(ctx, client, a, { kind: 'approved', by: a.decidedBy, failed: 'the bot stopped before sending it, and the request is past its 24 hours.' });
        await note(ctx, client, a, `⌛ This deploy was approved, but the bot stopped before sending it and the request is now past its 24 hours. Nothing was deployed. <@${a.requesterId}>, deploy again to ask anew.`);
        return false;
      }
      ctx.logger.info({ approvalId: a.id }, 'approved deploy never sent (the bot stopped): sending it now');
      await deploySealed(ctx, client, a, a.decidedBy, true);
      return true;
    });
    if (sent) resumed++;
  }
  return resumed;
}

async function deploySealed(ctx: BotContext, client: WebClient, a: ApprovalRecord, decider: string, resumed = false): Promise<void> {
  const opened = sealerFor(ctx).openJson<DeployInput>(a.payload, approvalContext(a.id));
  if (!opened.ok) {
    const why =
      opened.reason === 'key_changed'
        ? 'it was sealed under another key (GPU_BOT_SEAL_KEY changed, or the bot restarted without one), so its settings cannot be read any more'
        : 'its sealed settings are damaged';
    ctx.logger.warn({ approvalId: a.id, reason: opened.reason }, 'approved request cannot be opened');
    await setState(ctx, client, a, { kind: 'unopenable' });
    await note(ctx, client, a, `🔑 <@${decider}> approved this, but ${why}. Nothing was deployed: <@${a.requesterId}>, please deploy again.`);
    return;
  }
  const stored = opened.value;
  ctx.redactor.add(...stored.secrets);
  // The decision was made at the price on the request: re-read the plan, and a higher price needs a new decision.
  const fresh = await currentOffer(ctx, stored);
  if (fresh.kind !== 'ok' || cents(fresh.offer.pricePerHour) > cents(a.pricePerHour)) {
    const why =
      fresh.kind === 'gone'
        ? 'the plan is no longer offered'
        : fresh.kind === 'unknown'
          ? 'I could not read the plan\'s current price from Fluence'
          : `the plan now costs ${formatUsd(fresh.offer.pricePerHour)}/h, more than the ${formatUsd(a.pricePerHour)}/h that was approved`;
    ctx.logger.info({ approvalId: a.id, why: fresh.kind }, 'approved deploy not sent: the price is not the approved one');
    await setState(ctx, client, a, { kind: 'approved', by: decider, failed: `${why}.` });
    await note(ctx, client, a, `✋ <@${decider}> approved this deploy, but ${why}, so nothing was deployed. <@${a.requesterId}>, deploy again to ask for a new decision.`);
    return;
  }
  const input: DeployInput = { ...stored, offer: fresh.offer, requestKey: a.id, approvedBy: decider };
  await setState(ctx, client, a, { kind: 'approved', by: decider });
  await note(
    ctx,
    client,
    a,
    resumed
      ? `🔁 The bot restarted before sending this deploy, approved by <@${decider}> at ${formatUsd(a.pricePerHour)}/h. Deploying \`${a.name}\` for <@${a.requesterId}> now…`
      : `✅ <@${decider}> approved this deploy at ${formatUsd(a.pricePerHour)}/h. Deploying \`${a.name}\` for <@${a.requesterId}>…`,
  );
  const outcome = await ctx.deploys.deploy(input);
  if (outcome.kind === 'maybe_applied') {
    // The reconciler settles it and answers in this thread (the claim's thread until it is announced).
    if (a.messageChannelId && a.messageTs) await ctx.store.deployRequests.setThread(a.id, a.messageChannelId, a.messageTs);
    await note(ctx, client, a, `⏳ ${checkingText(outcome, 'this thread')}`);
    return;
  }
  if (outcome.kind === 'deployed' || (outcome.kind === 'duplicate' && outcome.instanceId)) {
    const instanceId = outcome.instanceId!;
    const first = await ctx.store.approvals.markDeployed(a.id, instanceId);
    await setState(ctx, client, a, { kind: 'approved', by: decider, instanceId });
    if (outcome.kind === 'deployed' && first) {
      await note(ctx, client, a, `🚀 Deployed \`${a.name}\` (id \`${instanceId}\`). <@${a.requesterId}>, I will post its status in <#${a.channelId}> and reply when it is ready.`);
      await announceDeploy(ctx, { client, input, instanceId });
    }
    return;
  }
  const failure = describeFailure(ctx, outcome);
  await setState(ctx, client, a, { kind: 'approved', by: decider, failed: failure });
  await note(ctx, client, a, `❌ The approved deploy of \`${a.name}\` did not go through: ${failure} <@${a.requesterId}>`);
}

function describeFailure(ctx: BotContext, outcome: Exclude<DeployOutcome, { kind: 'deployed' }>): string {
  switch (outcome.kind) {
    case 'duplicate':
      return 'it is already being deployed; I will not deploy it twice.';
    case 'refused':
      return `the requester may no longer deploy (${outcome.reason})`;
    case 'unaffordable':
      return outcome.reason;
    case 'name_pending':
      return `another deploy named \`${outcome.name}\` is still being confirmed with Fluence, so this one was not sent.`;
    case 'needs_approval':
      return outcome.reasons.join(' ');
    case 'failed':
      return ctx.redactor.mask(renderFluenceError(outcome.error, { action: 'deploy it' }).text);
    case 'maybe_applied':
      return 'its outcome is not known yet; I am checking.';
    case 'not_recorded':
      return "I could not record it (the bot's database is busy), so nothing was sent. Nothing was charged.";
  }
}

/** The plan as Fluence offers it now (fresh, not cached). */
async function currentOffer(ctx: BotContext, stored: DeployInput): Promise<{ kind: 'ok'; offer: PlanOffer } | { kind: 'gone' } | { kind: 'unknown' }> {
  try {
    const offer = (await ctx.plans.offers(stored.type, 0)).find((o) => o.planId === stored.offer.planId);
    return offer ? { kind: 'ok', offer } : { kind: 'gone' };
  } catch (err) {
    ctx.logger.warn({ err }, 'could not re-read the plan of an approved deploy');
    return { kind: 'unknown' };
  }
}

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
