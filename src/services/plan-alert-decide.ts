/**
 * Plan alerts, the deciding part: pure, no I/O. Given this cycle's plan lists (one per workload
 * type that has alerts), the alerts and what each alert has already told its owner, it says which
 * messages are due and what to remember:
 *
 * - an offer that matches an alert's filters (the `/gpu plans` grammar; `max` included, so a price
 *   drop to `max` or below is a match) and that the alert has not told about yet: a message, and
 *   the pair (alert, offer) is remembered;
 * - a remembered pair whose offer is gone from the list or no longer matches (its price rose above
 *   `max`): forgotten, so the offer coming back is told again;
 * - a type whose list could not be read this cycle: nothing about its alerts changes (a failed
 *   call is not "every offer disappeared");
 * - an alert past its expiry: no more matches, and one expiry notice (claimed once, see the store).
 *
 * All newly matching offers of one alert in one cycle go into ONE message (cheapest first, each
 * with its own Deploy button), so a burst of offers is one post, not a flood.
 */
import type { PlanOffer } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import { matchesFilters, type PlanFilters } from './plans';

/** An alert as a person creates it (`/gpu alert add`). */
export interface NewPlanAlert {
  ownerId: string;
  teamId: string | null;
  /** Where its messages go: the channel it was created in, or the owner's user id (created in a DM). */
  channelId: string;
  type: WorkloadType;
  filters: PlanFilters;
  createdAt: number;
  expiresAt: number;
}

export interface PlanAlert extends NewPlanAlert {
  id: number;
  /** When its expiry notice was claimed; null while live or renewed. */
  expiryNoticedAt: number | null;
}

/** Alert id -> plan ids it has told about (and not seen disappear since). */
export type SentState = ReadonlyMap<number, ReadonlySet<string>>;

/** One offer in a match message. */
export interface AlertMatch {
  offer: PlanOffer;
  /** The location to preselect in the deploy form: the one the alert's `location=` matched (containers), or the machine's own. */
  location?: string;
  /** Its price in the previous cycle, when it was listed then at a higher price (a price drop). */
  previousPrice?: number;
}

/** At most this many offers are listed in one message; the rest are counted ("and 4 more"). */
export const MAX_MATCHES_PER_MESSAGE = 10;

export interface PlanAlertMatchNotice {
  kind: 'plan-alert.match';
  alertId: number;
  ownerId: string;
  /** Where it goes: a channel id, or the owner's user id (their DM with the bot). Also its delivery lane. */
  channel: string;
  type: WorkloadType;
  filters: PlanFilters;
  matches: AlertMatch[];
  /** Matching offers told in this message's count but not listed (over MAX_MATCHES_PER_MESSAGE). */
  more: number;
}

export interface PlanAlertExpiredNotice {
  kind: 'plan-alert.expired';
  alertId: number;
  ownerId: string;
  /** Where it goes: a channel id, or the owner's user id (their DM with the bot). Also its delivery lane. */
  channel: string;
  type: WorkloadType;
  filters: PlanFilters;
  expiredAt: number;
  /** How long a Renew lasts (PLAN_ALERT_TTL_DAYS when it expired). */
  renewDays: number;
}

export type PlanAlertNotice = PlanAlertMatchNotice | PlanAlertExpiredNotice;

export interface AlertPair {
  alertId: number;
  planId: string;
}

export interface AlertDecision {
  notices: PlanAlertNotice[];
  /** Pairs to remember as told (each claimed once: a pair already remembered sends nothing). */
  remember: Array<AlertPair & { pricePerHour: number }>;
  /** Pairs to forget: the offer is gone or no longer matches. */
  forget: AlertPair[];
  /** Alerts whose expiry notice is due (claimed once: renewed or already noticed sends nothing). */
  expire: number[];
}

export interface DecideInput {
  now: number;
  alerts: readonly PlanAlert[];
  /** This cycle's offers per type; a type left out was not read (or could not be). */
  offers: Partial<Record<WorkloadType, readonly PlanOffer[]>>;
  sent: SentState;
  /** Prices of the previous cycle (plan id -> $/h), to call a match a price drop. */
  previousPrices?: ReadonlyMap<string, number>;
  /** PLAN_ALERT_TTL_DAYS, said in the expiry notice. */
  ttlDays: number;
}

