/**
 * The simulator's account: instances, their lifecycle and the balance.
 *
 * Nothing runs on a timer. Status, billing and the balance are computed from the injected clock on
 * every read, so a test with a fake clock moves an instance to ACTIVE just by moving the clock.
 *
 * Billing follows API.md §1.5: a deploy moves upfront_hours × price from the account to the
 * instance (one hour charged, the rest reserved); each new UTC hour charges one hour and tops the
 * reserve back up from the account; FAILED returns everything; ENDED returns the unused reserve.
 */
import { randomUUID } from 'node:crypto';
import type { WorkloadType } from '../fluence/workload';
import type { GpuModelWire, SupplyWire } from './catalog';
import { SimMarket } from './market';
import type { ContainerConfig, CreateContainerInput, CreateVmInput, ExposedPort, UpdateContainerInput } from './validation';

export type SimStatus = 'INITIALIZED' | 'ACTIVE' | 'FAILED' | 'ENDED';
const HOUR_MS = 3_600_000;

export interface SimInstance {
  id: string;
  type: WorkloadType;
  name: string;
  createdAt: number;
  /** Time of the last change the user made (rename, update). */
  editedAt: number;
  pricePerHour: number;
  upfrontHours: number;
  supply: SupplyWire;
  /** Instance bodies spell the interface in lower case (API.md §1.3). */
  gpuModel: GpuModelWire;
  location: string;
  willFail: boolean;
  /** Seeded instances do not touch the balance (benchmarks create thousands). */
  billable: boolean;
  /** Set by DELETE or setStatus: overrides the clock-driven lifecycle from `at` on. */
  forced: { status: SimStatus; at: number } | null;
  sshKey: string | null;
  /** Containers only. `restartedAt`: when the last applied update restarted the container. */
  container: {
    expose: ExposedPort[];
    config: ContainerConfig;
    pending: { config: ContainerConfig; at: number } | null;
    restartedAt?: number;
  } | null;
  /** VM/BM only. */
  osImage: string | null;
}

export interface NewInstance {
  type: WorkloadType; name: string; pricePerHour: number; upfrontHours: number; supply: SupplyWire; gpu: GpuModelWire;
  location: string; sshKey: string | null; container: SimInstance['container']; osImage: string | null;
}

/** A business rule broke: the server answers 400 (or 404) with this detail. */
export class SimRejection extends Error {
  constructor(readonly status: 400 | 404, readonly detail: string) {
    super(detail);
  }
}

