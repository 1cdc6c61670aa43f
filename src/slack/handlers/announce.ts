/**
 * The last step of a deploy (handlers/deploy.ts and approved requests in guardrails/approvals.ts):
 * the channel message that becomes the instance's thread and living status, and the watch.
 */
import type { WebClient } from '@slack/web-api';
import type { WorkloadType } from '../../fluence/workload';
import type { DeployInput } from '../../services/deploy';
import { ANNOUNCE_CLAIM_MS, ANNOUNCE_KEEP_MS, DEPLOY_ANNOUNCE } from '../../services/reconciler';
import type { DeployRequestRecord } from '../../store/deploy-requests';
import type { NotifyResult } from '../../watch/notifier';
import type { BotContext } from '../context';
import { withBusyRetry } from '../../store/db';
import { planLabel } from '../views/deploy-modal';
import { renderInstanceStatusMessage } from '../views/status-message';

/** What an announcement needs: a fresh deploy's input, or a claim the reconciler adopted later. */
export interface AnnouncedDeploy {
  requestKey: string;
  actor: { userId: string; channelId: string; teamId?: string | null };
  type: WorkloadType;
  name: string;
  planLabel: string;
  pricePerHour: number;
  /** The announcement a process already posted before it died (unwatched): reused, not posted again. */
  posted?: { channelId: string; ts: string };
}

export function announcedFromInput(input: DeployInput): AnnouncedDeploy {
  return {
    requestKey: input.requestKey,
    actor: input.actor,
    type: input.type,
    name: input.request.name,
    planLabel: input.planLabel ?? planLabel(input.offer),
    pricePerHour: input.offer.pricePerHour,
  };
}

export function announcedFromClaim(c: DeployRequestRecord): AnnouncedDeploy {
  return {
    requestKey: c.key,
    actor: { userId: c.userId, channelId: c.channelId, teamId: c.teamId },
    type: c.type,
    name: c.name,
    planLabel: c.planLabel ?? c.planId,
    pricePerHour: c.pricePerHour ?? 0,
    ...(c.threadChannelId && c.threadTs ? { posted: { channelId: c.threadChannelId, ts: c.threadTs } } : {}),
  };
}

/**
 * Posts "`name` is being deployed by @user: plan, price" where the deploy started (a DM when the bot
 * cannot post there), then watches the instance: that message becomes its thread and living status.
 */
export async function announceDeploy(ctx: BotContext, o: { client?: WebClient; input: DeployInput | AnnouncedDeploy; instanceId: string }): Promise<void> {
  const input = 'request' in o.input ? announcedFromInput(o.input) : o.input;
  // Once per deploy, on whichever replica gets here first: the live path, or a reconciler finding a
  // deploy whose process died before its watch was written. A claim the store cannot write does not
  // stop the announcement (an unwatched instance costs more than a second message).
  const claim = await ctx.store.workClaims.claim(DEPLOY_ANNOUNCE + input.requestKey, ANNOUNCE_CLAIM_MS).catch((err: unknown) => {
    ctx.logger.warn({ err, instanceId: o.instanceId }, 'could not claim the deploy announcement; announcing anyway');
    return null;
  });
  if (claim === undefined) return;
  const plan = input.planLabel;
  const message = renderInstanceStatusMessage({
    name: input.name,
    type: input.type,
    requesterId: input.actor.userId,
    planLabel: plan,
    pricePerHour: input.pricePerHour,
    status: 'INITIALIZED',
    state: 'provisioning',
    sandbox: ctx.sandbox,
    updatedAt: ctx.now(),
  });
  let target: NotifyResult = input.posted ? { ok: true, channel: input.posted.channelId, ts: input.posted.ts } : await ctx.notifier.post(input.actor.channelId, message);
  if (!target.ok && target.reason === 'not_in_channel') {
    const why = `I could not post in <#${input.actor.channelId}>, so this deploy's updates come here. Invite me there with \`/invite\` to get them in the channel next time.`;
    target = await ctx.notifier.dm(input.actor.userId, {
      text: `${message.text} (${why})`,
      blocks: [...message.blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: why }] }],
    });
  }
  if (!target.ok || !target.ts || !target.channel) {
    ctx.logger.warn({ instanceId: o.instanceId, reason: target.ok ? 'no ts' : target.reason }, 'deploy announcement failed; watching without a thread');
  }
  await startLease(ctx, input, o.instanceId);
  const channelId = target.ok && target.channel ? target.channel : input.actor.channelId;
  const messageTs = target.ok && target.ts ? target.ts : '';
  if (messageTs && !input.posted) await withBusyRetry(() => ctx.store.deployRequests.setThread(input.requestKey, channelId, messageTs), { what: 'record the deploy thread', logger: ctx.logger });
  await ctx.watcher.watchPatiently({
    instanceId: o.instanceId,
    type: input.type,
    teamId: input.actor.teamId ?? null,
    channelId,
    messageTs,
    requesterId: input.actor.userId,
    name: input.name,
    planLabel: plan,
    pricePerHour: input.pricePerHour,
    createdAt: ctx.now(),
    status: 'INITIALIZED',
  });
  if (claim) await ctx.store.workClaims.finish(claim, ANNOUNCE_KEEP_MS).catch((err: unknown) => ctx.logger.warn({ err }, 'could not mark the deploy announcement done (its watch exists: it is not repeated)'));
}

/**
 * The deploy's lease starts now that the instance exists: the one picked in its form, else the
 * channel's default. Before the watch, so the ready reply can say when it ends. A store failure
 * must not cost the watch: the instance then has no lease until someone sets one with /gpu lease.
 */
async function startLease(ctx: BotContext, input: AnnouncedDeploy, instanceId: string): Promise<void> {
  try {
    await ctx.leases.startForDeploy({ requestKey: input.requestKey, instanceId, type: input.type, ownerId: input.actor.userId, channelId: input.actor.channelId });
  } catch (err) {
    ctx.logger.warn({ err, instanceId }, 'could not record the lease of a new deploy');
  }
}
