/**
 * Plan alerts, the rules (issue 12 §3): who may set, list, remove and renew an alert, how many one
 * person may have, how long one lives, and where its messages go. No Slack, no HTTP: the deciding of
 * matches is plan-alert-decide.ts, the periodic check plan-alert-job.ts, the rows store/plan-alerts.ts.
 *
 * Alerts cost nothing (no deploy, no money): every role may set them, viewers included. The Deploy
 * button of a match goes through the ordinary deploy path, so role, budget and approvals are checked
 * there, at the click and at the submit, as for any other deploy.
 */
import type { PlanOffer } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { NewPlanAlert, PlanAlert } from './plan-alert-decide';

export type { NewPlanAlert } from './plan-alert-decide';
import type { PlanCatalog, PlanFilters } from './plans';

export const DAY_MS = 86_400_000;
/** Alerts one person may have at once (expired ones count until removed or pruned). */
export const MAX_ALERTS_PER_USER = 10;
/** An expired alert nobody renewed is deleted this long after it expired (Renew then says it is gone). */
export const EXPIRED_ALERT_KEEP_MS = 7 * DAY_MS;


/** What the service needs from the store (store/plan-alerts.ts implements it). */
export interface PlanAlertRepository {
  /**
   * Inserts the alert and remembers `seenPlanIds` as already told, unless the owner has `max` alerts
   * already: then nothing is written and their alerts are returned. One transaction (the count and
   * the insert cannot interleave with another add).
   */
  create(alert: NewPlanAlert, seenPlanIds: readonly string[], max: number): Promise<{ ok: true; alert: PlanAlert; owned: number } | { ok: false; owned: PlanAlert[] }>;
  get(id: number): Promise<PlanAlert | undefined>;
  listByOwner(ownerId: string): Promise<PlanAlert[]>;
  /** Deletes the alert and what it told; false when there was none. */
  remove(id: number): Promise<boolean>;
  /** New expiry, expiry notice cleared; undefined when there is no such alert. */
  renew(id: number, expiresAt: number): Promise<PlanAlert | undefined>;
}

export interface AlertActor {
  userId: string;
  teamId: string | null;
  /** Where the command was typed: a channel, or a DM (D…). */
  channelId: string;
  isAdmin: boolean;
}

export type AddResult =
  | { ok: true; alert: PlanAlert; owned: number; matchingNow: PlanOffer[] | null }
  | { ok: false; reason: 'limit'; alerts: PlanAlert[] };

export type ChangeResult =
  | { ok: true; alert: PlanAlert; byOther: boolean }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'not_yours'; ownerId: string };

export interface PlanAlertServiceOptions {
  repo: PlanAlertRepository;
  plans: PlanCatalog;
  ttlDays: number;
  maxPerUser?: number;
  now: () => number;
}

/** A DM with the bot (or with anyone: the bot may not be in it) is answered in the owner's DM with the bot. */
export function alertTarget(actor: Pick<AlertActor, 'userId' | 'channelId'>): string {
  return /^[CG]/.test(actor.channelId) ? actor.channelId : actor.userId;
}

export class PlanAlertService {
  readonly maxPerUser: number;

  constructor(private readonly o: PlanAlertServiceOptions) {
    this.maxPerUser = o.maxPerUser ?? MAX_ALERTS_PER_USER;
  }

  get ttlDays(): number {
    return this.o.ttlDays;
  }

  /**
   * Sets an alert. What matches already is read (the plans cache, shared with `/gpu plans`) and
   * remembered as told: the alert speaks about what is NEW. If the plans cannot be read, it is set
   * anyway and its first check tells about everything that matches.
   */
  async add(actor: AlertActor, type: WorkloadType, filters: PlanFilters): Promise<AddResult> {
    let matchingNow: PlanOffer[] | null;
    try {
      matchingNow = (await this.o.plans.browse(type, filters)).offers;
    } catch {
      matchingNow = null;
    }
    const now = this.o.now();
    const created = await this.o.repo.create(
      { ownerId: actor.userId, teamId: actor.teamId, channelId: alertTarget(actor), type, filters, createdAt: now, expiresAt: now + this.o.ttlDays * DAY_MS },
      (matchingNow ?? []).map((o) => o.planId),
      this.maxPerUser,
    );
    if (!created.ok) return { ok: false, reason: 'limit', alerts: created.owned };
    return { ok: true, alert: created.alert, owned: created.owned, matchingNow };
  }

  list(ownerId: string): Promise<PlanAlert[]> {
    return this.o.repo.listByOwner(ownerId);
  }

  /** The owner, or an admin, removes an alert. */
  async remove(actor: Pick<AlertActor, 'userId' | 'isAdmin'>, id: number): Promise<ChangeResult> {
    const checked = await this.mayChange(actor, id);
    if (!checked.ok) return checked;
    if (!(await this.o.repo.remove(id))) return { ok: false, reason: 'not_found' };
    return checked;
  }

  /** The owner, or an admin, renews an alert for another PLAN_ALERT_TTL_DAYS from now. */
  async renew(actor: Pick<AlertActor, 'userId' | 'isAdmin'>, id: number): Promise<ChangeResult> {
    const checked = await this.mayChange(actor, id);
    if (!checked.ok) return checked;
    const alert = await this.o.repo.renew(id, this.o.now() + this.o.ttlDays * DAY_MS);
    return alert ? { ...checked, alert } : { ok: false, reason: 'not_found' };
  }

  private async mayChange(actor: Pick<AlertActor, 'userId' | 'isAdmin'>, id: number): Promise<ChangeResult> {
    const alert = await this.o.repo.get(id);
    if (!alert) return { ok: false, reason: 'not_found' };
    const mine = alert.ownerId === actor.userId;
    if (!mine && !actor.isAdmin) return { ok: false, reason: 'not_yours', ownerId: alert.ownerId };
    return { ok: true, alert, byOther: !mine };
  }
}