export interface StateOptions {
  now: () => number;
  balance: number;
  provisioningDelayMs: number;
  networkDelayMs: number;
  /** ACTIVE with container_status NOT_STARTED this long (pulling the image) before STARTED. */
  containerStartMs: number;
  updateApplyMs: number;
  failNamePattern: RegExp;
  /** Containers whose image matches never start: they crash-loop (events show BackOff). */
  crashLoopImagePattern: RegExp;
  /** The offers served and deployable (default: the fixed catalog, unchanged). */
  market?: SimMarket;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export class SimState {
  private readonly byId = new Map<string, SimInstance>();
  /** Per type, in creation order: lists are served from here without sorting. */
  private readonly byType: Record<WorkloadType, SimInstance[]> = { container: [], vm: [], baremetal: [] };
  private readonly billable: SimInstance[] = [];
  /** Balance before any instance charges; the visible balance is this minus what instances hold. */
  private base: number;
  private deposited: number;

  /** What is offered right now (plans lists and deploys read it). */
  readonly market: SimMarket;

  constructor(readonly opts: StateOptions) {
    this.market = opts.market ?? new SimMarket();
    this.base = opts.balance;
    this.deposited = opts.balance;
  }

  now(): number {
    return this.opts.now();
  }

  // ---- lifecycle ------------------------------------------------------------------------

  activeAt(i: SimInstance): number {
    return i.forced?.status === 'ACTIVE' ? Math.min(i.forced.at, i.createdAt + this.opts.provisioningDelayMs) : i.createdAt + this.opts.provisioningDelayMs;
  }

  status(i: SimInstance, t = this.now()): SimStatus {
    if (i.forced && t >= i.forced.at) return i.forced.status;
    if (t < i.createdAt + this.opts.provisioningDelayMs) return 'INITIALIZED';
    return i.willFail ? 'FAILED' : 'ACTIVE';
  }

  /** ACTIVE but the provider has not published the address yet (API.md §4.2: domain may be null on ACTIVE). */
  networkReady(i: SimInstance, t = this.now()): boolean {
    return t >= this.activeAt(i) + this.opts.networkDelayMs;
  }

  /**
   * container_status (API.md §10): NOT_STARTED until the image is pulled and the process runs, and
   * for good when it keeps crashing; STARTED once running. An applied update restarts the container.
   */
  containerStarted(i: SimInstance, t = this.now()): boolean {
    if (!i.container || this.status(i, t) !== 'ACTIVE') return false;
    if (this.crashLoops(i, t)) return false;
    const config = this.containerConfig(i, t); // settles an applied update (and its restart) first
    if (!config) return false;
    const from = Math.max(this.activeAt(i), i.container.restartedAt ?? 0);
    return t >= from + this.opts.containerStartMs;
  }

  /** The container's image crashes on start (a seeded broken image): it is never STARTED. */
  crashLoops(i: SimInstance, t = this.now()): boolean {
    const image = this.containerConfig(i, t)?.image;
    return image !== undefined && this.opts.crashLoopImagePattern.test(image);
  }

  updatedAt(i: SimInstance, t = this.now()): number {
    let at = Math.max(i.createdAt, i.editedAt);
    const activeAt = this.activeAt(i);
    if (t >= activeAt && !(i.forced && i.forced.at < activeAt)) at = Math.max(at, activeAt);
    if (i.forced && t >= i.forced.at) at = Math.max(at, i.forced.at);
    const pending = i.container?.pending;
    if (pending && t >= pending.at + this.opts.updateApplyMs) at = Math.max(at, pending.at + this.opts.updateApplyMs);
    return at;
  }

  /** Container settings as the detail shows them: a PUT becomes visible once it has been applied. */
  containerConfig(i: SimInstance, t = this.now()): ContainerConfig | null {
    const c = i.container;
    if (!c) return null;
    if (c.pending && t >= c.pending.at + this.opts.updateApplyMs) {
      c.config = c.pending.config;
      c.restartedAt = c.pending.at + this.opts.updateApplyMs;
      c.pending = null;
    }
    return c.config;
  }

  // ---- billing --------------------------------------------------------------------------

  /** UTC billing periods started between deploy and t (the deploy hour counts). */
  private hoursStarted(i: SimInstance, t: number): number {
    return Math.max(1, Math.floor(t / HOUR_MS) - Math.floor(i.createdAt / HOUR_MS) + 1);
  }

  spent(i: SimInstance, t = this.now()): number {
    const s = this.status(i, t);
    if (s === 'ACTIVE') return i.pricePerHour * this.hoursStarted(i, t);
    // Ended after running: the periods it ran. Ended while still provisioning (setStatus): nothing.
    if (s === 'ENDED' && i.forced && i.forced.at >= this.activeAt(i)) return i.pricePerHour * this.hoursStarted(i, i.forced.at);
    return 0;
  }

  /** What the instance holds of the account's money at t (charged + reserve). */
  private held(i: SimInstance, t: number): number {
    switch (this.status(i, t)) {
      case 'INITIALIZED':
        return i.pricePerHour * i.upfrontHours;
      case 'ACTIVE':
        return this.spent(i, t) + i.pricePerHour * (i.upfrontHours - 1);
      case 'ENDED':
        return this.spent(i, t);
      case 'FAILED':
        return 0;
    }
  }

  reserved(i: SimInstance, t = this.now()): number {
    return this.status(i, t) === 'ACTIVE' ? i.pricePerHour * (i.upfrontHours - 1) : 0;
  }

  balance(t = this.now()): number {
    let held = 0;
    for (const i of this.billable) held += this.held(i, t);
    return round2(this.base - held);
  }

  setBalance(n: number): void {
    const diff = n - this.balance();
    this.base += diff;
    this.deposited += diff;
  }

  totals(t = this.now()): { spent: number; hourly: number; deposited: number } {
    let spent = 0;
    let hourly = 0;
    for (const i of this.billable) {
      spent += this.spent(i, t);
      if (this.status(i, t) === 'ACTIVE') hourly += i.pricePerHour;
    }
    return { spent: round2(spent), hourly: round2(hourly), deposited: round2(this.deposited) };
  }

  // ---- queries --------------------------------------------------------------------------

  list(type: WorkloadType): readonly SimInstance[] {
    return this.byType[type];
  }

  all(): SimInstance[] {
    return [...this.byId.values()];
  }

  /** 404 for unknown ids and for ids of another workload type (each type has its own path). */
  get(type: WorkloadType, id: string): SimInstance {
    const i = this.byId.get(id);
    if (!i || i.type !== type) throw new SimRejection(404, 'Not Found');
    return i;
  }

  // ---- commands -------------------------------------------------------------------------

  createContainer(input: CreateContainerInput): SimInstance {
    const plan = this.market.findContainerPlan(input.plan_id);
    if (!plan) throw new SimRejection(400, `Plan ${input.plan_id} not found or no longer available`);
    const locations = plan.attributes.location;
    if (input.location !== null && !locations.includes(input.location)) {
      throw new SimRejection(400, `Location ${input.location} is not available for the selected plan. Available locations: ${locations.join(', ')}`);
    }
    const p = plan.plan;
    return this.insert({
      type: 'container', name: input.name, pricePerHour: p.pricing.hour, upfrontHours: p.pricing.upfront_hours,
      supply: p.supply, gpu: p.gpu_model, location: input.location ?? locations[0] ?? 'US', sshKey: input.ssh_key,
      container: { expose: input.expose, config: input.config, pending: null }, osImage: null,
    });
  }

  createVm(type: 'vm' | 'baremetal', input: CreateVmInput): SimInstance {
    const offer = this.market.findVmOffer(type, input.plan_id);
    if (!offer) throw new SimRejection(400, `Plan ${input.plan_id} not found or no longer available`);
    const o = offer.option;
    if (!o.os_options.includes(input.os_image)) {
      throw new SimRejection(400, `Provided OS image ${input.os_image} is not supported for the selected offer. Available OS images: ${o.os_options.join(', ')}`);
    }
    return this.insert({
      type, name: input.name, pricePerHour: o.pricing.hour, upfrontHours: o.pricing.upfront_hours,
      supply: { vcpu: o.vcpu, memory: o.memory, storage: o.storage, gpu_count: offer.gpuCount }, gpu: offer.gpu,
      location: o.location, sshKey: input.ssh_key, container: null, osImage: input.os_image,
    });
  }

  /** Adds an instance; `seed` skips the balance and pins the status (used by seed.ts). */
  insert(a: NewInstance, seed?: { status: SimStatus }): SimInstance {
    const t = this.now();
    if (!seed && this.balance(t) < a.pricePerHour * a.upfrontHours) {
      throw new SimRejection(400, 'Insufficient balance to deploy instance');
    }
    const i: SimInstance = {
      id: randomUUID(), type: a.type, name: a.name, createdAt: t, editedAt: t,
      pricePerHour: a.pricePerHour, upfrontHours: a.upfrontHours, supply: a.supply,
      gpuModel: { ...a.gpu, interface: a.gpu.interface.toLowerCase() }, location: a.location,
      willFail: this.opts.failNamePattern.test(a.name), billable: !seed, forced: null,
      sshKey: a.sshKey, container: a.container, osImage: a.osImage,
    };
    if (seed) {
      // Seeded as if deployed long enough ago to be settled; the status is pinned so no clock can move it.
      i.createdAt = t - this.opts.provisioningDelayMs - Math.max(this.opts.networkDelayMs, this.opts.containerStartMs);
      i.editedAt = i.createdAt;
      i.forced = { status: seed.status, at: i.createdAt };
    }
    this.byId.set(i.id, i);
    this.byType[i.type].push(i);
    if (i.billable) this.billable.push(i);
    return i;
  }

  updateContainer(id: string, input: UpdateContainerInput): void {
    const i = this.get('container', id);
    const t = this.now();
    if (this.status(i, t) !== 'ACTIVE') throw new SimRejection(400, 'Only active instances can be updated');
    this.containerConfig(i, t); // settles a finished update first
    if (i.container?.pending) throw new SimRejection(400, 'A previous update is still being applied. Try again when it completes.');
    // The name changes at once; the new container settings show once the redeploy is applied (API.md §4.4).
    // A full replacement: a key (or registry credentials) left out of the body is gone afterwards
    // (API.md §10), so the bot must send the current key back itself to keep it.
    i.name = input.name;
    i.sshKey = input.ssh_key;
    i.editedAt = t;
    if (i.container) i.container.pending = { config: input.config, at: t };
  }

  rename(type: 'vm' | 'baremetal', id: string, name: string): void {
    const i = this.get(type, id);
    const s = this.status(i);
    if (s === 'ENDED' || s === 'FAILED') throw new SimRejection(400, 'Only active instances can be renamed');
    i.name = name;
    i.editedAt = this.now();
  }

  terminate(type: WorkloadType, id: string): void {
    const i = this.get(type, id);
    if (this.status(i) !== 'ACTIVE') throw new SimRejection(400, 'Only active instances can be terminated');
    i.forced = { status: 'ENDED', at: this.now() };
  }

  /** Test control: force a status now (e.g. ENDED elsewhere, FAILED). Unknown id -> false. */
  setStatus(id: string, status: SimStatus): boolean {
    const i = this.byId.get(id);
    if (!i) return false;
    i.forced = { status, at: this.now() };
    return true;
  }
}
