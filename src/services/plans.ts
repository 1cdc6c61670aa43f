/**
 * Plan browsing: fetch offers (briefly cached: the catalogue changes slowly and `/gpu plans`
 * must answer fast), filter, sort by hourly price, and when nothing is left, say which filter
 * removed everything.
 */
import type { FluenceApi } from '../fluence/api';
import type { PlanOffer } from '../fluence/model';
import type { DefaultImage } from '../fluence/schemas';
import type { WorkloadType } from '../fluence/workload';

export interface PlanFilters {
  gpu?: string;
  count?: number;
  maxPrice?: number;
  location?: string;
}

export interface PlanBrowseResult {
  offers: PlanOffer[];
  totalBeforeFilters: number;
  /** Set when `offers` is empty: names the filter that removed everything. */
  emptyReason?: string;
}

const FILTER_ORDER = ['gpu', 'count', 'location', 'maxPrice'] as const;
type FilterKey = (typeof FILTER_ORDER)[number];

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

function matches(offer: PlanOffer, key: FilterKey, filters: PlanFilters): boolean {
  switch (key) {
    case 'gpu': {
      if (!filters.gpu) return true;
      const want = norm(filters.gpu);
      return norm(offer.gpu.model).includes(want) || norm(`${offer.gpu.model}${offer.gpu.vram}`).includes(want);
    }
    case 'count':
      return filters.count === undefined || offer.gpu.count === filters.count;
    case 'location': {
      if (!filters.location) return true;
      const want = filters.location.toLowerCase();
      return offer.locations.some((l) => l.toLowerCase() === want || l.toLowerCase().includes(want));
    }
    case 'maxPrice':
      return filters.maxPrice === undefined || offer.pricePerHour <= filters.maxPrice + 1e-9;
  }
}

/** One offer against every filter: what `/gpu plans` would list (plan alerts match with this). */
export function matchesFilters(offer: PlanOffer, filters: PlanFilters): boolean {
  return FILTER_ORDER.every((key) => matches(offer, key, filters));
}

export function filterOffers(offers: PlanOffer[], filters: PlanFilters): PlanBrowseResult {
  let remaining = offers;
  for (const key of FILTER_ORDER) {
    const next = remaining.filter((o) => matches(o, key, filters));
    if (next.length === 0 && remaining.length > 0) {
      return { offers: [], totalBeforeFilters: offers.length, emptyReason: explain(key, filters, remaining) };
    }
    remaining = next;
  }
  const sorted = [...remaining].sort(
    (a, b) => a.pricePerHour - b.pricePerHour || a.gpu.model.localeCompare(b.gpu.model) || a.gpu.count - b.gpu.count,
  );
  return {
    offers: sorted,
    totalBeforeFilters: offers.length,
    ...(offers.length === 0 ? { emptyReason: 'Fluence has no plans of this type available right now.' } : {}),
  };
}

/** `remaining` = offers that passed the filters before `key`: tells the user what is there instead. */
function explain(key: FilterKey, f: PlanFilters, remaining: PlanOffer[]): string {
  const uniq = (xs: string[]) => [...new Set(xs)].sort();
  switch (key) {
    case 'gpu':
      return `No plans with GPU "${f.gpu}". Available GPUs: ${uniq(remaining.map((o) => o.gpu.model.toUpperCase())).join(', ')}.`;
    case 'count':
      return `No ${f.gpu ? f.gpu.toUpperCase() + ' ' : ''}plans with ${f.count} GPU${f.count === 1 ? '' : 's'}. Available counts: ${uniq(remaining.map((o) => String(o.gpu.count))).sort((a, b) => Number(a) - Number(b)).join(', ')}.`;
    case 'location':
      return `No matching plans in location "${f.location}". Matching plans run in: ${uniq(remaining.flatMap((o) => o.locations)).join(', ')}.`;
    case 'maxPrice': {
      const cheapest = Math.min(...remaining.map((o) => o.pricePerHour));
      return `No matching plans at or under $${f.maxPrice}/h. The cheapest matching plan costs $${cheapest.toFixed(2)}/h.`;
    }
  }
}

export interface PlanCatalogOptions {
  fluence: FluenceApi;
  ttlMs?: number;
  now?: () => number;
}

export class PlanCatalog {
  private readonly cache = new Map<WorkloadType, { at: number; offers: Promise<PlanOffer[]> }>();
  private images: { at: number; list: Promise<DefaultImage[]> } | null = null;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: PlanCatalogOptions) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** All offers of a type, cached for `ttlMs`. A failed fetch is not cached. */
  /**
   * All offers of a type, cached for `ttlMs`. `maxAgeMs` lets a caller on a deadline accept an
   * older list (a modal submission checks the plan the user picked against the list it was shown).
   */
  offers(type: WorkloadType, maxAgeMs = this.ttlMs): Promise<PlanOffer[]> {
    const hit = this.cache.get(type);
    if (hit && this.now() - hit.at < maxAgeMs) return hit.offers;
    const offers = this.opts.fluence.listPlans(type);
    this.cache.set(type, { at: this.now(), offers });
    offers.catch(() => this.cache.delete(type));
    return offers;
  }

  /** Default container images, cached like the plans (they change even more rarely). */
  defaultImages(): Promise<DefaultImage[]> {
    if (this.images && this.now() - this.images.at < this.ttlMs) return this.images.list;
    const list = this.opts.fluence.listDefaultImages();
    this.images = { at: this.now(), list };
    list.catch(() => {
      this.images = null;
    });
    return list;
  }

  async browse(type: WorkloadType, filters: PlanFilters): Promise<PlanBrowseResult> {
    return filterOffers(await this.offers(type), filters);
  }

  async find(type: WorkloadType, planId: string): Promise<PlanOffer | undefined> {
    return (await this.offers(type)).find((o) => o.planId === planId);
  }
}