export function isLive(alert: PlanAlert, now: number): boolean {
  return now < alert.expiresAt;
}

export function decideAlerts(input: DecideInput): AlertDecision {
  const { now, alerts, offers, sent } = input;
  const out: AlertDecision = { notices: [], remember: [], forget: [], expire: [] };
  // many alerts ask the same thing ("h100 max=2"): match each distinct search once per check
  const memo = new Map<string, PlanOffer[]>();
  const matchingOf = (alert: PlanAlert, list: readonly PlanOffer[]): PlanOffer[] => {
    const key = `${alert.type}\n${JSON.stringify(alert.filters)}`;
    let hit = memo.get(key);
    if (!hit) memo.set(key, (hit = list.filter((o) => o.type === alert.type && matchesFilters(o, alert.filters))));
    return hit;
  };
  for (const alert of [...alerts].sort((a, b) => a.id - b.id)) {
    const told = sent.get(alert.id) ?? new Set<string>();
    const list = offers[alert.type];
    if (list) {
      const matching = matchingOf(alert, list);
      const matchingIds = new Set(matching.map((o) => o.planId));
      for (const planId of [...told].sort()) {
        if (!matchingIds.has(planId)) out.forget.push({ alertId: alert.id, planId });
      }
      if (isLive(alert, now)) {
        const fresh = matching.filter((o) => !told.has(o.planId)).sort(byPrice);
        if (fresh.length > 0) {
          for (const o of fresh) out.remember.push({ alertId: alert.id, planId: o.planId, pricePerHour: o.pricePerHour });
          out.notices.push({
            kind: 'plan-alert.match',
            alertId: alert.id,
            ownerId: alert.ownerId,
            channel: alert.channelId,
            type: alert.type,
            filters: alert.filters,
            matches: fresh.slice(0, MAX_MATCHES_PER_MESSAGE).map((o) => toMatch(o, alert.filters, input.previousPrices)),
            more: Math.max(0, fresh.length - MAX_MATCHES_PER_MESSAGE),
          });
        }
      }
    }
    if (!isLive(alert, now) && alert.expiryNoticedAt === null) {
      out.expire.push(alert.id);
      out.notices.push({
        kind: 'plan-alert.expired',
        alertId: alert.id,
        ownerId: alert.ownerId,
        channel: alert.channelId,
        type: alert.type,
        filters: alert.filters,
        expiredAt: alert.expiresAt,
        renewDays: input.ttlDays,
      });
    }
  }
  return out;
}

function byPrice(a: PlanOffer, b: PlanOffer): number {
  return a.pricePerHour - b.pricePerHour || a.planId.localeCompare(b.planId);
}

function toMatch(offer: PlanOffer, filters: PlanFilters, previous: ReadonlyMap<string, number> | undefined): AlertMatch {
  const before = previous?.get(offer.planId);
  const location = locationFor(offer, filters);
  return {
    offer,
    ...(location ? { location } : {}),
    ...(before !== undefined && before > offer.pricePerHour + 1e-9 ? { previousPrice: before } : {}),
  };
}

/**
 * The location to preselect: a VM or bare-metal offer has exactly one; a container plan the one
 * the alert asked for (exact name first, then the first containing it, as `/gpu plans` matches),
 * else none ("Any location": Fluence chooses).
 */
export function locationFor(offer: PlanOffer, filters: PlanFilters): string | undefined {
  if (offer.type !== 'container') return offer.locations[0];
  if (!filters.location) return undefined;
  const want = filters.location.toLowerCase();
  return offer.locations.find((l) => l.toLowerCase() === want) ?? offer.locations.find((l) => l.toLowerCase().includes(want));
}

// The two notices are kinds of the one outbox (src/background/notices.ts): data only, rendered by
// src/slack/notices/plan-alerts.ts at delivery.
declare module '../background/notices' {
  interface NoticeMap {
    'plan-alert.match': Omit<PlanAlertMatchNotice, 'kind'>;
    'plan-alert.expired': Omit<PlanAlertExpiredNotice, 'kind'>;
  }
}

/** The outbox key of a notice: one match message per alert per check, one expiry per expiry time. */
export function noticeKey(n: PlanAlertNotice, now: number): string {
  return n.kind === 'plan-alert.match' ? `plan-alert:${n.alertId}:match:${now}` : `plan-alert:${n.alertId}:expired:${n.expiredAt}`;
}
