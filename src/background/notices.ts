/**
 * Typed notices: what background work (watcher, approval expiry, leases, digests, alerts) wants a
 * person to hear, as plain data. Jobs emit notices into the outbox (store/outbox.ts); src/slack/notices/
 * renders each kind into a Slack message at delivery. Nothing here knows Slack: no block ids, no blocks.
 *
 * Adding a kind: add one line to `NoticeMap` below (kind → its data), or, from your own file,
 *   declare module '../background/notices' { interface NoticeMap { 'lease.reminder': LeaseReminder } }
 * then register its renderer in src/slack/notices/ (the registry's type makes a missing one a
 * compile error). Data must survive JSON (it is stored): numbers, strings, booleans, null, arrays.
 */
import type { Connection } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';

/**
 * A posted message a notice refers to: the thread it replies in, the living message it edits, and the
 * person to DM when the bot cannot write in that channel any more. `messageTs` '' means none was posted.
 */
export interface ThreadRef {
  teamId: string | null;
  channelId: string;
  messageTs: string;
  requesterId: string;
}

/** An instance's last events and log lines, or 'withheld' (the thread is read by others: issue 9 §3). */
export type DiagnosticLines = { events: string[]; logs: string[] } | 'withheld';

/** What every watcher notice says about the instance. */
export interface WatchNoticeBase {
  to: ThreadRef;
  instanceId: string;
  name: string;
  type: WorkloadType;
  requesterId: string;
}

export interface NoticeMap {
  /** The living deploy message shows the instance's latest status (an edit; a newer one replaces an unsent older one). */
  'watch.status': WatchNoticeBase & { planLabel: string; pricePerHour: number; status: string; updatedAt: number };
  'watch.ready': WatchNoticeBase & {
    connection: Connection;
    pricePerHour: number;
    provisionedMs: number;
    /** The instance's lease end (null: until terminated); absent: no lease. */
    lease?: { endsAt: number | null };
  };
  'watch.failed': WatchNoticeBase & { status: string; lines: DiagnosticLines };
  'watch.ended': WatchNoticeBase;
  'watch.slow': WatchNoticeBase & { elapsedMs: number; hardLimitMs: number };
  'watch.gave_up': WatchNoticeBase & { elapsedMs: number; lastStatus: string | null; missing: boolean };
  'watch.not_started': WatchNoticeBase & { notStartedMs: number; containerStatus: string | null; lines: DiagnosticLines };
  /** A message the watcher rendered before the one outbox existed (migration 601), sent as it was stored. */
  'watch.legacy': { to: ThreadRef; instanceId: string; op: 'update' | 'reply'; message: { text: string; blocks: unknown[] } };
  /**
   * An approval request passed its TTL undecided (services/approval-expiry.ts): `message` edits the
   * request to "expired", `note` says so in its thread (or to the requester when it was never posted).
   */
  'approval.expired': { part: 'message' | 'note'; to: ThreadRef | null; approval: ExpiredApproval };
}

/** What an expired approval's messages show (its sealed payload is already wiped). */
export interface ExpiredApproval {
  id: string;
  requesterId: string;
  name: string;
  type: WorkloadType;
  planId: string;
  pricePerHour: number;
  reasons: string[];
  expiresAt: number;
}

export type NoticeKind = keyof NoticeMap;
export type Notice = { [K in NoticeKind]: { kind: K } & NoticeMap[K] }[NoticeKind];
export type NoticeOf<K extends NoticeKind> = Extract<Notice, { kind: K }>;

/**
 * One notice to put in the outbox. `key` makes it exactly-once: a second enqueue with the same key
 * is ignored (the claim), unless `replace` is set, in which case it replaces the payload and makes the
 * row pending again (a living message edit: only the latest status matters).
 */
export interface OutboxEntry {
  key: string;
  notice: Notice;
  replace?: boolean;
  /** Not delivered before this time (epoch ms), e.g. a reminder decided early. */
  notBefore?: number;
}
