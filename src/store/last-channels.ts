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

/** Users whose last write is remembered in memory (cleared when full; a miss only costs a write). */
const WRITTEN_MEMO_MAX = 10_000;

export class LastChannelStore {
  private readonly db: Kysely<{ lastChannels: LastChannelsTable }>;
  /** userId → the channel this process last wrote for them. */
  private readonly written = new Map<string, string>();

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
    // Every /gpu command remembers its channel, so this sits on the answer's path: a user who stays
    // in one channel writes once, not once per command (each write is a WAL commit, and the
    // checkpoints they add up to block the event loop: ack p99 went from ~0.55 s to ~2.5 s in
    // `npm run bench -- ack` before this). Per process; another replica's newer choice is only
    // overwritten when this user next changes channel here, which is fine for a best-effort default.
    if (this.written.get(userId) === channelId) return;
    const updatedAt = this.now();
    await this.db
      .insertInto('lastChannels')
      .values({ userId, channelId, updatedAt })
      .onConflict((oc) => oc.column('userId').doUpdateSet({ channelId, updatedAt }))
      .execute();
    if (this.written.size >= WRITTEN_MEMO_MAX) this.written.clear();
    this.written.set(userId, channelId);
  }
}
