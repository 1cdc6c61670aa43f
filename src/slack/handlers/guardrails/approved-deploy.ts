/**
 * Sending an approved deploy: exactly once across clicks, replicas and restarts (a work claim on
 * the approval, then the request re-read), on the plan as Fluence offers it now, through the normal
 * DeployService path; the outcome is written in the request's thread and the deploy announced.
 */
import type { WebClient } from '@slack/web-api';
import type { PlanOffer } from '../../../fluence/model';
import { cents, formatUsd } from '../../../services/cost';
import type { DeployInput, DeployOutcome } from '../../../services/deploy';
import { approvalContext } from '../../../services/sealed';
import type { ApprovalRecord } from '../../../store/approvals';
import type { BotContext } from '../../context';
import { sealerFor } from '../../sealer';
import { renderFluenceError } from '../../views/errors';
import { announceDeploy } from '../announce';
import { checkingText } from '../deploy-settle';
import { note, setState } from './approval-thread';

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
export async function actOnce<T>(ctx: BotContext, id: string, act: (a: ApprovalRecord) => Promise<T>): Promise<T | undefined> {
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

export async function deploySealed(ctx: BotContext, client: WebClient, a: ApprovalRecord, decider: string, resumed = false): Promise<void> {
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
