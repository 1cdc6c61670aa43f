/**
 * The last step of a deploy (handlers/deploy.ts and approved requests in guardrails/approvals.ts):
 * the channel message that becomes the instance's thread and living status, and the watch.
 */
import type { WebClient } from '@slack/web-api';
import type { DeployInput } from '../../services/deploy';
import type { BotContext } from '../context';
import { planLabel } from '../views/deploy-modal';
import { renderInstanceStatusMessage } from '../views/status-message';

/**
 * Posts "`name` is being deployed by @user: plan, price" where the deploy started (a DM when the bot
 * cannot post there), then watches the instance: that message becomes its thread and living status.
 */
export async function announceDeploy(ctx: BotContext, o: { client: WebClient; input: DeployInput; instanceId: string }): Promise<void> {
  const { input } = o;
  const plan = planLabel(input.offer);
  const message = renderInstanceStatusMessage({
    name: input.request.name,
    type: input.type,
    requesterId: input.actor.userId,
    planLabel: plan,
    pricePerHour: input.offer.pricePerHour,
    status: 'INITIALIZED',
    state: 'provisioning',
    sandbox: ctx.sandbox,
    updatedAt: ctx.now(),
  });
  let target = await ctx.notifier.post(input.actor.channelId, message);
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
  const channelId = target.ok && target.channel ? target.channel : input.actor.channelId;
  const messageTs = target.ok && target.ts ? target.ts : '';
  if (messageTs) ctx.store.deployRequests.setThread(input.requestKey, channelId, messageTs);
  ctx.watcher.watch({
    instanceId: o.instanceId,
    type: input.type,
    teamId: input.actor.teamId ?? null,
    channelId,
    messageTs,
    requesterId: input.actor.userId,
    name: input.request.name,
    planLabel: plan,
    pricePerHour: input.offer.pricePerHour,
    createdAt: ctx.now(),
    status: 'INITIALIZED',
  });
}
