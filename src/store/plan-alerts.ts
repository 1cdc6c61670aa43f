/**
 * Plan alerts' rows (migrations: plan-alert-migrations.ts). The rules are services/plan-alerts.ts,
 * the deciding services/plan-alert-decide.ts; this keeps alerts and the pairs (alert, offer) each
 * has told about, and applies a cycle's decision in ONE transaction with its outbox notices, so a
 * message is claimed exactly when its pair is remembered (and a second run of the same cycle, say
 * by a replica that was briefly leader too, finds the pairs taken and sends nothing).
 */
import type { Generated, Kysely } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { AlertDecision, PlanAlert, PlanAlertNotice, SentState } from '../services/plan-alert-decide';
import type { NewPlanAlert, PlanAlertRepository } from '../services/plan-alerts';
import type { PlanFilters } from '../services/plans';
import type { Engine, Trx } from './engine';
import type { StoreTables } from './tables';

export interface PlanAlertsTable {
  id: Generated<number>;
  ownerId: string;
  teamId: string | null;
  channelId: string;
  type: WorkloadType;
  /** JSON text: PlanFilters. */
  filters: string;
  createdAt: number;
  expiresAt: number;
  expiryNoticedAt: number | null;
}

export interface PlanAlertSentTable {
  alertId: number;
  planId: string;
  pricePerHour: number;
  sentAt: number;
}

type Tables = StoreTables & { planAlerts: PlanAlertsTable; planAlertSent: PlanAlertSentTable };
type Row = { id: number | string; ownerId: string; teamId: string | null; channelId: string; type: WorkloadType; filters: string; createdAt: number | string; expiresAt: number | string; expiryNoticedAt: number | string | null };

/** Writes a cycle's notices to the outbox inside the cycle's transaction. */
export type EnqueueNotices = (trx: Trx, notices: PlanAlertNotice[], now: number) => Promise<unknown>;

const CHUNK = 400;

function toAlert(r: Row): PlanAlert {
  let filters: PlanFilters = {};
  try {
    filters = JSON.parse(r.filters) as PlanFilters;
  } catch {
    // a row we wrote is JSON; anything else matches with no filters rather than stopping every alert
  }
  return {
    id: Number(r.id),
    ownerId: r.ownerId,
    teamId: r.teamId,
    channelId: r.channelId,
    type: r.type,
    filters,
    createdAt: Number(r.createdAt),
    expiresAt: Number(r.expiresAt),
    expiryNoticedAt: r.expiryNoticedAt === null ? null : Number(r.expiryNoticedAt),
  };
}

