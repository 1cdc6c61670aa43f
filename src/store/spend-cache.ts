/**
 * The spend cache (issue 11 §3): billing figures that cannot have changed, so the spend report and
 * the burn figure skip their detail calls. ENDED/FAILED totals are kept for good; an ACTIVE total
 * until its next hourly charge (spend-facts.ts says when each is still true); an ACTIVE price for
 * good (a price never changes). A final figure is never overwritten by a changing one.
 */
import type { Kysely } from 'kysely';
import type { InstanceState } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { SpendCacheEntry, SpendCacheRepo } from '../services/spend-facts';
import type { MoneyTables } from './money-migrations';
import type { StoreTables } from './tables';

/** SQLite allows 32,766 parameters; PostgreSQL 65,535: read in slices well under both. */
const SLICE = 500;

export class SpendCacheStore implements SpendCacheRepo {
  private readonly db: Kysely<StoreTables & MoneyTables>;

  constructor(db: Kysely<StoreTables>) {
    this.db = db.withTables<MoneyTables>();
  }

  async getMany(ids: readonly string[]): Promise<Map<string, SpendCacheEntry>> {
    const out = new Map<string, SpendCacheEntry>();
    for (let i = 0; i < ids.length; i += SLICE) {
      const rows = await this.db.selectFrom('spendCache').selectAll().where('instanceId', 'in', ids.slice(i, i + SLICE)).execute();
      for (const r of rows) out.set(r.instanceId, { ...r, type: r.type as WorkloadType, state: r.state as InstanceState, validUntil: r.validUntil === null ? null : Number(r.validUntil), fetchedAt: Number(r.fetchedAt) });
    }
    return out;
  }

  async putMany(all: readonly SpendCacheEntry[]): Promise<void> {
    // one row per instance per statement (PostgreSQL refuses to update a row twice in one INSERT)
    const entries = [...new Map(all.map((e) => [e.instanceId, e])).values()];
    for (let i = 0; i < entries.length; i += SLICE) {
      await this.db
        .insertInto('spendCache')
        .values(entries.slice(i, i + SLICE).map((e) => ({ ...e })))
        .onConflict((oc) =>
          oc.column('instanceId').doUpdateSet((eb) => ({
            type: eb.ref('excluded.type'),
            state: eb.ref('excluded.state'),
            totalSpendings: eb.ref('excluded.totalSpendings'),
            hourlyUsage: eb.ref('excluded.hourlyUsage'),
            validUntil: eb.ref('excluded.validUntil'),
            fetchedAt: eb.ref('excluded.fetchedAt'),
          })).where('spendCache.validUntil', 'is not', null),
        )
        .execute();
    }
  }
}
