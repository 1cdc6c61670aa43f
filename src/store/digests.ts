/**
 * The daily digest's state (issue 11 §4): which channels opted in, and which local days each channel
 * has had its digest decided for. Exactly once per channel and day: the row is inserted
 * (`ON CONFLICT DO NOTHING`) in the same transaction that puts the digest in the outbox, so a
 * restart, a second tick or a second replica finds the row and sends nothing more.
 */
import type { Kysely } from 'kysely';
import type { DigestData } from '../services/digest';
import type { DigestRecords } from '../services/digest-job';
import type { MoneyEnqueue } from '../services/money-notices';
import type { Trx } from './engine';
import type { MoneyTables } from './money-migrations';
import type { StoreTables } from './tables';

export class DigestStore implements DigestRecords {
  private readonly db: Kysely<StoreTables & MoneyTables>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly tx: <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly enqueue: MoneyEnqueue<Trx>,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<MoneyTables>();
  }

  async optedIn(): Promise<string[]> {
    const rows = await this.db.selectFrom('digestChannels').select('channelId').orderBy('enabledAt').orderBy('channelId').execute();
    return rows.map((r) => r.channelId);
  }

  /** Switches a channel on or off; `changed` is false when it already was. */
  async setOptIn(channelId: string, on: boolean, by: string): Promise<{ changed: boolean }> {
    if (on) {
      const r = await this.db
        .insertInto('digestChannels')
        .values({ channelId, enabledBy: by, enabledAt: this.now() })
        .onConflict((oc) => oc.column('channelId').doNothing())
        .executeTakeFirst();
      return { changed: Number(r.numInsertedOrUpdatedRows ?? 0) > 0 };
    }
    const r = await this.db.deleteFrom('digestChannels').where('channelId', '=', channelId).executeTakeFirst();
    return { changed: Number(r.numDeletedRows) > 0 };
  }

  async decided(date: string, channels: readonly string[]): Promise<Set<string>> {
    if (channels.length === 0) return new Set();
    const rows = await this.db.selectFrom('digestRuns').select('channelId').where('localDate', '=', date).where('channelId', 'in', [...channels]).execute();
    return new Set(rows.map((r) => r.channelId));
  }

  async claim(date: string, channels: readonly string[], data: DigestData | null, now: number): Promise<string[]> {
    return this.tx(async (trx) => {
      const t = trx.withTables<MoneyTables>();
      const claimed: string[] = [];
      for (const channel of new Set(channels)) {
        const r = await t
          .insertInto('digestRuns')
          .values({ channelId: channel, localDate: date, outcome: data ? 'sent' : 'empty', decidedAt: now })
          .onConflict((oc) => oc.columns(['channelId', 'localDate']).doNothing())
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        claimed.push(channel);
        if (data) await this.enqueue(trx, [{ key: `digest:${channel}:${date}`, notice: { kind: 'digest.daily', channel, ...data } }], now);
      }
      return claimed;
    });
  }
}
