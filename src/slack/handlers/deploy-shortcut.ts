/**
 * The "Deploy a GPU" global shortcut (issue 12 §4): the deploy form from anywhere in Slack, with
 * a channel picker for the announcement, starting on the user's last channel. A shortcut payload
 * has no channel and no response_url, only a 3 s trigger: the modal opens at once.
 *
 * At submit the picked channel goes through the same guardrails as a deploy typed there: the
 * user's role there (guard), that channel's budget, approvals and lease policy (DeployService and
 * deploy-submit.ts with the picked channel as the actor's). Before anything is sent, one ephemeral
 * message to the user in that channel proves what a channel grant relies on: the bot can post
 * there and the user is a member (Slack answers not_in_channel / user_not_in_channel otherwise).
 */
import type { BotContext } from '../context';
import { SHORTCUT } from '../ids';
import { openOrExplain } from './deploy';
import type { Feature, ShortcutListener } from './feature';
import type { SlackActor } from './types';

const onShortcut = (ctx: BotContext): ShortcutListener => async ({ ack, shortcut, client }) => {
  await ack();
  const userId = shortcut.user.id;
  const last = await lastChannelOf(ctx, userId);
  const actor: SlackActor = { userId, channelId: last ?? '', teamId: shortcut.user.team_id ?? shortcut.team?.id ?? null };
  // no respond(): a shortcut has no response_url; a modal that cannot open is logged
  await openOrExplain(ctx, { client, triggerId: shortcut.trigger_id, actor, pick: true }, undefined);
};

export async function lastChannelOf(ctx: BotContext, userId: string): Promise<string | undefined> {
  try {
    return await ctx.store.lastChannels.get(userId);
  } catch (err) {
    ctx.logger.warn({ err }, "could not read the user's last channel");
    return undefined;
  }
}

export const feature: Feature = {
  name: 'deploy-shortcut',
  shortcuts: [{ callbackId: SHORTCUT.deploy, listener: onShortcut }],
};
