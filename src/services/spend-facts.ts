/**
 * Each instance's spend, read as cheaply as it can be: from the cache where the figure cannot have
 * changed, otherwise from one detail call (at most DETAIL_CONCURRENCY at a time, none started after
 * the time budget). What could not be read is kept as unknown and the report says it is partial.
 *
 * When a cached figure is still true (API.md §1.5, §10):
 *  - ENDED / FAILED: `total_spendings` never changes again: cached for good;
 *  - ACTIVE: charged once per UTC hour, so the total holds until `billing.next_billing_period`;
 *  - anything else (provisioning, unknown statuses): read every time.
 * A cached figure whose state differs from the list's (terminated since) is read again.
 * Instances that ended before the window began are not read at all: nothing they cost is in it
 * (the list's `updated_at` of an ended instance is at or after its end).
 */
import type { FluenceApi } from '../fluence/api';
import type { InstanceState, InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import { cents } from './cost';
import { mapLimited } from './pool';
import { centsInWindow, endedBefore, type SpendWindow } from './spend-window';

export const DETAIL_CONCURRENCY = 8;
/** Stop starting detail calls after this long: the answer is sent with what was read, marked partial. */
export const DEFAULT_TIME_BUDGET_MS = 60_000;

export interface SpendCacheEntry {
  instanceId: string;
  type: WorkloadType;
  state: InstanceState;
  totalSpendings: number;
  /** USDC/h while ACTIVE (0 otherwise): the instance's price, which never changes. */
  hourlyUsage: number;
  /** Until when the total holds; null: for good (ENDED, FAILED). */
  validUntil: number | null;
  fetchedAt: number;
}

/** The store's spend cache (store/spend-cache.ts). */
export interface SpendCacheRepo {
  getMany(instanceIds: readonly string[]): Promise<Map<string, SpendCacheEntry>>;
  putMany(entries: readonly SpendCacheEntry[]): Promise<void>;
}

/** Who deployed an instance through the bot, and from where (its deploy record). */
export interface Attribution {
  userId: string;
  channelId: string;
}

export interface SpendDeps {
  fluence: Pick<FluenceApi, 'getInstance'>;
  cache: SpendCacheRepo;
  /** Deploy records of the instances the bot deployed; absent: "outside gpu-bot". */
  attribution(instanceIds: readonly string[]): Promise<Map<string, Attribution>>;
  now(): number;
}

export interface SpendOptions {
  concurrency?: number;
  timeBudgetMs?: number;
  /** Wall clock for the time budget (tests pass a fake); default performance.now. */
  elapsedClock?: () => number;
  /** Told how many detail calls are about to be made, before they start (a "reading…" note). */
  onReading?: (count: number) => Promise<void> | void;
}

export interface InstanceSpend {
  instance: InstanceSummary;
  owner: Attribution | null;
  /** Whole life, cents; null when it could not be read. */
  totalCents: number | null;
  /** The part inside the window, cents; null when unknown. */
  windowCents: number | null;
  /** Current burn, cents per hour (0 unless ACTIVE); null when unknown. */
  burnCents: number | null;
  /** Why the figure is missing: `error` (Fluence refused or failed) or `time` (time budget spent). */
  missing?: 'error' | 'time';
}

export interface SpendFacts {
  window: SpendWindow;
  facts: InstanceSpend[];
  detailCalls: number;
  cacheHits: number;
  /** Ended before the window: counted as 0 without a call. */
  skipped: number;
}

const isFinal = (s: InstanceState) => s === 'ended' || s === 'failed';

function cacheValid(e: SpendCacheEntry | undefined, i: InstanceSummary, now: number): e is SpendCacheEntry {
  return e !== undefined && e.state === i.state && (e.validUntil === null || now < e.validUntil);
}

export async function gatherSpend(instances: readonly InstanceSummary[], window: SpendWindow, deps: SpendDeps, opts: SpendOptions = {}): Promise<SpendFacts> {
  const now = deps.now();
  const relevant = instances.filter((i) => !(isFinal(i.state) && endedBefore(Date.parse(i.updatedAt), window)));
  const ids = relevant.map((i) => i.id);
  const [cached, owners] = await Promise.all([deps.cache.getMany(ids), deps.attribution(ids)]);
  const toRead = relevant.filter((i) => !cacheValid(cached.get(i.id), i, now));

  if (toRead.length && opts.onReading) await opts.onReading(toRead.length);
  const clock = opts.elapsedClock ?? (() => performance.now());
  const started = clock();
  const budget = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const read = await mapLimited(toRead, opts.concurrency ?? DETAIL_CONCURRENCY, (i) => deps.fluence.getInstance(i.type, i.id), () => clock() - started > budget);

  const fresh = new Map<string, SpendCacheEntry | { missing: 'error' | 'time' }>();
  const toCache: SpendCacheEntry[] = [];
  toRead.forEach((i, k) => {
    const r = read.results[k];
    if (!r) return void fresh.set(i.id, { missing: 'time' });
    if (!r.ok || !r.value.billing) return void fresh.set(i.id, { missing: 'error' });
    const d = r.value;
    const billing = d.billing!;
    const next = billing.next_billing_period ? Date.parse(billing.next_billing_period) : NaN;
    const entry: SpendCacheEntry = {
      instanceId: d.id,
      type: d.type,
      state: d.state,
      totalSpendings: billing.total_spendings,
      hourlyUsage: d.state === 'active' ? billing.hourly_usage : 0,
      validUntil: isFinal(d.state) ? null : d.state === 'active' && Number.isFinite(next) && next > now ? next : now,
      fetchedAt: now,
    };
    fresh.set(i.id, entry);
    if (entry.validUntil === null || entry.validUntil > now) toCache.push(entry);
  });
  if (toCache.length) await deps.cache.putMany(toCache);

  const facts: InstanceSpend[] = relevant.map((i) => {
    const owner = owners.get(i.id) ?? null;
    const e = fresh.get(i.id) ?? cached.get(i.id);
    if (!e || 'missing' in e) {
      return { instance: i, owner, totalCents: null, windowCents: null, burnCents: null, missing: e && 'missing' in e ? e.missing : 'error' };
    }
    const createdAt = Date.parse(i.createdAt);
    const endAt = isFinal(e.state) ? Math.max(createdAt, Date.parse(i.updatedAt)) : now;
    const totalCents = cents(e.totalSpendings);
    return {
      instance: { ...i, state: e.state },
      owner,
      totalCents,
      windowCents: centsInWindow(totalCents, createdAt, endAt, window),
      burnCents: e.state === 'active' ? cents(e.hourlyUsage) : 0,
    };
  });
  return { window, facts, detailCalls: read.started, cacheHits: relevant.length - toRead.length, skipped: instances.length - relevant.length };
}
