/**
 * How much of an instance's spend falls inside a time window, when Fluence gives only a total.
 *
 * Fluence reports per instance `billing.total_spendings` (USDC since creation) and nothing per day
 * (API.md §4.3, §10). Its billing model (API.md §1.5) charges the instance's fixed hourly price once
 * at deploy and then once at the start of every UTC clock hour while it runs. So an instance that
 * lived from `createdAt` to `endAt` was charged N = (UTC hours touched) times, the same amount each
 * time; the part of its total inside [from, to) is total × (charges inside the window) / N.
 *
 * Over an instance's whole life this is exactly `total_spendings`. Inside a window it is exact as long
 * as every charge was the same amount (Fluence has no price changes on a running instance). Where
 * that does not hold (a refund, an hour charged twice) the window figure is the total spread evenly
 * over the hours it ran: the report says so in its footnote. Pure.
 */
import { DAY_MS, HOUR_MS } from '../duration';
import { startOfLocalDay, startOfLocalMonth, startOfPreviousLocalDay } from './zoned-time';

export type SpendPeriod = 'today' | '7d' | '30d' | 'month';
export const SPEND_PERIODS: readonly SpendPeriod[] = ['today', '7d', '30d', 'month'];
export const DEFAULT_SPEND_PERIOD: SpendPeriod = '7d';

export interface SpendWindow {
  /** What the user asked for, or `yesterday` (the digest). */
  name: SpendPeriod | 'yesterday';
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms; `now` windows use Infinity (every charge so far counts). */
  to: number;
  /** When the figures were read. */
  asOf: number;
  tz: string;
}

/** today: since local midnight; 7d / 30d: the last 7 / 30 × 24 h; month: since the 1st, local. */
export function spendWindow(period: SpendPeriod, now: number, tz: string): SpendWindow {
  const from =
    period === 'today'
      ? startOfLocalDay(now, tz)
      : period === 'month'
        ? startOfLocalMonth(now, tz)
        : now - (period === '7d' ? 7 : 30) * DAY_MS;
  return { name: period, from, to: Infinity, asOf: now, tz };
}

/** The local calendar day before today (the digest's "yesterday"). */
export function yesterdayWindow(now: number, tz: string): SpendWindow {
  return { name: 'yesterday', from: startOfPreviousLocalDay(now, tz), to: startOfLocalDay(now, tz), asOf: now, tz };
}

const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** How many times the instance was charged while alive from createdAt to endAt (≥ 1). */
export function chargeCount(createdAt: number, endAt: number): number {
  return Math.max(1, hourOf(Math.max(endAt, createdAt)) - hourOf(createdAt) + 1);
}

/** Charges (at createdAt, then at each UTC hour start up to endAt) with from ≤ time < to. */
export function chargesInWindow(createdAt: number, endAt: number, from: number, to: number): number {
  let n = createdAt >= from && createdAt < to ? 1 : 0;
  const first = Math.max(hourOf(createdAt) + 1, Math.ceil(from / HOUR_MS));
  const last = Math.min(hourOf(Math.max(endAt, createdAt)), to === Infinity ? Number.MAX_SAFE_INTEGER : Math.ceil(to / HOUR_MS) - 1);
  if (last >= first) n += last - first + 1;
  return n;
}

/** The cents of `totalCents` that fall inside the window (see the top of this file). */
export function centsInWindow(totalCents: number, createdAt: number, endAt: number, w: Pick<SpendWindow, 'from' | 'to'>): number {
  if (totalCents === 0) return 0;
  const n = chargeCount(createdAt, endAt);
  const k = chargesInWindow(createdAt, endAt, w.from, w.to);
  if (k >= n) return totalCents;
  return Math.round((totalCents * k) / n);
}

/** True when nothing the instance was charged can fall inside the window (it ended before it began). */
export function endedBefore(endAt: number, w: Pick<SpendWindow, 'from'>): boolean {
  return endAt < w.from;
}

/** "the last 7 days", "today (since 00:00 UTC)": the window's name in a sentence. */
export function describeWindow(w: SpendWindow): string {
  switch (w.name) {
    case 'today':
      return `today (since 00:00 ${w.tz})`;
    case 'yesterday':
      return `yesterday (00:00–24:00 ${w.tz})`;
    case '7d':
      return 'the last 7 days';
    case '30d':
      return 'the last 30 days';
    case 'month':
      return `this month (since the 1st, 00:00 ${w.tz})`;
  }
}
