/**
 * The audit trail of mutating actions: who did what, where, to which instance, at what price, and
 * how it ended. Append-only. The caller masks secrets before recording (services/guard.ts); the
 * store never sees them. Details are capped so one noisy error cannot bloat the file.
 */
import type { Db } from './db';
import type { WorkloadType } from '../fluence/workload';

export type AuditAction =
  | 'deploy'
  | 'update'
  | 'rename'
  | 'terminate'
  | 'approve'
  | 'deny'
  | 'grant'
  | 'revoke'
  | 'budget'
  | 'watch'
  | 'lease'
  | 'policy';
export type AuditOutcome = 'ok' | 'error' | 'refused' | 'pending';

export interface AuditEntryInput {
  /** Epoch ms; defaults to the store's clock. */
  at?: number;
  actorId: string;
  channelId: string;
  action: AuditAction;
  instanceId?: string | null;
  instanceName?: string | null;
  type?: WorkloadType | null;
  pricePerHour?: number | null;
  outcome: AuditOutcome;
  detail?: string | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  actorId: string;
  channelId: string;
  action: AuditAction;
  instanceId: string | null;
  instanceName: string | null;
  type: WorkloadType | null;
  pricePerHour: number | null;
  outcome: AuditOutcome;
  detail: string | null;
}

/** Longest detail kept; longer ones are cut with an ellipsis. */
export const AUDIT_DETAIL_MAX = 1000;
/** Most entries `recent` returns in one call. */
export const AUDIT_RECENT_MAX = 500;

interface Row {
  id: number;
  at: number;
  actor_id: string;
  channel_id: string;
  action: AuditAction;
  instance_id: string | null;
  instance_name: string | null;
  type: WorkloadType | null;
  price_per_hour: number | null;
  outcome: AuditOutcome;
  detail: string | null;
}

function toEntry(r: Row): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    channelId: r.channel_id,
    action: r.action,
    instanceId: r.instance_id,
    instanceName: r.instance_name,
    type: r.type,
    pricePerHour: r.price_per_hour,
    outcome: r.outcome,
    detail: r.detail,
  };
}

function prepareStatements(db: Db) {
  return {
    insert: db.prepare(
      `INSERT INTO audit_log (at, actor_id, channel_id, action, instance_id, instance_name, type, price_per_hour,
                              outcome, detail)
       VALUES (@at, @actorId, @channelId, @action, @instanceId, @instanceName, @type, @pricePerHour, @outcome, @detail)
       RETURNING *`,
    ),
    recent: db.prepare(`SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?`),
    count: db.prepare(`SELECT count(*) AS n FROM audit_log`),
  };
}

export class AuditLog {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  record(entry: AuditEntryInput): AuditEntry {
    const detail =
      entry.detail == null
        ? null
        : entry.detail.length > AUDIT_DETAIL_MAX
          ? `${entry.detail.slice(0, AUDIT_DETAIL_MAX - 1)}…`
          : entry.detail;
    const row = this.stmts.insert.get({
      at: entry.at ?? this.now(),
      actorId: entry.actorId,
      channelId: entry.channelId,
      action: entry.action,
      instanceId: entry.instanceId ?? null,
      instanceName: entry.instanceName ?? null,
      type: entry.type ?? null,
      pricePerHour: entry.pricePerHour ?? null,
      outcome: entry.outcome,
      detail,
    }) as Row;
    return toEntry(row);
  }

  /** The latest `n` entries, newest first (at most AUDIT_RECENT_MAX; 0 or less gives none). */
  recent(n: number): AuditEntry[] {
    const limit = Math.min(Math.max(Math.floor(n), 0), AUDIT_RECENT_MAX);
    if (!Number.isFinite(limit) || limit === 0) return [];
    return (this.stmts.recent.all(limit) as Row[]).map(toEntry);
  }

  count(): number {
    return (this.stmts.count.get() as { n: number }).n;
  }
}
