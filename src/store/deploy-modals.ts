/**
 * Deploy modals the bot opened. The request id in a modal's private_metadata is the deploy's
 * idempotency key; recording it (with the user it was issued to) when the modal opens means a
 * submission carrying an id the bot never issued, or one issued to someone else, is refused,
 * however correctly it is signed. The prices the form last showed are kept here too (server-side,
 * not in the 3000-char metadata): a submit never deploys at a higher price than the user saw.
 */
import type { Db } from './db';

export interface DeployModalRecord {
  requestId: string;
  teamId: string | null;
  userId: string;
  channelId: string;
  /** Slack's view id, once views.open answered. */
  viewId: string | null;
  /** planId -> USD/h, as the form last showed them. */
  shownPrices: Record<string, number>;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  request_id: string;
  team_id: string | null;
  user_id: string;
  channel_id: string;
  view_id: string | null;
  shown_prices: string;
  created_at: number;
  updated_at: number;
}

function parsePrices(text: string): Record<string, number> {
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object') return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}

function toRecord(r: Row): DeployModalRecord {
  return {
    requestId: r.request_id,
    teamId: r.team_id,
    userId: r.user_id,
    channelId: r.channel_id,
    viewId: r.view_id,
    shownPrices: parsePrices(r.shown_prices),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class DeployModalStore {
  private readonly stmts;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      issue: db.prepare(
        `INSERT INTO deploy_modals (request_id, team_id, user_id, channel_id, created_at, updated_at)
         VALUES (@requestId, @teamId, @userId, @channelId, @now, @now)`,
      ),
      get: db.prepare(`SELECT * FROM deploy_modals WHERE request_id = ?`),
      setView: db.prepare(`UPDATE deploy_modals SET view_id = ?, updated_at = ? WHERE request_id = ?`),
      setPrices: db.prepare(`UPDATE deploy_modals SET shown_prices = ?, updated_at = ? WHERE request_id = ?`),
      prune: db.prepare(`DELETE FROM deploy_modals WHERE updated_at < ?`),
    };
  }

  /** Records a request id the bot is about to put in a modal for `userId`. */
  issue(requestId: string, o: { teamId?: string | null; userId: string; channelId: string }): void {
    this.stmts.issue.run({ requestId, teamId: o.teamId ?? null, userId: o.userId, channelId: o.channelId, now: this.now() });
  }

  get(requestId: string): DeployModalRecord | undefined {
    const row = this.stmts.get.get(requestId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  setView(requestId: string, viewId: string): void {
    this.stmts.setView.run(viewId, this.now(), requestId);
  }

  /** The prices the form now shows (replacing what it showed before: that is what the user sees). */
  setShownPrices(requestId: string, prices: Record<string, number>): void {
    this.stmts.setPrices.run(JSON.stringify(prices), this.now(), requestId);
  }

  /** Sets the price shown for one plan (the bot told the user a new price and asked again). */
  setShownPrice(requestId: string, planId: string, price: number): void {
    const current = this.get(requestId);
    if (current) this.setShownPrices(requestId, { ...current.shownPrices, [planId]: price });
  }

  /** Forgets modals not touched for `olderThanMs` (a submission after that is refused as out of date). */
  prune(olderThanMs: number): number {
    return this.stmts.prune.run(this.now() - olderThanMs).changes;
  }
}
