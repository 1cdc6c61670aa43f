/**
 * The audit trail of mutating actions: who did what, where, to which instance, at what price, and
 * how it ended. Append-only. The caller masks secrets before recording (services/guard.ts); the
 * store never sees them. Details are capped so one noisy error cannot bloat the file.
 */
import type { Kysely, Selectable } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { AuditLogTable, StoreTables } from './tables';

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

/** One row of the audit log, as the table holds it (tables.ts). */
export type AuditEntry = Selectable<AuditLogTable>;

/** Longest detail kept; longer ones are cut with an ellipsis. */
export const AUDIT_DETAIL_MAX = 1000;
/** Most entries `recent` returns in one call. */
export const AUDIT_RECENT_MAX = 500;

export class AuditLog {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {}

  async record(entry: AuditEntryInput): Promise<AuditEntry> {
    const detail =
      entry.detail == null
        ? null
        : entry.detail.length > AUDIT_DETAIL_MAX
          ? `${entry.detail.slice(0, AUDIT_DETAIL_MAX - 1)}…`
          : entry.detail;
    return this.db
      .insertInto('auditLog')
      .values({
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
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** The latest `n` entries, newest first (at most AUDIT_RECENT_MAX; 0 or less gives none). */
  async recent(n: number): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(Math.floor(n), 0), AUDIT_RECENT_MAX);
    if (!Number.isFinite(limit) || limit === 0) return [];
    return this.db.selectFrom('auditLog').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async count(): Promise<number> {
    const { n } = await this.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }
}
