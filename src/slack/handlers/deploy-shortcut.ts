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
import type { WebClient } from '@slack/web-api';
import type { BotContext } from '../context';
import { BLOCK, SHORTCUT } from '../ids';
import { escapeMrkdwn } from '../views/format';
import { openOrExplain } from './deploy';
import { refusalText } from './deploy-form-view';
import type { Feature, ShortcutListener } from './feature';
import type { SlackActor } from './types';
import type { FormState } from '../../services/deploy-form';

const onShortcut = (ctx: BotContext): ShortcutListener => async ({ ack, shortcut, client }) => {
  await ack();
  const userId = shortcut.user.id;
  const last = await lastChannelOf(ctx, userId);
  const actor: SlackActor = { userId, channelId: last ?? '', teamId: shortcut.user.team_id ?? shortcut.team?.id ?? null };
  // no respond(): a shortcut has no response_url; a modal that cannot open is logged
  await openOrExplain(ctx, { client, triggerId: shortcut.trigger_id, actor, pick: true }, undefined);
};

async function lastChannelOf(ctx: BotContext, userId: string): Promise<string | undefined> {
  try {
    return await ctx.store.lastChannels.get(userId);
  } catch (err) {
    ctx.logger.warn({ err }, "could not read the user's last channel");
    return undefined;
  }
}

/** The conversation picked in a shortcut form, if any. */
export function pickedChannel(state: FormState): string | undefined {
  const entry = Object.values(state[BLOCK.channel] ?? {})[0];
  return entry?.selected_conversation ?? undefined;
}

const SLACK_REFUSALS: Record<string, string> = {
  not_in_channel: 'I am not a member of that channel. Invite me there (/invite @gpu-bot), or pick another channel.',
  channel_not_found: 'I cannot see that channel (a private channel I am not in?). Invite me there, or pick another channel.',
  user_not_in_channel: 'You are not a member of that channel. Join it, or pick a channel you are in.',
  is_archived: 'That channel is archived. Pick another channel.',
};

/**
 * Before a shortcut deploy is sent: the user may deploy there (their role in that channel), and
 * the bot and the user are both in it. Returns the error for the channel field, or undefined.
 */
export async function checkPickedChannel(ctx: BotContext, client: WebClient, actor: SlackActor, name: string): Promise<string | undefined> {
  const auth = ctx.guard.authorize(actor, 'deploy');
  if (!auth.allowed) return refusalText(auth.reason, auth.admins).replace(/<@([A-Z0-9_]+)>/g, '$1').slice(0, 500);
  try {
    await client.chat.postEphemeral({
      channel: actor.channelId,
      user: actor.userId,
      text: `📣 The deploy of \`${escapeMrkdwn(name)}\` you started from the Deploy a GPU shortcut is announced in this channel.`,
    });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error ?? 'unknown';
    ctx.logger.info({ code, channel: actor.channelId }, 'shortcut deploy: the picked channel was refused');
    return SLACK_REFUSALS[code] ?? `I could not check that channel (Slack answered ${code}). Nothing was deployed: submit again.`;
  }
  await rememberChannel(ctx, actor.userId, actor.channelId);
  return undefined;
}

/** The channel a user last used the bot in: where the shortcut's picker starts. Best effort. */
export async function rememberChannel(ctx: BotContext, userId: string, channelId: string): Promise<void> {
  if (!/^[CG]/.test(channelId)) return;
  try {
    await ctx.store.lastChannels.remember(userId, channelId);
  } catch (err) {
    ctx.logger.debug({ err }, "could not record the user's last channel");
  }
}

export const feature: Feature = {
  name: 'deploy-shortcut',
  shortcuts: [{ callbackId: SHORTCUT.deploy, listener: onShortcut }],
};
