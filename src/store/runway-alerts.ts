/**
 * The runway thresholds' state (issue 11 §4): a row per threshold, `fired_at` set while it is
 * fired. Firing is a conditional upsert (only an armed threshold fires) in the same transaction that
 * puts the alert in the outbox: one alert per crossing, across restarts and replicas. Re-arming
 * clears `fired_at`.
 */
import type { Kysely } from 'kysely';
import type { MoneyEnqueue } from '../services/money-notices';
import type { RunwayAlertData } from '../services/runway';
import type { RunwayRecords } from '../services/runway-job';
import type { Trx } from './engine';
import type { MoneyTables } from './money-migrations';
import type { StoreTables } from './tables';

export class RunwayAlertStore implements RunwayRecords {
  private readonly db: Kysely<StoreTables & MoneyTables>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly tx: <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly enqueue: MoneyEnqueue<Trx>,
  ) {
    this.db = db.withTables<MoneyTables>();
  }

  async fired(): Promise<Set<number>> {
    const rows = await this.db.selectFrom('runwayAlerts').select('thresholdHours').where('firedAt', 'is not', null).execute();
    return new Set(rows.map((r) => Number(r.thresholdHours)));
  }

  async apply(d: { fire: number[]; rearm: number[] }, alert: Omit<RunwayAlertData, 'threshold' | 'crossed'>, now: number): Promise<number[]> {
    return this.tx(async (trx) => {
      const t = trx.withTables<MoneyTables>();
      for (const h of d.rearm) {
        await t.updateTable('runwayAlerts').set({ firedAt: null, rearmedAt: now }).where('thresholdHours', '=', h).where('firedAt', 'is not', null).execute();
      }
      const firedNow: number[] = [];
      for (const h of d.fire) {
        const r = await t
          .insertInto('runwayAlerts')
          .values({ thresholdHours: h, firedAt: now, runwayAtFire: alert.runwayHours, rearmedAt: null })
          .onConflict((oc) => oc.column('thresholdHours').doUpdateSet({ firedAt: now, runwayAtFire: alert.runwayHours }).where('runwayAlerts.firedAt', 'is', null))
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) firedNow.push(h);
      }
      if (firedNow.length) {
        const threshold = Math.min(...firedNow);
        await this.enqueue(trx, [{ key: `runway:${threshold}:${now}`, notice: { kind: 'runway.alert', threshold, crossed: firedNow, ...alert } }], now);
      }
      return firedNow;
    });
  }
}
