/**
 * The plan-alert check, one run per PLAN_ALERT_INTERVAL_MS on the scheduler (leader only): read
 * the alerts, list the plans of each type that has a live alert (ONE call per type, however many
 * alerts, through the plans cache `/gpu plans` uses too), decide (plan-alert-decide.ts), and in one
 * store transaction remember what was told and put the messages in the outbox. Slack is not known
 * here: the notices are rendered by src/slack/notices/ at delivery.
 */
import type { PlanOffer } from '../fluence/model';
import { WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import { decideAlerts, isLive, type AlertDecision, type PlanAlert, type PlanAlertNotice, type SentState } from './plan-alert-decide';
import { EXPIRED_ALERT_KEEP_MS } from './plan-alerts';

/** What the job needs from the store (store/plan-alerts.ts); `T` is the store's transaction. */
export interface PlanAlertCycleStore<T> {
  all(): Promise<PlanAlert[]>;
  sent(): Promise<SentState>;
  applyCycle(d: AlertDecision, now: number, enqueue: (trx: T, notices: PlanAlertNotice[], now: number) => Promise<unknown>): Promise<PlanAlertNotice[]>;
  prune(before: number): Promise<number>;
}

export interface PlanAlertJobOptions<T> {
  store: PlanAlertCycleStore<T>;
  /** The plan lists (PlanCatalog.offers: cached briefly, shared with `/gpu plans` and the deploy form). */
  offers(type: WorkloadType): Promise<PlanOffer[]>;
  /** Puts the notices in the outbox inside the cycle's transaction. */
  enqueue(trx: T, notices: PlanAlertNotice[], now: number): Promise<unknown>;
  /** PLAN_ALERT_TTL_DAYS: how long a Renew lasts (said in the expiry notice). */
  ttlDays: number;
  logger: Logger;
}

export interface PlanAlertCycleReport {
  alerts: number;
  /** Types whose plans were listed this cycle (one call each at most). */
  listed: WorkloadType[];
  /** Types whose list failed (their alerts wait for the next cycle). */
  failed: WorkloadType[];
  notices: number;
  pruned: number;
}

export class PlanAlertJob<T> {
  /** Last cycle's prices, to call a match a price drop (a restart forgets them: the message just says the price). */
  private previousPrices = new Map<string, number>();

  constructor(private readonly o: PlanAlertJobOptions<T>) {}

  async run(now: number): Promise<PlanAlertCycleReport> {
    const alerts = await this.o.store.all();
    const types = WORKLOAD_TYPES.filter((t) => alerts.some((a) => a.type === t && isLive(a, now)));
    const offers: Partial<Record<WorkloadType, PlanOffer[]>> = {};
    const failed: WorkloadType[] = [];
    await Promise.all(
      types.map(async (type) => {
        try {
          offers[type] = await this.o.offers(type);
        } catch (err) {
          failed.push(type);
          this.o.logger.warn({ err, type }, 'plan alerts: could not list plans; those alerts wait for the next check');
        }
      }),
    );
    const decision = decideAlerts({ now, alerts, offers, sent: await this.o.store.sent(), previousPrices: this.previousPrices, ttlDays: this.o.ttlDays });
    const sent = await this.o.store.applyCycle(decision, now, this.o.enqueue);
    for (const list of Object.values(offers)) for (const o of list) this.previousPrices.set(o.planId, o.pricePerHour);
    const pruned = await this.o.store.prune(now - EXPIRED_ALERT_KEEP_MS);
    return { alerts: alerts.length, listed: types.filter((t) => !failed.includes(t)), failed, notices: sent.length, pruned };
  }
}
