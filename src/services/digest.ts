/**
 * The daily digest (issue 11 §4): when one is due, and what it says. Pure.
 *
 * Due: the latest DIGEST_TIME (in DIGEST_TZ) at or before now, for each channel (DIGEST_CHANNEL and
 * the opted-in ones) that has no digest recorded for that local day. A bot that was down at the due
 * minute sends it when it is back, once, saying how late (up to LATE_LIMIT_MS after the due time;
 * later than that the next day's digest comes first). "Once" is the store's: a row per channel and
 * local day, claimed in the transaction that puts the message in the outbox (store/digests.ts); a day
 * on which nothing runs is claimed too, with no message.
 */
import { HOUR_MS } from '../duration';
import type { InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { InstanceSpend } from './spend-facts';
import { latestLocalTime, localDate } from './zoned-time';

/** A digest later than this after its time is not sent any more (the next one is near). */
export const LATE_LIMIT_MS = 12 * HOUR_MS;
/** At most this many instances get a line and a Terminate button; the rest are counted. */
export const MAX_DIGEST_INSTANCES = 40;

export interface DigestSchedule {
  at: { hour: number; minute: number };
  tz: string;
  /** Sent more than this after its time: the message says it is late (the job's interval, twice). */
  lateAfterMs: number;
}

export interface DigestDue {
  /** The local day it is for, "2026-02-07": the once-per-day key. */
  date: string;
  dueAt: number;
  /** How late it goes out; null: on time. */
  lateByMs: number | null;
}

export function dueDigest(now: number, s: DigestSchedule): DigestDue | null {
  const dueAt = latestLocalTime(now, s.at, s.tz);
  const late = now - dueAt;
  if (late > LATE_LIMIT_MS) return null;
  return { date: localDate(dueAt, s.tz), dueAt, lateByMs: late > s.lateAfterMs ? late : null };
}

/** The channels still owed the digest of `due.date`. */
export function channelsOwed(channels: readonly string[], done: ReadonlySet<string>): string[] {
  return [...new Set(channels)].filter((c) => !done.has(c));
}

// ---- what it says ----------------------------------------------------------------------------

export interface DigestInstance {
  id: string;
  type: WorkloadType;
  name: string;
  ownerId: string | null;
  createdAt: number;
  /** undefined: no lease; null: until terminated. */
  leaseEndsAt?: number | null;
  priceCents: number | null;
  spentCents: number | null;
}

/** The notice's data (stored in the outbox: JSON only). */
export interface DigestData {
  date: string;
  dueAt: number;
  lateByMs: number | null;
  /** When the figures were read. */
  asOf: number;
  tz: string;
  instances: DigestInstance[];
  /** Running instances beyond MAX_DIGEST_INSTANCES, not listed. */
  more: number;
  running: number;
  yesterdayCents: number;
  /** Some of yesterday's figures could not be read: a lower bound. */
  yesterdayPartial: boolean;
  balance: number | null;
  burnCents: number;
  runwayHours: number | null;
  /** Types whose list failed: their instances are missing. */
  failedTypes: WorkloadType[];
}

/**
 * The running instances (ACTIVE), by owner (gpu-bot's owners first, by their spend; then outside
 * gpu-bot), biggest spend first within an owner. Null when nothing runs: no digest that day.
 */
export function digestInstances(
  facts: readonly InstanceSpend[],
  leaseEnd: (instanceId: string) => number | null | undefined,
): { shown: DigestInstance[]; more: number; running: number } | null {
  const running = facts.filter((f) => f.instance.state === 'active');
  if (running.length === 0) return null;
  const byOwner = new Map<string, number>();
  for (const f of running) byOwner.set(f.owner?.userId ?? '', (byOwner.get(f.owner?.userId ?? '') ?? 0) + (f.totalCents ?? 0));
  const ownerRank = (f: InstanceSpend) => (f.owner ? -(byOwner.get(f.owner.userId) ?? 0) : Number.MAX_SAFE_INTEGER);
  const sorted = [...running].sort(
    (a, b) => ownerRank(a) - ownerRank(b) || (a.owner?.userId ?? '').localeCompare(b.owner?.userId ?? '') || (b.totalCents ?? 0) - (a.totalCents ?? 0),
  );
  const shown = sorted.slice(0, MAX_DIGEST_INSTANCES).map((f) => toLine(f.instance, f, leaseEnd(f.instance.id)));
  return { shown, more: running.length - shown.length, running: running.length };
}

function toLine(i: InstanceSummary, f: InstanceSpend, lease: number | null | undefined): DigestInstance {
  return {
    id: i.id,
    type: i.type,
    name: i.name,
    ownerId: f.owner?.userId ?? null,
    createdAt: Date.parse(i.createdAt),
    ...(lease !== undefined ? { leaseEndsAt: lease } : {}),
    priceCents: f.burnCents,
    spentCents: f.totalCents,
  };
}
