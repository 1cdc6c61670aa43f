/**
 * Every periodic job of a bot, registered on its one scheduler (src/background/scheduler.ts): the
 * watcher, outbox delivery (every replica), lease reminders and expiry, approval expiry, the deploy
 * reconciler, the money jobs and plan alerts. bot.ts builds the services and calls this once; the
 * jobs' callbacks that speak Slack are built there and come in through the services.
 */
import type { NoticeDelivery } from './background/delivery';
import type { Scheduler } from './background/scheduler';
import type { Config } from './config';
import { HOUR_MS } from './duration';
import type { FluenceApi } from './fluence/api';
import type { Logger } from './log';
import { expireApprovals } from './services/approval-expiry';
import type { Guard } from './services/guard';
import { LeaseJob } from './services/lease-job';
import type { LeaseService } from './services/leases';
import type { MoneyService } from './services/money';
import { registerMoneyJobs } from './services/money-jobs';
import { noticeKey } from './services/plan-alert-decide';
import { PlanAlertJob } from './services/plan-alert-job';
import type { PlanCatalog } from './services/plans';
import type { DeployReconciler } from './services/reconciler';
import type { Store } from './store';
import type { Clock, TimerHandle } from './watch/clock';
import type { InstanceWatcher } from './watch/watcher';

const APPROVAL_SWEEP_MS = 60_000;
const RECONCILE_EVERY_MS = 60_000;
/** The outbox is looked at this often (a notice a job just claimed goes out within this). */
export const OUTBOX_EVERY_MS = 5_000;

export interface JobDeps {
  config: Config;
  store: Store;
  fluence: FluenceApi;
  watcher: InstanceWatcher;
  delivery: NoticeDelivery;
  leases: LeaseService;
  guard: Guard;
  money: MoneyService;
  plans: PlanCatalog;
  reconciler: DeployReconciler;
  /** Work shutdown waits for (the reconciler's runs announce deploys). */
  inflight: { track<T>(work: Promise<T>): Promise<T> };
  clock: Clock;
  logger: Logger;
}

/** Registers the jobs; `stop` cancels the reconciler's follow-up timer (shutdown). */
export function registerJobs(scheduler: Scheduler, d: JobDeps): { stop(): void } {
  const { config, store, fluence, watcher, delivery, leases, guard, money, plans, reconciler, clock, logger } = d;
  // One scheduler for every periodic job (src/background/scheduler.ts). Approval requests expire after
  // 24 h: once a minute the expired ones are closed and their messages edited. Unclear deploys are
  // settled at start-up (a bot killed mid-POST adopts what Fluence made) and then once a minute.
  scheduler.register({ name: 'watch', intervalMs: config.WATCH_INTERVAL_MS, run: () => watcher.runCycle() });
  scheduler.register({ name: 'outbox', intervalMs: OUTBOX_EVERY_MS, everyReplica: true, run: () => delivery.deliverDue() });
  // Lease reminders and expiry (issue 11 §2), on the watcher's interval: it reads the cycle's instance lists.
  const leaseJob = new LeaseJob({
    steps: store.leaseSteps,
    deployRequests: store.deployRequests,
    watches: store.watches,
    outbox: store.outbox,
    leases,
    fluence,
    audit: (entry) => guard.audit(entry),
    reminderMs: config.LEASE_REMINDER_MIN * 60_000,
    nagMs: config.LEASE_NAG_HOURS * HOUR_MS,
    logger,
  });
  scheduler.register({
    name: 'leases',
    intervalMs: config.WATCH_INTERVAL_MS,
    // what this run claimed goes out now, not at the outbox's next pass
    run: async (ctx) => ((await leaseJob.run(ctx)).claimed.length ? delivery.deliverDue() : undefined),
  });
  scheduler.register({
    name: 'approvals.expire',
    intervalMs: APPROVAL_SWEEP_MS,
    runAtStart: false,
    run: async (ctx) => {
      for (const a of await expireApprovals(store, ctx.now)) logger.info({ approvalId: a.id }, 'deploy approval expired');
      await delivery.deliverDue();
    },
  });
  let reconcileFollowUp: TimerHandle | null = null;
  scheduler.register({
    name: 'deploys.reconcile',
    intervalMs: RECONCILE_EVERY_MS,
    runAtStart: false,
    run: async () => {
      const { inFlightUntil } = await d.inflight.track(reconciler.runOnce());
      // a POST in flight on a replica that died (the last process, at start-up) is settled as soon as
      // its claim lapses, not an interval later
      if (reconcileFollowUp !== null) clock.clearTimeout(reconcileFollowUp);
      reconcileFollowUp = inFlightUntil === null ? null : clock.setTimeout(() => {
        reconcileFollowUp = null;
        void scheduler.runNow('deploys.reconcile');
      }, inFlightUntil - clock.now() + 1);
    },
  });
  registerMoneyJobs(scheduler, { config, store, fluence, money, logger, deliver: async () => { await delivery.idle(); return delivery.deliverDue(); } });
  // Plan alerts: one plan list per type with live alerts per check (a list /gpu plans read in the last
  // half interval, at most a minute ago, serves), notices into the outbox in the deciding transaction.
  const alertJob = new PlanAlertJob({
    store: store.planAlerts,
    offers: (type) => plans.offers(type, Math.min(60_000, config.PLAN_ALERT_INTERVAL_MS / 2)),
    enqueue: async (trx, notices, now) => store.outbox.enqueueIn(trx, notices.map((notice) => ({ key: noticeKey(notice, now), notice })), now),
    ttlDays: config.PLAN_ALERT_TTL_DAYS,
    logger,
  });
  scheduler.register({ name: 'plan-alerts', intervalMs: config.PLAN_ALERT_INTERVAL_MS, run: (ctx) => alertJob.run(ctx.now) });
  return {
    stop() {
      if (reconcileFollowUp !== null) clock.clearTimeout(reconcileFollowUp);
    },
  };
}
