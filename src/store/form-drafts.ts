/**
 * Kept form secrets (services/form-secrets.ts): one sealed payload per deploy modal, keyed by
 * its request id, with an expiry. The payload arrives sealed; the store never sees it in clear.
 * Every write also deletes what has expired, so nothing outlives its time by more than one write.
 */
import type { Db } from './db';
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
  private readonly stmts;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      put: db.prepare(
        `INSERT INTO form_drafts (request_id, payload, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (request_id) DO UPDATE SET payload = excluded.payload, expires_at = excluded.expires_at`,
      ),
      get: db.prepare(`SELECT payload FROM form_drafts WHERE request_id = ? AND expires_at > ?`),
      delete: db.prepare(`DELETE FROM form_drafts WHERE request_id = ?`),
      deleteExpired: db.prepare(`DELETE FROM form_drafts WHERE expires_at <= ?`),
    };
  }

  put(requestId: string, sealed: string, expiresAt: number): void {
    this.stmts.deleteExpired.run(this.now());
    this.stmts.put.run(requestId, sealed, expiresAt);
  }

  /** The sealed payload, unless there is none or it has expired. */
  get(requestId: string): string | undefined {
    return (this.stmts.get.get(requestId, this.now()) as { payload: string } | undefined)?.payload;
  }

  delete(requestId: string): void {
    this.stmts.delete.run(requestId);
    this.stmts.deleteExpired.run(this.now());
  }
}
