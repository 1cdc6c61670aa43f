/**
 * Deploy modals the bot opened. The request id in a modal's private_metadata is the deploy's
 * idempotency key; recording it (with the user it was issued to) when the modal opens means a
 * submission carrying an id the bot never issued, or one issued to someone else, is refused,
 * however correctly it is signed. The prices the form last showed are kept here too (server-side,
 * not in the 3000-char metadata): a submit never deploys at a higher price than the user saw.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { DeployModalsTable, StoreTables } from './tables';

/** A modal as the table holds it (tables.ts), its shown prices (planId -> USD/h, as the form last showed them) parsed. */
export type DeployModalRecord = Omit<Selectable<DeployModalsTable>, 'shownPrices'> & { shownPrices: Record<string, number> };

function parsePrices(text: string): Record<string, number> {
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object') return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}

export class DeployModalStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a request id the bot is about to put in a modal for `userId`. Rejects if it was issued before. */
  async issue(requestId: string, o: { teamId?: string | null; userId: string; channelId: string }): Promise<void> {
    const now = this.now();
    await this.db.insertInto('deployModals').values({ requestId, teamId: o.teamId ?? null, userId: o.userId, channelId: o.channelId, createdAt: now, updatedAt: now }).execute();
  }

  async get(requestId: string): Promise<DeployModalRecord | undefined> {
    const row = await this.db.selectFrom('deployModals').selectAll().where('requestId', '=', requestId).executeTakeFirst();
    return row && { ...row, shownPrices: parsePrices(row.shownPrices) };
  }

  async setView(requestId: string, viewId: string): Promise<void> {
    await this.db.updateTable('deployModals').set({ viewId, updatedAt: this.now() }).where('requestId', '=', requestId).execute();
  }

  /** The prices the form now shows (replacing what it showed before: that is what the user sees). */
  async setShownPrices(requestId: string, prices: Record<string, number>): Promise<void> {
    await this.db.updateTable('deployModals').set({ shownPrices: JSON.stringify(prices), updatedAt: this.now() }).where('requestId', '=', requestId).execute();
  }

  /** Sets the price shown for one plan (the bot told the user a new price and asked again). */
  async setShownPrice(requestId: string, planId: string, price: number): Promise<void> {
    // read and write in one transaction: a re-render writing all prices meanwhile is not undone
    await this.tx(async (trx) => {
      const row = await trx.selectFrom('deployModals').select('shownPrices').where('requestId', '=', requestId).executeTakeFirst();
      if (!row) return;
      const shownPrices = JSON.stringify({ ...parsePrices(row.shownPrices), [planId]: price });
      await trx.updateTable('deployModals').set({ shownPrices, updatedAt: this.now() }).where('requestId', '=', requestId).execute();
    });
  }

  /** Forgets modals not touched for `olderThanMs` (a submission after that is refused as out of date). */
  async prune(olderThanMs: number): Promise<number> {
    const r = await this.db.deleteFrom('deployModals').where('updatedAt', '<', this.now() - olderThanMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
