/**
 * The digest job, one run per scheduler tick (issue 11 §4). Cheap when nothing is owed: the due
 * time is computed, the store says which channels already have today's digest, and nothing else
 * happens. When one is owed it reads the tick's fleet snapshot (the watcher's list calls, no list of
 * its own), the figures through the money service (spend cache + bounded detail calls), and claims
 * every owed channel's digest in ONE store transaction with its outbox notice (store/digests.ts). A
 * day on which nothing runs is claimed with no message. No Slack here: src/slack renders the notice.
 */
import type { InstanceSummary } from '../fluence/model';
import { WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import { channelsOwed, digestInstances, dueDigest, type DigestData, type DigestSchedule } from './digest';
import type { MoneyService } from './money';
import { yesterdayWindow } from './spend-window';

/** What the digest job keeps (store/digests.ts). */
export interface DigestRecords {
  /** Channels that opted in with `/gpu digest #channel on`. */
  optedIn(): Promise<string[]>;
  /** Of `channels`, those whose digest of `date` is already decided (sent or empty). */
  decided(date: string, channels: readonly string[]): Promise<Set<string>>;
  /**
   * In one transaction: each channel's row for `date` (only if none exists) and, when `data` is
   * given, its notice in the outbox. Returns the channels claimed now.
   */
  claim(date: string, channels: readonly string[], data: DigestData | null, now: number): Promise<string[]>;
}

export interface DigestJobOptions {
  schedule: DigestSchedule;
  /** DIGEST_CHANNEL */
  channel: string | null;
  records: DigestRecords;
  money: Pick<MoneyService, 'report'>;
  /** The lease end of an instance: undefined none, null until terminated. */
  leaseEnd(instanceId: string): Promise<number | null | undefined>;
  logger: Logger;
}

export interface DigestTick {
  now: number;
  fleet: { list(type: WorkloadType): Promise<InstanceSummary[]> };
}

export interface DigestRunReport {
  date: string | null;
  sent: string[];
  empty: string[];
}

export class DigestJob {
  constructor(private readonly o: DigestJobOptions) {}

  async run(tick: DigestTick): Promise<DigestRunReport> {
    const none: DigestRunReport = { date: null, sent: [], empty: [] };
    const due = dueDigest(tick.now, this.o.schedule);
    if (!due) return none;
    const channels = [...(this.o.channel ? [this.o.channel] : []), ...(await this.o.records.optedIn())];
    if (channels.length === 0) return none;
    const owed = channelsOwed(channels, await this.o.records.decided(due.date, channels));
    if (owed.length === 0) return { ...none, date: due.date };

    const instances: InstanceSummary[] = [];
    const failedTypes: WorkloadType[] = [];
    await Promise.all(
      WORKLOAD_TYPES.map(async (type) => {
        try {
          instances.push(...(await tick.fleet.list(type)));
        } catch (err) {
          failedTypes.push(type);
          this.o.logger.warn({ type, err }, 'digest: no instance list for this type');
        }
      }),
    );
    // with no list at all nothing can be said: try again next tick rather than claim an empty day
    if (failedTypes.length === WORKLOAD_TYPES.length) return { ...none, date: due.date };
    if (!instances.some((i) => i.state === 'active') && failedTypes.length === 0) {
      const empty = await this.o.records.claim(due.date, owed, null, tick.now);
      return { date: due.date, sent: [], empty };
    }
    const report = await this.o.money.report(yesterdayWindow(tick.now, this.o.schedule.tz), 'user', { instances, failedTypes });
    const leases = new Map<string, number | null | undefined>();
    for (const f of report.facts) if (f.instance.state === 'active') leases.set(f.instance.id, await this.o.leaseEnd(f.instance.id));
    const listed = digestInstances(report.facts, (id) => leases.get(id));
    if (!listed) {
      // the details say nothing runs after all (ended since the list)
      const empty = failedTypes.length ? [] : await this.o.records.claim(due.date, owed, null, tick.now);
      return { date: due.date, sent: [], empty };
    }
    const data: DigestData = {
      date: due.date,
      dueAt: due.dueAt,
      lateByMs: due.lateByMs,
      asOf: tick.now,
      tz: this.o.schedule.tz,
      instances: listed.shown,
      more: listed.more,
      running: listed.running,
      yesterdayCents: report.totalCents,
      yesterdayPartial: report.unread > 0,
      balance: report.balance,
      burnCents: report.burnCents,
      runwayHours: report.runwayHours,
      failedTypes,
    };
    const sent = await this.o.records.claim(due.date, owed, data, tick.now);
    this.o.logger.info({ date: due.date, channels: sent, late: due.lateByMs, running: listed.running }, 'digest claimed');
    return { date: due.date, sent, empty: [] };
  }
}
