/**
 * The channel each user last used the bot in (a `/gpu` command there, or a shortcut deploy
 * announced there): where the "Deploy a GPU" shortcut's channel picker starts (issue 12 §4).
 */
import type { Kysely } from 'kysely';
import type { Migration } from './schema';
import type { StoreTables } from './tables';

/** Versions 900–999 are shared with ssh-keys.ts (one owner: issue 12 §2/§4). */
export const LAST_CHANNEL_MIGRATIONS: Migration[] = [
  {
    version: 901,
    name: "users' last channel",
    sql: `
      CREATE TABLE last_channels (
        user_id    TEXT PRIMARY KEY,
        channel_id TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
    `,
  },
];

export interface LastChannelsTable {
  userId: string;
  channelId: string;
  updatedAt: number;
}

export class LastChannelStore {
  private readonly db: Kysely<{ lastChannels: LastChannelsTable }>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly now: () => number = Date.now,
  ) {
    this.db = db.withTables<{ lastChannels: LastChannelsTable }>();
  }

  async get(userId: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('lastChannels').select('channelId').where('userId', '=', userId).executeTakeFirst();
    return r?.channelId;
  }

  async remember(userId: string, channelId: string): Promise<void> {
    const updatedAt = this.now();
    await this.db
      .insertInto('lastChannels')
      .values({ userId, channelId, updatedAt })
      .onConflict((oc) => oc.column('userId').doUpdateSet({ channelId, updatedAt }))
      .execute();
  }
}
