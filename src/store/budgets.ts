/**
 * Per-channel hourly budget in USD: the sum of hourly prices of instances deployed from a channel
 * may not exceed it without approval (the rule is services/spend.ts; this keeps the numbers).
 * No row means no budget. Changes return before/after so the caller can audit them.
 */
import type { Db } from './db';

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

interface Row {
  channel_id: string;
  usd_per_hour: number;
  set_by: string;
  set_at: number;
}

function toBudget(r: Row): Budget {
  return { channelId: r.channel_id, usdPerHour: r.usd_per_hour, by: r.set_by, at: r.set_at };
}

function prepareStatements(db: Db) {
  return {
    get: db.prepare(`SELECT * FROM channel_budgets WHERE channel_id = ?`),
    upsert: db.prepare(
      `INSERT INTO channel_budgets (channel_id, usd_per_hour, set_by, set_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel_id) DO UPDATE SET
         usd_per_hour = excluded.usd_per_hour, set_by = excluded.set_by, set_at = excluded.set_at`,
    ),
    delete: db.prepare(`DELETE FROM channel_budgets WHERE channel_id = ?`),
    list: db.prepare(`SELECT * FROM channel_budgets ORDER BY channel_id`),
  };
}

export class BudgetStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  /** Sets the channel's budget; `null` removes it. Throws RangeError on a negative or non-finite amount. */
  set(channelId: string, usdPerHour: number | null, by: string): BudgetChange {
    if (usdPerHour !== null && !(Number.isFinite(usdPerHour) && usdPerHour >= 0)) {
      throw new RangeError(`A budget must be a finite amount of USD per hour, 0 or more (got ${usdPerHour}).`);
    }
    return this.db
      .transaction((): BudgetChange => {
        const before = this.get(channelId)?.usdPerHour ?? null;
        const at = this.now();
        if (usdPerHour === null) this.stmts.delete.run(channelId);
        else this.stmts.upsert.run(channelId, usdPerHour, by, at);
        return { channelId, before, after: usdPerHour, by, at, changed: before !== usdPerHour };
      })
      .immediate();
  }

  get(channelId: string): Budget | undefined {
    const row = this.stmts.get.get(channelId) as Row | undefined;
    return row ? toBudget(row) : undefined;
  }

  list(): Budget[] {
    return (this.stmts.list.all() as Row[]).map(toBudget);
  }
}
