/**
 * The watcher's persistent state: every watch and every message it decided to send. Nothing the
 * watcher needs survives only in memory, so a restarted process (new InstanceWatcher, same file)
 * resumes every watch and retries every pending message, without deciding any reply twice.
 */
import type { Db } from './db';
import type { WorkloadType } from '../fluence/workload';
import type { WatchMessage, WatchTarget } from '../watch/notifier';

export type WatchOutcome = 'ready' | 'failed' | 'ended' | 'gave_up';
export type ReplyKind = 'ready' | 'failed' | 'ended' | 'slow' | 'gave_up' | 'not_started';
export type OutboxKind = 'status' | ReplyKind;

export interface WatchInput {
  instanceId: string;
  type: WorkloadType;
  teamId?: string | null;
  channelId: string;
  /** ts of the deploy message: thread parent and living status message. */
  messageTs: string;
  requesterId: string;
  name: string;
  /** e.g. "H100 80GB × 1" */
  planLabel: string;
  pricePerHour: number;
  /** When the instance was created (epoch ms); defaults to now. Provisioning time counts from here. */
  createdAt?: number;
  /** Status the deploy message already shows, if any (e.g. "INITIALIZED"). */
  status?: string | null;
}

export interface WatchRecord extends WatchTarget {
  instanceId: string;
  type: WorkloadType;
  name: string;
  planLabel: string;
  pricePerHour: number;
  createdAt: number;
  lastStatus: string | null;
  lastSeenAt: number | null;
  state: 'watching' | 'done';
  outcome: WatchOutcome | null;
  slowNotified: boolean;
  /** First time the watcher saw it ACTIVE with a container that had not started (null: never). */
  notStartedSince: number | null;
  /** The start-grace diagnostics reply has been claimed. */
  startNotified: boolean;
  updatedAt: number;
}

export interface PendingMessage {
  id: number;
  instanceId: string;
  kind: OutboxKind;
  message: WatchMessage;
  attempts: number;
  target: WatchTarget;
}

/** Everything one watch's poll decided, written in one transaction. */
export interface WatchChange {
  status?: string;
  seenAt?: number;
  finish?: WatchOutcome;
  slowNotified?: boolean;
  /** Recorded once: later values never overwrite the first. */
  notStartedSince?: number;
  startNotified?: boolean;
  /** The living message's new content (replaces any unsent older edit). */
  statusMessage?: WatchMessage;
  /** Replies to claim; a kind already claimed for this instance is ignored (never posted twice). */
  replies?: Array<{ kind: ReplyKind; message: WatchMessage }>;
}

interface WatchRow {
  instance_id: string;
  type: WorkloadType;
  team_id: string | null;
  channel_id: string;
  message_ts: string;
  requester_id: string;
  name: string;
  plan_label: string;
  price_per_hour: number;
  created_at: number;
  last_status: string | null;
  last_seen_at: number | null;
  state: 'watching' | 'done';
  outcome: WatchOutcome | null;
  slow_notified: number;
  not_started_since: number | null;
  start_notified: number;
  updated_at: number;
}

function toRecord(r: WatchRow): WatchRecord {
  return {
    instanceId: r.instance_id,
    type: r.type,
    teamId: r.team_id,
    channelId: r.channel_id,
    messageTs: r.message_ts,
    requesterId: r.requester_id,
    name: r.name,
    planLabel: r.plan_label,
    pricePerHour: r.price_per_hour,
    createdAt: r.created_at,
    lastStatus: r.last_status,
    lastSeenAt: r.last_seen_at,
    state: r.state,
    outcome: r.outcome,
    slowNotified: r.slow_notified === 1,
    notStartedSince: r.not_started_since,
    startNotified: r.start_notified === 1,
    updatedAt: r.updated_at,
  };
}

export class WatchStore {
  constructor(private readonly db: Db) {}

  /** Starts watching; watching the same instance again returns the existing watch unchanged. */
  add(input: WatchInput, now: number): WatchRecord {
    this.db
      .prepare(
        `INSERT INTO watches (instance_id, type, team_id, channel_id, message_ts, requester_id, name, plan_label,
                              price_per_hour, created_at, last_status, updated_at)
         VALUES (@instanceId, @type, @teamId, @channelId, @messageTs, @requesterId, @name, @planLabel,
                 @pricePerHour, @createdAt, @status, @now)
         ON CONFLICT (instance_id) DO NOTHING`,
      )
      .run({
        instanceId: input.instanceId,
        type: input.type,
        teamId: input.teamId ?? null,
        channelId: input.channelId,
        messageTs: input.messageTs,
        requesterId: input.requesterId,
        name: input.name,
        planLabel: input.planLabel,
        pricePerHour: input.pricePerHour,
        createdAt: input.createdAt ?? now,
        status: input.status ?? null,
        now,
      });
    return this.get(input.instanceId)!;
  }

