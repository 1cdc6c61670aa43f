/**
 * The money service: the spend report, and the account's burn per hour, for `/gpu spend`,
 * `/gpu balance`, the daily digest and the runway alerts. One place reads what instances cost.
 *
 * The burn per hour needs no detail call for an instance gpu-bot deployed (its deploy record has
 * the price) or one whose price is already in the spend cache (a price never changes); the rest are
 * read with the same bounded pool as the report, at most MAX_BURN_READS per call.
 */
import type { FluenceApi } from '../fluence/api';
import type { InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { InstanceDirectory } from './instances';
import { cents } from './cost';
import { mapLimited } from './pool';
import { DETAIL_CONCURRENCY, type Attribution, type SpendCacheRepo, type SpendDeps, type SpendOptions } from './spend-facts';
import { buildSpendReport, type SpendGrouping, type SpendReport } from './spend-report';
import { spendWindow, type SpendPeriod, type SpendWindow } from './spend-window';

/** Running instances of unknown price read per burn figure (the rest count as unpriced). */
export const MAX_BURN_READS = 50;
/** The same for the runway job, which runs in the background (once a minute). */
export const MAX_RUNWAY_BURN_READS = 400;

export interface MoneyDeps {
  fluence: Pick<FluenceApi, 'getInstance' | 'getBalance'>;
  instances: Pick<InstanceDirectory, 'listAll'>;
  cache: SpendCacheRepo;
  /** The deploy records of the instances gpu-bot deployed among these (owner, channel, price), by instance id. */
  deployRecords(instanceIds: readonly string[]): Promise<ReadonlyMap<string, Attribution & { pricePerHour: number | null }>>;
  now(): number;
  /** DIGEST_TZ: the zone of "today" and "this month". */
  tz: string;
  options?: SpendOptions;
}

export interface Burn {
  cents: number;
  running: number;
  /** Running instances whose price is not known: not in `cents`. */
  unpriced: number;
  /** instance id -> cents per hour, for the running ones that are priced. */
  perInstance: Map<string, number>;
}

export class MoneyService {
  constructor(private readonly d: MoneyDeps) {}

  get tz(): string {
    return this.d.tz;
  }

  spendDeps(): SpendDeps {
    return {
      fluence: this.d.fluence,
      cache: this.d.cache,
      now: this.d.now,
      attribution: async (ids) => {
        const out = new Map<string, Attribution>();
        for (const [id, r] of await this.d.deployRecords([...ids])) out.set(id, { userId: r.userId, channelId: r.channelId });
        return out;
      },
    };
  }

  /** `/gpu spend`: lists every type (or takes a fleet snapshot), reads what it must, sums up. */
  async report(
    period: SpendPeriod | SpendWindow,
    by: SpendGrouping,
    fleet?: { instances: readonly InstanceSummary[]; failedTypes: WorkloadType[] },
    opts: Pick<SpendOptions, 'onReading'> = {},
  ): Promise<SpendReport> {
    const window = typeof period === 'string' ? spendWindow(period, this.d.now(), this.d.tz) : period;
    let listing = fleet;
    if (!listing) {
      const l = await this.d.instances.listAll();
      listing = { instances: l.instances, failedTypes: l.failed.map((f) => f.type) };
    }
    return buildSpendReport(
      { instances: listing.instances, failedTypes: listing.failedTypes, window, by, balance: this.d.fluence.getBalance().then((b) => b.balance) },
      this.spendDeps(),
      { ...this.d.options, ...opts },
    );
  }

  /**
   * What the running instances burn per hour now. `maxReads`: detail calls allowed for prices not
   * known yet (each price is then cached for good, so a big outside fleet is learnt over a few runs).
   */
  async burn(instances: readonly InstanceSummary[], maxReads = MAX_BURN_READS): Promise<Burn> {
    const running = instances.filter((i) => i.state === 'active');
    const perInstance = new Map<string, number>();
    const [cached, records] = await Promise.all([this.d.cache.getMany(running.map((i) => i.id)), this.d.deployRecords(running.map((i) => i.id))]);
    const unknown: InstanceSummary[] = [];
    for (const i of running) {
      const price = records.get(i.id)?.pricePerHour ?? (cached.get(i.id)?.hourlyUsage || null);
      if (price != null) perInstance.set(i.id, cents(price));
      else unknown.push(i);
    }
    const reads = unknown.slice(0, maxReads);
    const got = await mapLimited(reads, DETAIL_CONCURRENCY, (i) => this.d.fluence.getInstance(i.type, i.id));
    const learned: Parameters<SpendCacheRepo['putMany']>[0][number][] = [];
    reads.forEach((i, k) => {
      const r = got.results[k];
      const b = r?.ok ? r.value.billing : null;
      if (!r?.ok || !b || r.value.state !== 'active' || !(b.hourly_usage > 0)) return;
      perInstance.set(i.id, cents(b.hourly_usage));
      const next = b.next_billing_period ? Date.parse(b.next_billing_period) : NaN;
      const now = this.d.now();
      // remembered for the price; the total holds until the next charge (spend-facts.ts)
      learned.push({ instanceId: i.id, type: i.type, state: 'active', totalSpendings: b.total_spendings, hourlyUsage: b.hourly_usage, validUntil: Number.isFinite(next) && next > now ? next : now, fetchedAt: now });
    });
    if (learned.length) await this.d.cache.putMany(learned);
    let total = 0;
    for (const c of perInstance.values()) total += c;
    return { cents: total, running: running.length, unpriced: running.length - perInstance.size, perInstance };
  }
}
