/**
 * The offers one simulator serves, changeable at run time: a price moves, an offer is withdrawn
 * and comes back, a new one appears. It starts as a copy of the fixed catalog (catalog.ts), so a
 * simulator nobody changes serves exactly that; each simulator has its own (tests do not leak
 * into each other). Deploys are checked against the offers as they are now, like Fluence does.
 */
import { randomUUID } from 'node:crypto';
import type { WorkloadType } from '../fluence/workload';
import {
  BAREMETAL_OFFERS,
  CONTAINER_PLANS,
  GPUS,
  UPFRONT_HOURS,
  VM_GPUS,
  VM_OFFERS,
  planName,
  type ContainerPlanWire,
  type VmOffer,
} from './catalog';

export interface NewOffer {
  /** Default: a fresh UUID. */
  id?: string;
  /** A GPU key of the catalog: containers rtx4090, l40s, a100, h100, h200; VM/BM also a10, l40, a100pcie. */
  gpu: string;
  count?: number;
  pricePerHour: number;
  /** Containers: country codes (default ['US']); VM/BM: the datacenter slug (the first one). */
  locations?: string[];
  /** VM/BM (default 'sesterce'). */
  provider?: string;
}

export class SimMarket {
  private containers: ContainerPlanWire[] = CONTAINER_PLANS.map((p) => structuredClone(p));
  private readonly machines: Record<'vm' | 'baremetal', VmOffer[]> = {
    vm: VM_OFFERS.map((o) => structuredClone(o)),
    baremetal: BAREMETAL_OFFERS.map((o) => structuredClone(o)),
  };
  /** Withdrawn offers, by id, so `restore` brings back the same offer. */
  private readonly withdrawn = new Map<string, { type: WorkloadType; offer: ContainerPlanWire | VmOffer }>();

  containerPlans(): readonly ContainerPlanWire[] {
    return this.containers;
  }

  machineOffers(type: 'vm' | 'baremetal'): readonly VmOffer[] {
    return this.machines[type];
  }

  findContainerPlan(id: string): ContainerPlanWire | undefined {
    return this.containers.find((p) => p.plan.id === id);
  }

  findVmOffer(type: 'vm' | 'baremetal', id: string): VmOffer | undefined {
    return this.machines[type].find((o) => o.option.id === id);
  }

  /** The hourly price of an offer from now on. Throws on an id no type offers. */
  setPrice(id: string, pricePerHour: number): void {
    if (!(pricePerHour > 0)) throw new Error(`simulator: price must be positive, got ${pricePerHour}`);
    const plan = this.findContainerPlan(id);
    if (plan) {
      plan.plan.pricing.hour = pricePerHour;
      return;
    }
    const offer = this.findVmOffer('vm', id) ?? this.findVmOffer('baremetal', id);
    if (!offer) throw new Error(`simulator: no offer ${id}`);
    offer.option.pricing.hour = pricePerHour;
  }

  /** The offer disappears from its list (sold out); `restore` puts it back. Throws on an unknown id. */
  withdraw(id: string): void {
    const i = this.containers.findIndex((p) => p.plan.id === id);
    if (i >= 0) {
      this.withdrawn.set(id, { type: 'container', offer: this.containers.splice(i, 1)[0]! });
      return;
    }
    for (const type of ['vm', 'baremetal'] as const) {
      const j = this.machines[type].findIndex((o) => o.option.id === id);
      if (j >= 0) {
        this.withdrawn.set(id, { type, offer: this.machines[type].splice(j, 1)[0]! });
        return;
      }
    }
    throw new Error(`simulator: no offer ${id}`);
  }

  restore(id: string): void {
    const w = this.withdrawn.get(id);
    if (!w) throw new Error(`simulator: offer ${id} was not withdrawn`);
    this.withdrawn.delete(id);
    if (w.type === 'container') this.containers.push(w.offer as ContainerPlanWire);
    else this.machines[w.type].push(w.offer as VmOffer);
  }

  /** A new offer of `type`; returns its id. */
  add(type: WorkloadType, o: NewOffer): string {
    const id = o.id ?? randomUUID();
    if (this.findContainerPlan(id) || this.findVmOffer('vm', id) || this.findVmOffer('baremetal', id)) {
      throw new Error(`simulator: offer ${id} exists`);
    }
    const count = o.count ?? 1;
    const pricing = { hour: o.pricePerHour, upfront_hours: UPFRONT_HOURS, currency: 'USDC' };
    if (type === 'container') {
      const g = GPUS[o.gpu];
      if (!g) throw new Error(`simulator: no container GPU ${o.gpu} (have ${Object.keys(GPUS).join(', ')})`);
      const [vcpu, ram, disk] = [16 * count, 128 * count, 250 * count];
      this.containers.push({
        plan: {
          id,
          name: planName(g, count, vcpu, ram, disk),
          supply: { vcpu: { count: vcpu }, memory: { count: ram, units: 'Gi' }, storage: { count: disk, units: 'Gi' }, gpu_count: count },
          gpu_model: { ...g },
          pricing,
        },
        attributes: { location: o.locations ?? ['US'] },
      });
      return id;
    }
    const g = VM_GPUS[o.gpu];
    if (!g) throw new Error(`simulator: no VM GPU ${o.gpu} (have ${Object.keys(VM_GPUS).join(', ')})`);
    this.machines[type].push({
      gpu: { ...g },
      gpuCount: count,
      option: {
        id,
        location: o.locations?.[0] ?? 'dallas-usa-1',
        provider: o.provider ?? 'sesterce',
        vcpu: { count: 26 * count },
        memory: { count: 225 * count, units: 'Gi' },
        storage: { count: 2000 * count, units: 'Gi' },
        deployment_type: type === 'vm' ? 'VM' : 'BAREMETAL',
        pricing,
        nvlink: count > 1,
        os_options: ['ubuntu24.04'],
      },
    });
    return id;
  }
}
