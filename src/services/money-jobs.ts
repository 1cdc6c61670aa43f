/**
 * Registers the money jobs on the scheduler (issue 11 §4): the daily digest and the runway alerts,
 * each once a minute on the leader, reading the tick's fleet snapshot. What one claimed is delivered
 * at once (the outbox job would send it within its own interval anyway).
 */
import type { Scheduler } from '../background/scheduler';
import type { Config } from '../config';
import type { FluenceApi } from '../fluence/api';
import type { Logger } from '../log';
import type { Store } from '../store';
import { DigestJob } from './digest-job';
import type { MoneyService } from './money';
import { RunwayJob } from './runway-job';
import { parseClockTime } from './zoned-time';

export const MONEY_JOB_EVERY_MS = 60_000;

export interface MoneyJobDeps {
  config: Pick<Config, 'DIGEST_TIME' | 'DIGEST_TZ' | 'DIGEST_CHANNEL' | 'RUNWAY_ALERT_HOURS' | 'ALERT_CHANNEL' | 'AUDIT_CHANNEL'>;
  store: Pick<Store, 'digests' | 'runwayAlerts' | 'leases' | 'deployRequests'>;
  fluence: Pick<FluenceApi, 'getBalance'>;
  money: MoneyService;
  logger: Logger;
  /** Sends what was just claimed (the outbox delivery). */
  deliver: () => Promise<unknown>;
}

export function registerMoneyJobs(scheduler: Scheduler, d: MoneyJobDeps): { digest: DigestJob; runway: RunwayJob | null } {
  const { config, store, logger } = d;
  const digest = new DigestJob({
    schedule: { at: parseClockTime(config.DIGEST_TIME)!, tz: config.DIGEST_TZ, lateAfterMs: 2 * MONEY_JOB_EVERY_MS },
    channel: config.DIGEST_CHANNEL ?? null,
    records: store.digests,
    money: d.money,
    leaseEnd: async (id) => {
      const lease = await store.leases.get(id);
      return lease === undefined ? undefined : lease.endsAt;
    },
    logger,
  });
  scheduler.register({
    name: 'money.digest',
    intervalMs: MONEY_JOB_EVERY_MS,
    run: async (tick) => {
      const r = await digest.run(tick);
      if (r.sent.length) await d.deliver();
      return r;
    },
  });
  const channel = config.ALERT_CHANNEL ?? config.AUDIT_CHANNEL ?? null;
  if (!channel) {
    logger.info('runway alerts are off: neither ALERT_CHANNEL nor AUDIT_CHANNEL is set');
    return { digest, runway: null };
  }
  const runway = new RunwayJob({
    thresholds: config.RUNWAY_ALERT_HOURS,
    channel,
    records: store.runwayAlerts,
    money: d.money,
    fluence: d.fluence,
    owner: async (id) => {
      const r = await store.deployRequests.findByInstance(id);
      return r ? { userId: r.userId, channelId: r.channelId } : undefined;
    },
    logger,
  });
  scheduler.register({
    name: 'money.runway',
    intervalMs: MONEY_JOB_EVERY_MS,
    run: async (tick) => {
      const r = await runway.run(tick);
      if (r.fired.length) await d.deliver();
      return r;
    },
  });
  return { digest, runway };
}
