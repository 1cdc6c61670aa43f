/**
 * Delivery of the watcher's outbox (store/watches.ts): the status edits and thread replies a cycle
 * decided, sent with their stored payload so a retry never renders or asks Fluence again.
 */
import type { Logger } from '../log';
import { withDmNote } from '../slack/views/watch-replies';
import type { OutboxKind, WatchStore } from '../store/watches';
import type { WatchNotifier } from './notifier';

/** A message Slack keeps refusing is dropped after this many attempts (about 2 h with 15 s cycles). */
const MAX_DELIVERY_ATTEMPTS = 30;

/** A message Slack accepted, and how it went out. */
export interface DeliveredMessage {
  instanceId: string;
  kind: OutboxKind;
  via: 'update' | 'thread' | 'dm';
}

/** What delivery needs from the watcher's options (InstanceWatcherOptions satisfies it). */
export interface DeliveryDeps {
  store: WatchStore;
  notifier: WatchNotifier;
  logger: Logger;
  /** The poll interval: retries of a failing message are spaced from it. */
  intervalMs: number;
}

/**
 * Sends every pending message whose time has come, oldest decision first (so a status edit precedes
 * the reply it caused). Failures keep the stored payload pending: 429 waits Retry-After, other errors
 * retry on later cycles, and a channel the bot cannot post in falls back to a DM to the requester.
 */
export async function deliverPending(deps: DeliveryDeps, now: number, delivered: DeliveredMessage[]): Promise<void> {
  const { store, notifier, logger } = deps;
  const blockedChannels = new Set<string>();
  for (const m of store.pendingMessages(now)) {
    if (blockedChannels.has(m.target.channelId)) continue;
    const isEdit = m.kind === 'status';
    if (isEdit && !m.target.messageTs) {
      // no deploy message to edit (its announcement could not be posted): the replies carry the news
      store.markDropped(m.id, 'no_message');
      continue;
    }
    let via: 'update' | 'thread' | 'dm' = isEdit ? 'update' : 'thread';
    let res = isEdit ? await notifier.updateStatus(m.target, m.message) : await notifier.reply(m.target, m.message);
    if (!res.ok && res.reason === 'not_in_channel') {
      if (isEdit) {
        // the deploy message cannot be edited any more; the thread reply (as a DM) carries the news
        store.markDropped(m.id, 'not_in_channel');
        continue;
      }
      via = 'dm';
      res = await notifier.dm(m.target.requesterId, withDmNote(m.message, m.target.channelId));
    }
    if (res.ok) {
      store.markSent(m.id, via, now);
      delivered.push({ instanceId: m.instanceId, kind: m.kind, via });
    } else if (res.reason === 'rate_limited') {
      // wait it out; the same payload goes out later, never a second copy
      store.markRetry(m.id, now + Math.max(1, res.retryAfterSeconds ?? 1) * 1000, 'rate_limited');
      blockedChannels.add(m.target.channelId);
    } else if (m.attempts + 1 >= MAX_DELIVERY_ATTEMPTS) {
      store.markDropped(m.id, res.error ?? res.reason);
      logger.error({ instanceId: m.instanceId, kind: m.kind, attempts: m.attempts + 1, reason: res.error ?? res.reason }, 'giving up on a watch message');
    } else {
      // first retries on the next cycles, then spaced out up to 5 minutes: a Slack outage of hours still ends in one reply
      const delay = m.attempts < 2 ? 0 : Math.min(deps.intervalMs * 2 ** (m.attempts - 2), 5 * 60_000);
      store.markRetry(m.id, now + delay, res.error ?? res.reason);
      if (m.attempts === 0) logger.warn({ instanceId: m.instanceId, kind: m.kind, reason: res.error ?? res.reason }, 'watch message not delivered; will retry');
    }
  }
}
