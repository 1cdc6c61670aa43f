import { filterOffers, PlanCatalog } from '../../src/services/plans';
import type { PlanOffer } from '../../src/fluence/model';
import type { FluenceApi } from '../../src/fluence/api';

function offer(model: string, count: number, price: number, locations: string[]): PlanOffer {
  return {
    type: 'container',
    planId: `${model}-${count}-${price}`,
    name: `${model}-${count}`,
    gpu: { vendor: 'nvidia', model, vram: '80Gi', interface: 'sxm', count },
    vcpu: 8,
    memory: { count: 64, units: 'Gi' },
    storage: { count: 100, units: 'Gi' },
    pricePerHour: price,
    upfrontHours: 3,
    currency: 'USDC',
    locations,
  };
}

const catalog = [
  offer('h100', 8, 21.6, ['US']),
  offer('a100', 1, 1.22, ['US', 'DE']),
  offer('h100', 1, 2.7, ['DE']),
  offer('h200', 1, 2.96, ['US']),
];

describe('filterOffers', () => {
  it('sorts by hourly price, cheapest first', () => {
    const r = filterOffers(catalog, {});
    expect(r.offers.map((o) => o.pricePerHour)).toEqual([1.22, 2.7, 2.96, 21.6]);
    expect(r.totalBeforeFilters).toBe(4);
  });

  it('filters by gpu (case-insensitive), count, location and max price together', () => {
    expect(filterOffers(catalog, { gpu: 'H100' }).offers.map((o) => o.gpu.count)).toEqual([1, 8]);
    expect(filterOffers(catalog, { gpu: 'h100', count: 8 }).offers).toHaveLength(1);
    expect(filterOffers(catalog, { location: 'de' }).offers.map((o) => o.gpu.model)).toEqual(['a100', 'h100']);
    expect(filterOffers(catalog, { maxPrice: 2.96 }).offers).toHaveLength(3);
  });

  it('names the filter that removed everything and what exists instead', () => {
    expect(filterOffers(catalog, { gpu: 'b200' }).emptyReason).toMatch(/No plans with GPU "b200".*A100, H100, H200/);
    expect(filterOffers(catalog, { gpu: 'h200', location: 'DE' }).emptyReason).toMatch(/location "DE".*US/);
    expect(filterOffers(catalog, { gpu: 'h100', count: 4 }).emptyReason).toMatch(/Available counts: 1, 8/);
    expect(filterOffers(catalog, { gpu: 'h200', maxPrice: 1 }).emptyReason).toMatch(/cheapest matching plan costs \$2\.96\/h/);
  });

  it('says when Fluence itself has nothing', () => {
    expect(filterOffers([], {}).emptyReason).toMatch(/no plans of this type/);
  });
});

describe('PlanCatalog cache', () => {
  it('serves repeated browsing from one Fluence call within the TTL, and refetches after it', async () => {
    let calls = 0;
    let now = 0;
    const fluence = { listPlans: async () => (calls++, catalog) } as unknown as FluenceApi;
    const c = new PlanCatalog({ fluence, ttlMs: 1000, now: () => now });
    await c.browse('container', {});
    await c.browse('container', { gpu: 'h100' });
    expect(calls).toBe(1);
    now = 1500;
    await c.browse('container', {});
    expect(calls).toBe(2);
  });

  it('does not cache a failure', async () => {
    let calls = 0;
    const fluence = {
      listPlans: async () => {
        calls++;
        if (calls === 1) throw new Error('down');
        return catalog;
      },
    } as unknown as FluenceApi;
    const c = new PlanCatalog({ fluence });
    await expect(c.browse('vm', {})).rejects.toThrow('down');
    await expect(c.browse('vm', {})).resolves.toMatchObject({ totalBeforeFilters: 4 });
  });
});
