/**
 * Users' saved SSH public keys (issue 12 §2): one per Slack user, the key line as checked by
 * services/ssh-keys.ts, with what the bot read from it (fingerprint, algorithm, bits) so a list or
 * a log can name a key without the key. A public key is not a secret, but it is never logged whole.
 */
import type { Kysely } from 'kysely';
import type { Migration } from './schema';
import type { StoreTables } from './tables';
import type { SavedKeyRepository, SavedKeyRow } from '../services/ssh-key-book';

/** Owned by this module and last-channels.ts: versions 900–999. */
export const SSH_KEY_MIGRATIONS: Migration[] = [
  {
    version: 900,
    name: 'saved ssh keys',
    sql: `
      -- One saved public key per Slack user: deploy and update forms offer it first.
      CREATE TABLE ssh_keys (
        user_id     TEXT PRIMARY KEY,
        public_key  TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        algorithm   TEXT NOT NULL,
        bits        INTEGER NOT NULL,
        updated_at  BIGINT NOT NULL
      );
    `,
  },
];

export interface SshKeysTable {
  userId: string;
  publicKey: string;
  fingerprint: string;
  algorithm: string;
  bits: number;
  updatedAt: number;
}

export class SshKeyStore implements SavedKeyRepository {
  private readonly db: Kysely<{ sshKeys: SshKeysTable }>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {
    this.db = db.withTables<{ sshKeys: SshKeysTable }>();
  }

  async get(userId: string): Promise<SavedKeyRow | undefined> {
    const r = await this.db.selectFrom('sshKeys').selectAll().where('userId', '=', userId).executeTakeFirst();
    return r && { ...r, bits: Number(r.bits), updatedAt: Number(r.updatedAt) };
  }

  /** One statement: a second save (another replica, a double click) simply wins. */
  async put(row: Omit<SavedKeyRow, 'updatedAt'>): Promise<void> {
    const values = { ...row, updatedAt: this.now() };
    const { userId: _key, ...update } = values;
    await this.db.insertInto('sshKeys').values(values).onConflict((oc) => oc.column('userId').doUpdateSet(update)).execute();
  }

  async delete(userId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sshKeys').where('userId', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
