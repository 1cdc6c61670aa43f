/**
 * Work claims: "this piece of work is being done (or was just done), by someone" in the store, so
 * every replica sees it (issue 13 §1: no in-memory guard decides correctness). Used for a deploy's
 * POST in flight (the reconciler leaves it alone), a terminate click (one DELETE for a double
 * click), an update/rename form (one PUT for a double submit or a Slack retry) and an approved
 * deploy being acted on (the start-up resume leaves it alone).
 *
 * A claim is one conditional statement: INSERT, or take over a row whose claim has expired
 * (`ON CONFLICT … DO UPDATE … WHERE expires_at <= now`), so a replica killed while holding a claim
 * frees it by itself after its time-to-live. Each claim carries a random token: releasing or
 * finishing is conditional on it, so a slow holder whose claim expired and was taken over cannot
 * free the new holder's claim. Versions 1200–1249.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration';
import type { StoreTables } from './tables';

export const WORK_CLAIM_MIGRATIONS: Migration[] = [
  {
    version: 1200,
    name: 'work claims: in-flight work every replica sees',
    sql: `
      CREATE TABLE work_claims (
        key        TEXT PRIMARY KEY,
        token      TEXT NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('running', 'done')),
        claimed_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX work_claims_expires ON work_claims (expires_at);
    `,
  },
];

export interface WorkClaimsTable {
  key: string;
  token: string;
  /** running: the work is under way; done: it succeeded and a repeat must be a no-op until expiry. */
  state: 'running' | 'done';
  claimedAt: number;
  expiresAt: number;
}

/** A claim this process holds: release or finish it with this. */
export interface WorkClaim {
  key: string;
  token: string;
}

export type WorkClaimState = 'running' | 'done';

export class WorkClaimStore {
  private readonly db: Kysely<{ workClaims: WorkClaimsTable }>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {
    this.db = db.withTables<{ workClaims: WorkClaimsTable }>();
  }

  /**
   * Claims `key` for `ttlMs`: a key nobody holds, or one whose claim (running or done) has expired.
   * Undefined when another claim holds it. One statement, so two claimants never both win.
   */
  async claim(key: string, ttlMs: number): Promise<WorkClaim | undefined> {
    const now = this.now();
    const token = randomUUID();
    const row = { token, state: 'running' as const, claimedAt: now, expiresAt: now + ttlMs };
    const won = await this.db
      .insertInto('workClaims')
      .values({ key, ...row })
      .onConflict((oc) => oc.column('key').doUpdateSet(row).where('workClaims.expiresAt', '<=', now))
      .returning('token')
      .executeTakeFirst();
    return won?.token === token ? { key, token } : undefined;
  }

  /** The live claim on `key` (an expired one counts as none). */
  async state(key: string): Promise<WorkClaimState | undefined> {
    const r = await this.db.selectFrom('workClaims').select('state').where('key', '=', key).where('expiresAt', '>', this.now()).executeTakeFirst();
    return r?.state;
  }

  /** Ends the claim (the work failed or is over): the key is free again. False if it was no longer ours. */
  async release(c: WorkClaim): Promise<boolean> {
    const r = await this.db.deleteFrom('workClaims').where('key', '=', c.key).where('token', '=', c.token).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The work succeeded: the key stays taken for `keepMs` more, so a late repeat does nothing. */
  async finish(c: WorkClaim, keepMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('workClaims')
      .set({ state: 'done', expiresAt: this.now() + keepMs })
      .where('key', '=', c.key)
      .where('token', '=', c.token)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The keys under `prefix` (returned without it) whose work is running now, on any replica, and until when their claims hold. */
  async running(prefix: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('workClaims')
      .select(['key', 'expiresAt'])
      // substr, not LIKE (SQLite's LIKE ignores case) nor a range (PostgreSQL's collation may ignore punctuation)
      .where(sql<string>`substr(key, 1, ${sql.lit(prefix.length)})`, '=', prefix)
      .where('state', '=', 'running')
      .where('expiresAt', '>', this.now())
      .execute();
    return new Map(rows.map((r) => [r.key.slice(prefix.length), Number(r.expiresAt)]));
  }

  /** Deletes expired claims (they are free already; this only keeps the table small). */
  async prune(): Promise<number> {
    const r = await this.db.deleteFrom('workClaims').where('expiresAt', '<=', this.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