  get(instanceId: string): WatchRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM watches WHERE instance_id = ?`).get(instanceId) as WatchRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  listWatching(): WatchRecord[] {
    const rows = this.db.prepare(`SELECT * FROM watches WHERE state = 'watching' ORDER BY created_at, instance_id`).all() as WatchRow[];
    return rows.map(toRecord);
  }

  countWatching(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM watches WHERE state = 'watching'`).get() as { n: number }).n;
  }

  /**
   * Records one poll's outcome for one watch. Status, finish and claimed replies commit together:
   * after a crash either all of them happened (and the replies are pending delivery) or none did
   * (and the next poll decides again). Returns the reply kinds newly claimed by this call.
   */
  apply(instanceId: string, change: WatchChange, now: number): ReplyKind[] {
    return this.db.transaction((): ReplyKind[] => {
      this.db
        .prepare(
          `UPDATE watches SET
             last_status   = coalesce(@status, last_status),
             last_seen_at  = coalesce(@seenAt, last_seen_at),
             state         = CASE WHEN @finish IS NULL THEN state ELSE 'done' END,
             outcome       = coalesce(@finish, outcome),
             slow_notified = CASE WHEN @slow = 1 THEN 1 ELSE slow_notified END,
             not_started_since = coalesce(not_started_since, @notStartedSince),
             start_notified = CASE WHEN @startNotified = 1 THEN 1 ELSE start_notified END,
             updated_at    = @now
           WHERE instance_id = @instanceId`,
        )
        .run({
          instanceId,
          status: change.status ?? null,
          seenAt: change.seenAt ?? null,
          finish: change.finish ?? null,
          slow: change.slowNotified ? 1 : 0,
          notStartedSince: change.notStartedSince ?? null,
          startNotified: change.startNotified ? 1 : 0,
          now,
        });
      if (change.statusMessage) {
        // a newer edit replaces an unsent (or sent) older one: the living message shows the latest status
        this.db
          .prepare(
            `INSERT INTO watch_outbox (instance_id, kind, payload, created_at) VALUES (?, 'status', ?, ?)
             ON CONFLICT (instance_id, kind) DO UPDATE SET payload = excluded.payload, state = 'pending',
               via = NULL, attempts = 0, not_before = 0, last_error = NULL, sent_at = NULL`,
          )
          .run(instanceId, JSON.stringify(change.statusMessage), now);
      }
      const claimed: ReplyKind[] = [];
      for (const r of change.replies ?? []) {
        if (this.insertReply(instanceId, r.kind, r.message, now)) claimed.push(r.kind);
      }
      return claimed;
    })();
  }

  /** Claims one reply kind for an instance: true the first time only. */
  claimReply(instanceId: string, kind: ReplyKind, message: WatchMessage, now: number): boolean {
    return this.insertReply(instanceId, kind, message, now);
  }

  private insertReply(instanceId: string, kind: ReplyKind, message: WatchMessage, now: number): boolean {
    const res = this.db
      .prepare(
        `INSERT INTO watch_outbox (instance_id, kind, payload, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (instance_id, kind) DO NOTHING`,
      )
      .run(instanceId, kind, JSON.stringify(message), now);
    return res.changes === 1;
  }

  /** Messages still to deliver whose retry time has come, oldest decision first. */
  pendingMessages(now: number): PendingMessage[] {
    const rows = this.db
      .prepare(
        `SELECT o.id, o.instance_id, o.kind, o.payload, o.attempts, w.team_id, w.channel_id, w.message_ts, w.requester_id
         FROM watch_outbox o JOIN watches w ON w.instance_id = o.instance_id
         WHERE o.state = 'pending' AND o.not_before <= ?
         ORDER BY o.id`,
      )
      .all(now) as Array<{
      id: number;
      instance_id: string;
      kind: OutboxKind;
      payload: string;
      attempts: number;
      team_id: string | null;
      channel_id: string;
      message_ts: string;
      requester_id: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      instanceId: r.instance_id,
      kind: r.kind,
      message: JSON.parse(r.payload) as WatchMessage,
      attempts: r.attempts,
      target: { teamId: r.team_id, channelId: r.channel_id, messageTs: r.message_ts, requesterId: r.requester_id },
    }));
  }

  countPending(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM watch_outbox WHERE state = 'pending'`).get() as { n: number }).n;
  }

  /** For /metrics: unsent messages and how long the oldest has waited. */
  backlog(now: number): { pending: number; oldestAgeSeconds: number } {
    const r = this.db.prepare(`SELECT count(*) AS n, min(created_at) AS oldest FROM watch_outbox WHERE state = 'pending'`).get() as { n: number; oldest: number | null };
    return { pending: r.n, oldestAgeSeconds: r.oldest === null ? 0 : Math.max(0, (now - r.oldest) / 1000) };
  }

  /** For /metrics: watches still watching, and finished ones by outcome. */
  countByState(): Record<string, number> {
    const rows = this.db.prepare(`SELECT CASE WHEN state = 'watching' THEN 'watching' ELSE coalesce(outcome, 'done') END AS s, count(*) AS n FROM watches GROUP BY s`).all() as Array<{ s: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.s, r.n]));
  }

  markSent(id: number, via: 'update' | 'thread' | 'dm', now: number): void {
    this.db.prepare(`UPDATE watch_outbox SET state = 'sent', via = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?`).run(via, now, id);
  }

  /** Keeps the message pending; it is retried with the same payload from `notBefore` on. */
  markRetry(id: number, notBefore: number, error: string): void {
    this.db
      .prepare(`UPDATE watch_outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?`)
      .run(notBefore, error.slice(0, 500), id);
  }

  /** Gives up on a message (e.g. an edit of a message the bot can no longer reach). */
  markDropped(id: number, error: string): void {
    this.db
      .prepare(`UPDATE watch_outbox SET state = 'dropped', attempts = attempts + 1, last_error = ? WHERE id = ?`)
      .run(error.slice(0, 500), id);
  }

  /** Delivery history of one instance (status page, tests). */
  messagesFor(instanceId: string): Array<{ kind: OutboxKind; state: 'pending' | 'sent' | 'dropped'; via: string | null; attempts: number }> {
    return this.db
      .prepare(`SELECT kind, state, via, attempts FROM watch_outbox WHERE instance_id = ? ORDER BY id`)
      .all(instanceId) as Array<{ kind: OutboxKind; state: 'pending' | 'sent' | 'dropped'; via: string | null; attempts: number }>;
  }
}
