/**
 * Kept form secrets (services/form-secrets.ts): one sealed payload per deploy modal, keyed by
 * its request id, with an expiry. The payload arrives sealed; the store never sees it in clear.
 * Every write also deletes what has expired, so nothing outlives its time by more than one write.
 */
import type { Kysely } from 'kysely';
import type { StoreTables } from './tables';
import { sqliteAndPostgres, type Migration } from './migration';

/**
 * Owned by this module: versions 400–499 (versions are one global sequence tracked by
 * user_version, so a new module takes a range above every one already shipped).
 */
export const FORM_DRAFT_MIGRATIONS: Migration[] = [
  {
    version: 400,
    name: 'kept form secrets',
    sql: sqliteAndPostgres(`
      -- The secret values of a deploy form that was re-rendered, sealed by the caller and keyed by
      -- the modal's request id, so they are never sent back to Slack. Deleted once the form is
      -- deployed, and when expired.
      CREATE TABLE form_drafts (
        request_id TEXT PRIMARY KEY,
        payload    TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX form_drafts_expires ON form_drafts (expires_at);
    `),
  },
];

export class FormDraftStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {}

  async put(requestId: string, sealed: string, expiresAt: number): Promise<void> {
    await this.deleteExpired();
    await this.db
      .insertInto('formDrafts')
      .values({ requestId, payload: sealed, expiresAt })
      .onConflict((oc) => oc.column('requestId').doUpdateSet({ payload: sealed, expiresAt }))
      .execute();
  }

  /** The sealed payload, unless there is none or it has expired. */
  async get(requestId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('formDrafts').select('payload').where('requestId', '=', requestId).where('expiresAt', '>', this.now()).executeTakeFirst();
    return row?.payload;
  }

  async delete(requestId: string): Promise<void> {
    await this.db.deleteFrom('formDrafts').where('requestId', '=', requestId).execute();
    await this.deleteExpired();
  }

  private async deleteExpired(): Promise<void> {
    await this.db.deleteFrom('formDrafts').where('expiresAt', '<=', this.now()).execute();
  }
}
