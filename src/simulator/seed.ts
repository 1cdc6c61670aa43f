/**
 * Bulk seeding for benchmarks and tests: n instances at once, straight into the state (no HTTP, no
 * balance check), pinned to a status so no clock moves them.
 */
import type { WorkloadType } from '../fluence/workload';
import { BAREMETAL_OFFERS, CONTAINER_PLANS, DEBIAN_SSH_IMAGE, VM_OFFERS } from './catalog';
import type { SimMarket } from './market';
import type { NewInstance, SimState, SimStatus } from './state';

export interface SeedOptions {
  /** Lifecycle state to create them in (default ACTIVE). */
  status?: SimStatus;
  /** Container plan id or VM/BM option id (default: the docs' a100 plan / the first option). */
  planId?: string;
  /** Names are `<prefix>-<n>` (default `seed-<type>`). */
  namePrefix?: string;
  /** Containers: the image (default the docs' debian-ssh-root; CRASHLOOP_IMAGE never starts). */
  image?: string;
}

const SEED_SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNpbXVsYXRvci1zZWVk seed@simulator';

function template(market: SimMarket, type: WorkloadType, planId: string | undefined): Omit<NewInstance, 'name'> {
  if (type === 'container') {
    const plan = (planId ? market.findContainerPlan(planId) : undefined) ?? CONTAINER_PLANS[1]!;
    const p = plan.plan;
    return {
      type, pricePerHour: p.pricing.hour, upfrontHours: p.pricing.upfront_hours, supply: p.supply, gpu: p.gpu_model,
      location: plan.attributes.location[0] ?? 'US', sshKey: SEED_SSH_KEY, osImage: null,
      container: {
        expose: [{ port: '22', protocol: 'tcp' }],
        config: { image: DEBIAN_SSH_IMAGE, environment: [], startup_command: null, credentials: null },
        pending: null,
      },
    };
  }
  const offer = (planId ? market.findVmOffer(type, planId) : undefined) ?? (type === 'vm' ? VM_OFFERS : BAREMETAL_OFFERS)[0]!;
  const o = offer.option;
  return {
    type, pricePerHour: o.pricing.hour, upfrontHours: o.pricing.upfront_hours,
    supply: { vcpu: o.vcpu, memory: o.memory, storage: o.storage, gpu_count: offer.gpuCount }, gpu: offer.gpu,
    location: o.location, sshKey: SEED_SSH_KEY, container: null, osImage: o.os_options[0] ?? null,
  };
}

/** Creates n instances of one type; returns their ids in creation order. */
export function seedInstances(state: SimState, n: number, type: WorkloadType, opts: SeedOptions = {}): string[] {
  const base = template(state.market, type, opts.planId);
  if (base.container && opts.image) base.container = { ...base.container, config: { ...base.container.config, image: opts.image } };
  const prefix = (opts.namePrefix ?? `seed-${type}`).slice(0, 18);
  const status = { status: opts.status ?? 'ACTIVE' };
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const container = base.container && { ...base.container, pending: null };
    ids.push(state.insert({ ...base, container, name: `${prefix}-${k}` }, status).id);
  }
  return ids;
}
