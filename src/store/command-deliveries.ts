/**
 * Slash commands already handled, so that one delivered twice (Slack or a proxy re-sending the same
 * request after a timeout, with or without X-Slack-Retry-Num) acts once, across restarts too. A
 * key is kept for RETENTION_MS, well past Slack's last retry (about 5 minutes after the first).
 */
import type { Kysely } from 'kysely';
import type { StoreTables } from './tables';
import { sqliteAndPostgres, type Migration } from './migration';

export const RETENTION_MS = 60 * 60_000;

/** Owned by the Slack command listener (command_deliveries table): versions 200–299. */
export const DELIVERY_MIGRATIONS: Migration[] = [
  {
    version: 200,
    name: 'slash command deliveries (act once per delivery)',
    sql: sqliteAndPostgres(`
      CREATE TABLE command_deliveries (
        key TEXT PRIMARY KEY,
        at  INTEGER NOT NULL
      );
      CREATE INDEX command_deliveries_at ON command_deliveries (at);
    `),
  },
];

export class CommandDeliveryStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {}

  /** True the first time `key` is seen within the retention; false for a repeat. Rejects if the store fails. */
  async claim(key: string): Promise<boolean> {
    const at = this.now();
    await this.db.deleteFrom('commandDeliveries').where('at', '<', at - RETENTION_MS).execute();
    // one statement decides: two replicas receiving the same delivery cannot both insert the key
    const won = await this.db.insertInto('commandDeliveries').values({ key, at }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    return won !== undefined;
  }
}
