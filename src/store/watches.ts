/**
 * The watcher's persistent state: every watch, and (in the one outbox, store/outbox.ts) every
 * notice it decided to send. Nothing the watcher needs survives only in memory, so a restarted
 * process (new InstanceWatcher, same file) resumes every watch and retries every pending notice,
 * without deciding any reply twice.
 */
import type { Db } from './db';
import type { WorkloadType } from '../fluence/workload';
import type { OutboxEntry, ThreadRef } from '../background/notices';
import { OutboxStore } from './outbox';

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

export interface WatchRecord extends ThreadRef {
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

/** Everything one watch's poll decided, written in one transaction. */
export interface WatchChange {
  status?: string;
  seenAt?: number;
  finish?: WatchOutcome;
  slowNotified?: boolean;
  /** Recorded once: later values never overwrite the first. */
  notStartedSince?: number;
  startNotified?: boolean;
  /**
   * Notices to claim in the outbox with this change (keys from `watchNoticeKey`): a reply kind already
   * claimed for this instance is ignored (never posted twice); the status edit (`replace`) replaces an
   * unsent (or sent) older one, so the living message shows the latest status.
   */
  notices?: OutboxEntry[];
}

/** The outbox key of one watch message: one per instance and kind (the exactly-once claim). */
export function watchNoticeKey(instanceId: string, kind: OutboxKind): string {
  return `watch:${instanceId}:${kind}`;
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
  private readonly outbox: OutboxStore;

  constructor(private readonly db: Db) {
    this.outbox = new OutboxStore(db);
  }

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
   * Records one poll's outcome for one watch. Status, finish and claimed notices commit together:
   * after a crash either all of them happened (and the notices are pending delivery) or none did
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
      const claimed = this.outbox.enqueueIn(change.notices ?? [], now);
      const prefix = watchNoticeKey(instanceId, '' as OutboxKind);
      return claimed.map((k) => k.slice(prefix.length) as OutboxKind).filter((k): k is ReplyKind => k !== 'status');
    }).immediate();
  }

  /** The watcher's notices still to deliver (cycle reports). */
  countPending(): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM outbox WHERE state = 'pending' AND substr(dedupe_key, 1, 6) = 'watch:'`).get() as { n: number }).n;
  }

  /** For /metrics: watches still watching, and finished ones by outcome. */
  countByState(): Record<string, number> {
    const rows = this.db.prepare(`SELECT CASE WHEN state = 'watching' THEN 'watching' ELSE coalesce(outcome, 'done') END AS s, count(*) AS n FROM watches GROUP BY s`).all() as Array<{ s: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.s, r.n]));
  }

  /** Delivery history of one instance's messages (status page, tests). */
  messagesFor(instanceId: string): Array<{ kind: OutboxKind; state: 'pending' | 'sent' | 'dropped'; via: string | null; attempts: number }> {
    const prefix = watchNoticeKey(instanceId, '' as OutboxKind);
    const rows = this.db
      .prepare(`SELECT dedupe_key, state, via, attempts FROM outbox WHERE substr(dedupe_key, 1, length(?)) = ? ORDER BY id`)
      .all(prefix, prefix) as Array<{ dedupe_key: string; state: 'pending' | 'sent' | 'dropped'; via: string | null; attempts: number }>;
    return rows.map((r) => ({ kind: r.dedupe_key.slice(prefix.length) as OutboxKind, state: r.state, via: r.via, attempts: r.attempts }));
  }
}
