/**
 * Deploy approval requests: a deploy above a limit waits here until an admin approves or denies
 * it, or it expires. A decision is one conditional UPDATE (`WHERE state = 'pending'`), so exactly
 * one decision ever wins, even with two admins clicking at once or two replicas on one database.
 * The payload (the deploy request) arrives encrypted; the store never sees it in clear, and it is
 * wiped (set to '') once the request is denied, expired, or approved and acted on.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { ApprovalsTable, StoreTables } from './tables';

/** One approval request as the table holds it (tables.ts): what was filed, the decision and its outcome. */
export type ApprovalRecord = Selectable<ApprovalsTable>;
export type ApprovalState = ApprovalRecord['state'];
export type ApprovalDecision = 'approved' | 'denied';
export type DecideError = 'not_pending' | 'expired' | 'not_found';

/** What is filed: the request's columns that have no default (tables.ts), the workspace optional. */
export type ApprovalInput = Pick<ApprovalRecord, 'id' | 'channelId' | 'requesterId' | 'type' | 'planId' | 'name' | 'pricePerHour' | 'reason' | 'payload' | 'expiresAt'> & {
  teamId?: string | null;
};

export type DecideResult = ApprovalRecord | { error: DecideError };

export class ApprovalStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /** Files a pending request. Rejects if `id` already exists (ids are unique per deploy attempt). */
  async create(input: ApprovalInput): Promise<ApprovalRecord> {
    const now = this.now();
    return this.db
      .insertInto('approvals')
      .values({ ...input, teamId: input.teamId ?? null, createdAt: now, updatedAt: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  get(id: string): Promise<ApprovalRecord | undefined> {
    return this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Approves or denies a pending request at time `at`. Only the first decision wins; later ones get
   * `not_pending` (already decided) or `expired` (past `expiresAt`, whether or not expireDue ran yet).
   * An expired request is left for expireDue, so its message is updated by the sweep that owns that.
   */
  async decide(id: string, d: { decision: ApprovalDecision; by: string; at: number }): Promise<DecideResult> {
    // the conditional UPDATE decides (one winner across admins and replicas); the read after it only
    // explains a loss, in the same transaction so it explains it with the state that won
    return this.tx(async (trx): Promise<DecideResult> => {
      const won = await trx
        .updateTable('approvals')
        .set({ state: d.decision, decidedBy: d.by, decidedAt: d.at, updatedAt: d.at, ...(d.decision === 'denied' ? { payload: '' } : {}) })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('expiresAt', '>', d.at)
        .returningAll()
        .executeTakeFirst();
      if (won) return won;
      const row = await trx.selectFrom('approvals').select(['state', 'expiresAt']).where('id', '=', id).executeTakeFirst();
      if (!row) return { error: 'not_found' };
      if (row.state === 'expired' || (row.state === 'pending' && row.expiresAt <= d.at)) return { error: 'expired' };
      return { error: 'not_pending' };
    });
  }

  /** Remembers the approval request message (to update it when decided or expired). */
  async setMessage(id: string, channelId: string, messageTs: string): Promise<boolean> {
    const r = await this.db.updateTable('approvals').set({ messageChannelId: channelId, messageTs, updatedAt: this.now() }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Records the instance an approved request deployed; undefined unless approved and not yet recorded (one statement: one winner). */
  markDeployed(id: string, instanceId: string): Promise<ApprovalRecord | undefined> {
    const at = this.now();
    return this.db
      .updateTable('approvals')
      .set({ instanceId, deployedAt: at, updatedAt: at })
      .where('id', '=', id)
      .where('state', '=', 'approved')
      .where('instanceId', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Marks every pending request due at `now` as expired and returns them (each one exactly once: one
   * UPDATE … RETURNING). `db`: the caller's transaction, when the notices are claimed in it too.
   */
  async expireDue(now: number, db: Kysely<StoreTables> = this.db): Promise<ApprovalRecord[]> {
    const rows = await db
      .updateTable('approvals')
      .set({ state: 'expired', updatedAt: now, payload: '' })
      .where('state', '=', 'pending')
      .where('expiresAt', '<=', now)
      .returningAll()
      .execute();
    return rows.sort((a, b) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id));
  }

  /**
   * Forgets the sealed deploy of a decided request (an approved one once it was acted on). A denied
   * or expired request loses it in the same UPDATE that closes it. Pending requests keep theirs.
   */
  async wipePayload(id: string): Promise<boolean> {
    const r = await this.db.updateTable('approvals').set({ payload: '' }).where('id', '=', id).where('state', '!=', 'pending').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Approved requests whose sealed deploy was never wiped: the bot stopped before it finished acting on them. */
  listApprovedUnsettled(): Promise<ApprovalRecord[]> {
    return this.db
      .selectFrom('approvals')
      .selectAll()
      .where('state', '=', 'approved')
      .where('instanceId', 'is', null)
      .where('payload', '<>', '')
      .orderBy('decidedAt')
      .orderBy('id')
      .execute();
  }

  /** Requests still waiting for a decision, oldest first. */
  listPending(): Promise<ApprovalRecord[]> {
    return this.db.selectFrom('approvals').selectAll().where('state', '=', 'pending').orderBy('createdAt').orderBy('id').execute();
  }
}
