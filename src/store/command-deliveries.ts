/**
 * Slash commands already handled, so that one delivered twice (Slack or a proxy re-sending the same
 * request after a timeout, with or without X-Slack-Retry-Num) acts once, across restarts too. A
 * key is kept for RETENTION_MS, well past Slack's last retry (about 5 minutes after the first).
 */
import type { Db } from './db';
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
  private readonly insert;
  private readonly prune;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO command_deliveries (key, at) VALUES (?, ?)`);
    this.prune = db.prepare(`DELETE FROM command_deliveries WHERE at < ?`);
  }

  /** True the first time `key` is seen within the retention; false for a repeat. Throws if the store fails. */
  claim(key: string): boolean {
    return this.db
      .transaction((): boolean => {
        const at = this.now();
        this.prune.run(at - RETENTION_MS);
        return this.insert.run(key, at).changes === 1;
      })
      .immediate();
  }
}