export class PlanAlertStore implements PlanAlertRepository {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<StoreTables>, private readonly tx: Engine['transaction'], private readonly now: () => number) {
    this.db = db.withTables<{ planAlerts: PlanAlertsTable; planAlertSent: PlanAlertSentTable }>();
  }

  private static on(trx: Trx): Kysely<Tables> {
    return trx.withTables<{ planAlerts: PlanAlertsTable; planAlertSent: PlanAlertSentTable }>();
  }

  async create(alert: NewPlanAlert, seenPlanIds: readonly string[], max: number) {
    return this.tx(async (t) => {
      const trx = PlanAlertStore.on(t);
      const owned = (await trx.selectFrom('planAlerts').selectAll().where('ownerId', '=', alert.ownerId).orderBy('id').execute()).map(toAlert);
      if (owned.length >= max) return { ok: false as const, owned };
      const row = await trx
        .insertInto('planAlerts')
        .values({ ...alert, filters: JSON.stringify(alert.filters), expiryNoticedAt: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      const created = toAlert(row);
      const seen = [...new Set(seenPlanIds)];
      for (let i = 0; i < seen.length; i += CHUNK) {
        // a seeded pair's price is unknown here; only the pair's existence matters
        await trx.insertInto('planAlertSent')
          .values(seen.slice(i, i + CHUNK).map((planId) => ({ alertId: created.id, planId, pricePerHour: 0, sentAt: alert.createdAt })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return { ok: true as const, alert: created, owned: owned.length + 1 };
    });
  }

  async get(id: number): Promise<PlanAlert | undefined> {
    const row = await this.db.selectFrom('planAlerts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAlert(row) : undefined;
  }

  async listByOwner(ownerId: string): Promise<PlanAlert[]> {
    return (await this.db.selectFrom('planAlerts').selectAll().where('ownerId', '=', ownerId).orderBy('id').execute()).map(toAlert);
  }

  /** Every alert (the job reads them once per cycle). */
  async all(): Promise<PlanAlert[]> {
    return (await this.db.selectFrom('planAlerts').selectAll().orderBy('id').execute()).map(toAlert);
  }

  async sent(): Promise<SentState> {
    const rows = await this.db.selectFrom('planAlertSent').select(['alertId', 'planId']).execute();
    const out = new Map<number, Set<string>>();
    for (const r of rows) {
      const id = Number(r.alertId);
      let set = out.get(id);
      if (!set) out.set(id, (set = new Set()));
      set.add(r.planId);
    }
    return out;
  }

  async remove(id: number): Promise<boolean> {
    return this.tx(async (t) => {
      const trx = PlanAlertStore.on(t);
      await trx.deleteFrom('planAlertSent').where('alertId', '=', id).execute();
      const res = await trx.deleteFrom('planAlerts').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  async renew(id: number, expiresAt: number): Promise<PlanAlert | undefined> {
    const row = await this.db
      .updateTable('planAlerts')
      .set({ expiresAt, expiryNoticedAt: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toAlert(row) : undefined;
  }

  /**
   * Applies one cycle: forgets, remembers (a pair already remembered, or of an alert removed since
   * the cycle read it, is not claimed and its offer leaves the message), marks expiry notices (only
   * an alert still expired and not yet noticed: a Renew in between wins), and hands the notices
   * that remain to `enqueue`, all in one transaction. Returns the notices enqueued.
   */
  async applyCycle(d: AlertDecision, now: number, enqueue: EnqueueNotices): Promise<PlanAlertNotice[]> {
    if (!d.notices.length && !d.forget.length && !d.remember.length && !d.expire.length) return [];
    return this.tx(async (t) => {
      const trx = PlanAlertStore.on(t);
      for (const p of d.forget) {
        await trx.deleteFrom('planAlertSent').where('alertId', '=', p.alertId).where('planId', '=', p.planId).execute();
      }
      const ids = [...new Set(d.remember.map((p) => p.alertId))];
      const existing = new Set<number>();
      for (let i = 0; i < ids.length; i += CHUNK) {
        const rows = await trx.selectFrom('planAlerts').select('id').where('id', 'in', ids.slice(i, i + CHUNK)).execute();
        for (const r of rows) existing.add(Number(r.id));
      }
      const claimed = new Set<string>();
      const rows = d.remember.filter((p) => existing.has(p.alertId));
      for (let i = 0; i < rows.length; i += CHUNK) {
        const inserted = await trx
          .insertInto('planAlertSent')
          .values(rows.slice(i, i + CHUNK).map((p) => ({ alertId: p.alertId, planId: p.planId, pricePerHour: p.pricePerHour, sentAt: now })))
          .onConflict((oc) => oc.doNothing())
          .returning(['alertId', 'planId'])
          .execute();
        for (const r of inserted) claimed.add(`${Number(r.alertId)}\n${r.planId}`);
      }
      const expired = new Set<number>();
      for (const id of d.expire) {
        const res = await trx
          .updateTable('planAlerts')
          .set({ expiryNoticedAt: now })
          .where('id', '=', id)
          .where('expiryNoticedAt', 'is', null)
          .where('expiresAt', '<=', now)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) expired.add(id);
      }
      const notices: PlanAlertNotice[] = [];
      for (const n of d.notices) {
        if (n.kind === 'plan-alert.expired') {
          if (expired.has(n.alertId)) notices.push(n);
          continue;
        }
        const matches = n.matches.filter((m) => claimed.has(`${n.alertId}\n${m.offer.planId}`));
        if (matches.length) notices.push({ ...n, matches });
      }
      if (notices.length) await enqueue(t, notices, now);
      return notices;
    });
  }

  /** Deletes alerts that expired before `before` (nobody renewed them) and what they told. */
  async prune(before: number): Promise<number> {
    return this.tx(async (t) => {
      const trx = PlanAlertStore.on(t);
      const old = await trx.selectFrom('planAlerts').select('id').where('expiresAt', '<', before).execute();
      if (!old.length) return 0;
      const ids = old.map((r) => Number(r.id));
      for (let i = 0; i < ids.length; i += CHUNK) {
        await trx.deleteFrom('planAlertSent').where('alertId', 'in', ids.slice(i, i + CHUNK)).execute();
        await trx.deleteFrom('planAlerts').where('id', 'in', ids.slice(i, i + CHUNK)).execute();
      }
      return ids.length;
    });
  }
}
