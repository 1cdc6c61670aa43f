/**
 * The notices of the money jobs (data only, stored in the outbox as JSON): the daily digest of one
 * channel and a runway alert. src/slack/notices/money.ts renders them.
 */
import type { DigestData } from './digest';
import type { RunwayAlertData } from './runway';

declare module '../background/notices' {
  interface NoticeMap {
    /** One channel's daily digest (services/digest-job.ts). */
    'digest.daily': { channel: string } & DigestData;
    /** The runway dropped under a threshold (services/runway-job.ts). */
    'runway.alert': RunwayAlertData;
  }
}

export type DigestNotice = { kind: 'digest.daily'; channel: string } & DigestData;
export type RunwayNotice = { kind: 'runway.alert' } & RunwayAlertData;
export type MoneyNotice = DigestNotice | RunwayNotice;

/** How a money repository puts a notice in the outbox inside its own transaction. */
export type MoneyEnqueue<Trx> = (trx: Trx, entries: Array<{ key: string; notice: MoneyNotice }>, now: number) => Promise<void>;
