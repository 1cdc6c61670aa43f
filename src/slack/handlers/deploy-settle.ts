/**
 * What the user hears when the reconciler (services/reconciler.ts) settles a deploy whose outcome
 * was unclear: an adopted deploy is announced and watched through announce.ts, exactly like one
 * that answered at once (and an approved request's thread says so); one Fluence never created is
 * reported where the user was told "I am checking" (the approval thread, else the channel, else a DM).
 */
import type { InstanceSummary } from '../../fluence/model';
import type { DeployOutcome } from '../../services/deploy';
import type { DeployRequestRecord } from '../../store/deploy-requests';
import type { BotContext } from '../context';
import { escapeMrkdwn } from '../views/format';
import { renderThreadNote } from '../views/guardrails';
import { announceDeploy, announcedFromClaim } from './announce';

async function audit(ctx: BotContext, c: DeployRequestRecord, outcome: 'ok' | 'error', detail: string, instanceId?: string): Promise<void> {
  try {
    await ctx.guard.audit({
      actorId: c.userId,
      channelId: c.channelId,
      action: 'deploy',
      type: c.type,
      instanceName: c.name,
      pricePerHour: c.pricePerHour,
      outcome,
      detail,
      ...(instanceId ? { instanceId } : {}),
    });
  } catch (err) {
    ctx.logger.warn({ err }, 'could not write the deploy audit row');
  }
}

export async function announceAdopted(ctx: BotContext, claim: DeployRequestRecord, instance: InstanceSummary | { id: string }): Promise<void> {
  await audit(ctx, claim, 'ok', 'found at Fluence after an unclear answer', instance.id);
  const approval = await ctx.store.approvals.get(claim.key);
  if (approval && await ctx.store.approvals.markDeployed(claim.key, instance.id) && approval.messageChannelId && approval.messageTs) {
    await ctx.notifier.reply(
      { teamId: approval.teamId, channelId: approval.messageChannelId, messageTs: approval.messageTs, requesterId: approval.requesterId },
      renderThreadNote(`🚀 It went through: \`${escapeMrkdwn(claim.name)}\` is deployed (id \`${instance.id}\`). <@${claim.userId}>, I will post its status in <#${claim.channelId}>.`),
    );
  }
  await announceDeploy(ctx, { input: announcedFromClaim(claim), instanceId: instance.id });
}

export async function reportAbandoned(ctx: BotContext, claim: DeployRequestRecord): Promise<void> {
  await audit(ctx, claim, 'error', 'not found at Fluence after the grace period');
  const text =
    `❌ <@${claim.userId}>, your deploy of \`${escapeMrkdwn(claim.name)}\` did not go through: Fluence's answer was unclear, ` +
    'and its instance list never showed it. Nothing is running for it, so nothing is charged. Deploy again when you are ready.';
  const note = renderThreadNote(text);
  let sent = claim.threadChannelId && claim.threadTs
    ? await ctx.notifier.reply({ teamId: claim.teamId, channelId: claim.threadChannelId, messageTs: claim.threadTs, requesterId: claim.userId }, note)
    : await ctx.notifier.post(claim.channelId, note);
  if (!sent.ok) sent = await ctx.notifier.dm(claim.userId, note);
  if (!sent.ok) ctx.logger.warn({ key: claim.key, reason: sent.reason }, 'could not tell the user their unclear deploy failed');
}

/** The one sentence for a deploy whose outcome is not known yet (also used by the approval thread). */
export function checkingText(outcome: Extract<DeployOutcome, { kind: 'maybe_applied' }>, where: string): string {
  const why = outcome.instanceId
    ? `Fluence accepted it (id \`${outcome.instanceId}\`), but I could not record it yet`
    : `Fluence did not give a clear answer${outcome.error?.details.status ? ` (HTTP ${outcome.error.details.status})` : ''}, so it may have gone through`;
  return `${why}. I am checking and will reply in ${where} either way. Do not deploy it again meanwhile: it would not be deployed twice from this form, but a new form would.`;
}
