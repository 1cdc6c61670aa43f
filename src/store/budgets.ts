/**
 * Per-channel hourly budget in USD: the sum of hourly prices of instances deployed from a channel
 * may not exceed it without approval (the rule is services/spend.ts; this keeps the numbers).
 * No row means no budget. Changes return before/after so the caller can audit them.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { ChannelBudgetsTable, StoreTables } from './tables';

export interface Budget {
  channelId: string;
  usdPerHour: number;
  by: string;
  at: number;
}

export interface BudgetChange {
  channelId: string;
  before: number | null;
  /** null when the budget was removed. */
  after: number | null;
  by: string;
  at: number;
  changed: boolean;
}

/** The one mapping of a channel_budgets row (set_by/set_at are `by`/`at` everywhere else). */
function toBudget(r: Selectable<ChannelBudgetsTable>): Budget {
  return { channelId: r.channelId, usdPerHour: r.usdPerHour, by: r.setBy, at: r.setAt };
}

export class BudgetStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sets the channel's budget; `null` removes it. Throws RangeError on a negative or non-finite amount. */
  async set(channelId: string, usdPerHour: number | null, by: string): Promise<BudgetChange> {
    if (usdPerHour !== null && !(Number.isFinite(usdPerHour) && usdPerHour >= 0)) {
      throw new RangeError(`A budget must be a finite amount of USD per hour, 0 or more (got ${usdPerHour}).`);
    }
    return this.tx(async (trx) => {
      const before = (await this.read(trx, channelId))?.usdPerHour ?? null;
      const at = this.now();
      if (usdPerHour === null) await trx.deleteFrom('channelBudgets').where('channelId', '=', channelId).execute();
      else {
        await trx
          .insertInto('channelBudgets')
          .values({ channelId, usdPerHour, setBy: by, setAt: at })
          .onConflict((oc) => oc.column('channelId').doUpdateSet({ usdPerHour, setBy: by, setAt: at }))
          .execute();
      }
      return { channelId, before, after: usdPerHour, by, at, changed: before !== usdPerHour };
    });
  }

  /** The channel's budget; `db` is the caller's transaction when the read decides a write in it. */
  get(channelId: string, db: Kysely<StoreTables> = this.db): Promise<Budget | undefined> {
    return this.read(db, channelId);
  }

  async list(): Promise<Budget[]> {
    return (await this.db.selectFrom('channelBudgets').selectAll().orderBy('channelId').execute()).map(toBudget);
  }

  private async read(db: Kysely<StoreTables>, channelId: string): Promise<Budget | undefined> {
    const row = await db.selectFrom('channelBudgets').selectAll().where('channelId', '=', channelId).executeTakeFirst();
    return row && toBudget(row);
  }
}
