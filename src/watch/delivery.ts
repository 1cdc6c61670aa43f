/**
 * Delivery of the watcher's outbox (store/watches.ts): the status edits and thread replies a cycle
 * decided, sent with their stored payload so a retry never renders or asks Fluence again.
 *
 * What Slack accepted is remembered in memory (SentMemory) before the store is told. When the
 * store cannot be written (disk full, a lock held too long) delivery goes on, nothing Slack
 * already has is posted again on a later cycle (reproduced before: SQLITE_FULL on markSent gave 4
 * identical ready replies), and the `sent` marks are written once the store takes writes again.
 * The store error is rethrown at the end, so the watcher backs off.
 */
import type { Logger } from '../log';
import { withDmNote } from '../slack/views/watch-replies';
import { isSqliteError, withBusyRetry } from '../store/db';
import type { OutboxKind, WatchStore } from '../store/watches';
import type { WatchMessage, WatchNotifier } from './notifier';

/** A message Slack keeps refusing is dropped after this many attempts (about 2 h with 15 s cycles). */
const MAX_DELIVERY_ATTEMPTS = 30;

/** A lock held by another connection is waited out (asynchronously) this long before a write counts as failed. */
const STORE_BUSY_DEADLINE_MS = 2000;

type Via = 'update' | 'thread' | 'dm';

/** A message Slack accepted, and how it went out. */
export interface DeliveredMessage {
  instanceId: string;
  kind: OutboxKind;
  via: Via;
}

/**
 * Outbox messages Slack accepted whose `sent` mark is not in the store yet, with the payload that
 * went out (a newer status edit reuses the outbox row: a different payload is a new message).
 */
export class SentMemory {
  private readonly unrecorded = new Map<number, { via: Via; at: number; payload: string }>();

  /** How this exact message went out, if it did. */
  sentAs(id: number, message: WatchMessage): { via: Via; at: number } | undefined {
    const s = this.unrecorded.get(id);
    return s && s.payload === JSON.stringify(message) ? s : undefined;
  }

  remember(id: number, message: WatchMessage, via: Via, at: number): void {
    this.unrecorded.set(id, { via, at, payload: JSON.stringify(message) });
  }

  forget(id: number): void {
    this.unrecorded.delete(id);
  }

  get size(): number {
    return this.unrecorded.size;
  }
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
 * Throws the first store error after the pass (nothing already sent is lost or sent twice).
 */
export async function deliverPending(deps: DeliveryDeps, now: number, delivered: DeliveredMessage[], sent: SentMemory): Promise<void> {
  const { store, notifier, logger } = deps;
  let storeError: unknown = null;
  /** One outbox write; once the store has refused one, the rest of this pass does not try. */
  const write = async (what: string, fn: () => void): Promise<boolean> => {
    if (storeError !== null) return false;
    try {
      await withBusyRetry(fn, { deadlineMs: STORE_BUSY_DEADLINE_MS, what, logger });
      return true;
    } catch (err) {
      if (!isSqliteError(err)) throw err;
      storeError = err;
      return false;
    }
  };
  const blockedChannels = new Set<string>();
  for (const m of store.pendingMessages(now)) {
    const already = sent.sentAs(m.id, m.message);
    if (already) {
      // Slack has it; only the store did not know: record it now, never post it again
      if (await write('watch outbox: mark sent', () => store.markSent(m.id, already.via, already.at))) sent.forget(m.id);
      continue;
    }
    sent.forget(m.id); // a newer payload in the same row (status edit): the old mark no longer applies
    if (blockedChannels.has(m.target.channelId)) continue;
    const isEdit = m.kind === 'status';
    if (isEdit && !m.target.messageTs) {
      // no deploy message to edit (its announcement could not be posted): the replies carry the news
      await write('watch outbox: drop', () => store.markDropped(m.id, 'no_message'));
      continue;
    }
    let via: Via = isEdit ? 'update' : 'thread';
    let res = isEdit ? await notifier.updateStatus(m.target, m.message) : await notifier.reply(m.target, m.message);
    if (!res.ok && res.reason === 'not_in_channel') {
      if (isEdit) {
        // the deploy message cannot be edited any more; the thread reply (as a DM) carries the news
        await write('watch outbox: drop', () => store.markDropped(m.id, 'not_in_channel'));
        continue;
      }
      via = 'dm';
      res = await notifier.dm(m.target.requesterId, withDmNote(m.message, m.target.channelId));
    }
    if (res.ok) {
      // remembered before the write: if the store refuses it, this message is still never posted twice
      sent.remember(m.id, m.message, via, now);
      delivered.push({ instanceId: m.instanceId, kind: m.kind, via });
      if (await write('watch outbox: mark sent', () => store.markSent(m.id, via, now))) sent.forget(m.id);
    } else if (res.reason === 'rate_limited') {
      // wait it out; the same payload goes out later, never a second copy
      await write('watch outbox: retry later', () => store.markRetry(m.id, now + Math.max(1, res.retryAfterSeconds ?? 1) * 1000, 'rate_limited'));
      blockedChannels.add(m.target.channelId);
    } else if (m.attempts + 1 >= MAX_DELIVERY_ATTEMPTS) {
      await write('watch outbox: drop', () => store.markDropped(m.id, res.error ?? res.reason));
      logger.error({ instanceId: m.instanceId, kind: m.kind, attempts: m.attempts + 1, reason: res.error ?? res.reason }, 'giving up on a watch message');
    } else {
      // first retries on the next cycles, then spaced out up to 5 minutes: a Slack outage of hours still ends in one reply
      const delay = m.attempts < 2 ? 0 : Math.min(deps.intervalMs * 2 ** (m.attempts - 2), 5 * 60_000);
      await write('watch outbox: retry later', () => store.markRetry(m.id, now + delay, res.error ?? res.reason));
      if (m.attempts === 0) logger.warn({ instanceId: m.instanceId, kind: m.kind, reason: res.error ?? res.reason }, 'watch message not delivered; will retry');
    }
  }
  if (storeError !== null) throw storeError;
}
