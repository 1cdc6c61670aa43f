/**
 * What the watcher needs from Slack, and nothing more. src/slack/watch-notifier.ts implements it
 * with a WebClient; tests use a recording fake. Every method resolves (never rejects) with a
 * result the watcher can store: a failed post stays pending and is retried on a later cycle.
 */
import type { KnownBlock } from '@slack/types';

export interface WatchMessage {
  /** Notification / fallback text (always sent with blocks). */
  text: string;
  blocks: KnownBlock[];
  /** A thread reply also shown in the channel (reply_broadcast), e.g. a lease's expiry notice. */
  broadcast?: boolean;
}

/** Where a watch's messages go: the deploy message is the thread parent and the living status message. */
export interface WatchTarget {
  teamId: string | null;
  channelId: string;
  messageTs: string;
  requesterId: string;
}

export type NotifyFailureReason =
  /** not_in_channel, channel_not_found, is_archived: the bot cannot write there; DM the requester instead. */
  | 'not_in_channel'
  /** Slack 429: wait `retryAfterSeconds`, then retry the same stored payload. */
  | 'rate_limited'
  /** Anything else (network, 5xx, unknown Slack error): retry on a later cycle. */
  | 'error';

export type NotifyResult =
  | { ok: true; ts?: string; channel?: string }
  | { ok: false; reason: NotifyFailureReason; retryAfterSeconds?: number; error?: string };

export interface WatchNotifier {
  /** chat.update of the deploy message, in place (no new channel post). */
  updateStatus(target: WatchTarget, message: WatchMessage): Promise<NotifyResult>;
  /** chat.postMessage in the deploy message's thread. */
  reply(target: WatchTarget, message: WatchMessage): Promise<NotifyResult>;
  /** conversations.open + chat.postMessage to the user. */
  dm(userId: string, message: WatchMessage): Promise<NotifyResult>;
  /** chat.postMessage at the top level of a channel (the deploy announcement that becomes the thread). */
  post(channelId: string, message: WatchMessage): Promise<NotifyResult>;
}
