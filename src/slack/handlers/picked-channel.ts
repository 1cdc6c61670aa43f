/**
 * The channel of a deploy form opened from the "Deploy a GPU" shortcut (deploy-shortcut.ts): read
 * from its conversations select at submit, checked there, and remembered as the user's last channel
 * (where the next shortcut's picker starts; `/gpu` commands record it too).
 */
import type { WebClient } from '@slack/web-api';
import type { FormState } from '../../services/deploy-form';
import type { BotContext } from '../context';
import { BLOCK } from '../ids';
import { escapeMrkdwn } from '../views/format';
import { refusalText } from './deploy-form-view';
import type { SlackActor } from './types';

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
  const auth = await ctx.guard.authorize(actor, 'deploy');
  if (!auth.allowed) return refusalText(auth.reason, auth.admins).replace(/<@([A-Z0-9_]+)>/g, '$1').slice(0, 500);
  try {
    await client.chat.postEphemeral({
      channel: actor.channelId,
      user: actor.userId,
      text: `📣 \`${escapeMrkdwn(name)}\`, which you are deploying from the Deploy a GPU shortcut, will be announced in this channel once Fluence accepts it.`,
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
