/**
 * The bot's own view of Fluence data, one shape for all three workload types.
 * The client parses the wire bodies with schemas.ts and converts them here; everything
 * above the client (services, watcher, views) sees only these types.
 */
import type {
  Billing,
  ContainerDetail,
  ContainerListItem,
  ContainerPlanEntry,
  GpuModel,
  Quantity,
  VmDetail,
  VmListItem,
  VmPlans,
} from './schemas';
import { isRootSshImage } from './rules';
import type { WorkloadType } from './workload';

/** What a status means to a user. The wire strings stay available as `status`. */
export type InstanceState = 'provisioning' | 'active' | 'failed' | 'ended';

/**
 * Wire status -> state. Unknown strings (e.g. "INITIATED", the UI label, or a future
 * "UPDATING") count as provisioning: the watcher keeps polling instead of failing (API.md §1.4).
 */
export function instanceState(status: string): InstanceState {
  switch (status.trim().toUpperCase()) {
    case 'ACTIVE':
      return 'active';
    case 'FAILED':
      return 'failed';
    case 'ENDED':
      return 'ended';
    default:
      return 'provisioning';
  }
}

/** The status strings the docs list (API.md §10); anything else is logged once by the client. */
export const KNOWN_INSTANCE_STATUSES: readonly string[] = ['INITIALIZED', 'ACTIVE', 'FAILED', 'ENDED'];
export const KNOWN_CONTAINER_STATUSES: readonly string[] = ['NOT_STARTED', 'STARTED'];

/**
 * Usable, not merely provisioned (API.md §10): ACTIVE, the container process STARTED (the field
 * exists on container details only; absent means there is nothing more to wait for), and an address
 * to connect to (`connection` is built only once the provider has published one).
 */
export function isUsable(d: InstanceDetail): boolean {
  if (d.state !== 'active' || !d.connection) return false;
  return d.containerStatus == null || d.containerStatus.trim().toUpperCase() === 'STARTED';
}

/** ACTIVE at the infrastructure level while the container has not started (still pulling, or crash-looping). */
export function isStartPending(d: InstanceDetail): boolean {
  return d.state === 'active' && d.containerStatus != null && d.containerStatus.trim().toUpperCase() !== 'STARTED';
}

export interface GpuSpec {
  vendor: string;
  model: string;
  vram: string;
  /** lower-case ("sxm", "pcie") */
  interface: string;
  count: number;
}

/** One deployable choice: a container plan, or one VM/bare-metal option (provider + location). */
export interface PlanOffer {
  type: WorkloadType;
  /** The `plan_id` to send on deploy (container `plan.id`, VM/BM `options[].id`). */
  planId: string;
  /** Container plan slug; for VM/BM a synthesized "a100-80gi-pcie-1gpu @ provider/location". */
  name: string;
  gpu: GpuSpec;
  vcpu: number;
  memory: Quantity;
  storage: Quantity;
  pricePerHour: number;
  upfrontHours: number;
  currency: string;
  /** Containers: country codes the plan can run in. VM/BM: the option's datacenter slug. */
  locations: string[];
  provider?: string;
  /** VM/BM: allowed `os_image` values. */
  osOptions?: string[];
  nvlink?: boolean;
}

export interface Connection {
  /** Ready-to-paste SSH command, if any. */
  ssh?: string;
  /** Why the SSH command has a placeholder user (a container image whose login user is not known). */
  sshHint?: string;
  /** Public host or IP. */
  host?: string;
  /** Container port -> public endpoint. */
  ports: Array<{ port: string; externalPort: string; protocol: string; endpoint: string }>;
  /** HTTP URL when port 80 is exposed as http. */
  uri?: string;
}

export interface InstanceSummary {
  type: WorkloadType;
  id: string;
  name: string;
  /** Wire status string, as the API sent it. */
  status: string;
  state: InstanceState;
  gpu: GpuSpec;
  vcpu: number;
  memory: Quantity;
  storage: Quantity;
  location: string | null;
  domain: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface InstanceDetail extends InstanceSummary {
  billing: Billing | null;
  /** Present only when the instance is ACTIVE and the provider has published its address. */
  connection: Connection | null;
  /** Containers: NOT_STARTED | STARTED. */
  containerStatus?: string | null;
  /** Containers: image, exposed ports, env var NAMES (values never leave the client layer in views). */
  container?: {
    image: string;
    expose: Array<{ port: string; protocol: string }>;
    environment: Array<{ name: string; value: string }>;
    startupCommand: string | null;
  };
  osImage?: string | null;
  sshKey?: string | null;
}

export interface AccountBalance {
  /** Spendable balance in USD(C). */
  balance: number;
  usageDaysLeft: number | null;
}

// ---- conversions ----------------------------------------------------------------------

function gpuSpec(model: GpuModel, count: number): GpuSpec {
  return { vendor: model.vendor, model: model.model, vram: model.vram, interface: model.interface, count };
}

export function containerPlanOffers(entries: ContainerPlanEntry[]): PlanOffer[] {
  return entries.map(({ plan, attributes }) => ({
    type: 'container',
    planId: plan.id,
    name: plan.name,
    gpu: gpuSpec(plan.gpu_model, plan.supply.gpu_count),
    vcpu: plan.supply.vcpu.count,
    memory: plan.supply.memory,
    storage: plan.supply.storage,
    pricePerHour: plan.pricing.hour,
    upfrontHours: plan.pricing.upfront_hours,
    currency: plan.pricing.currency,
    locations: attributes.location,
  }));
}

/** Flattens model -> count -> option into one offer per option. */
export function vmPlanOffers(type: 'vm' | 'baremetal', body: VmPlans): PlanOffer[] {
  const out: PlanOffer[] = [];
  for (const group of body.data) {
    for (const byCount of group.availability_by_number) {
      for (const option of byCount.options) {
        const gpu = gpuSpec(group.gpu_model, byCount.gpu_count);
        out.push({
          type,
          planId: option.id,
          name: `${gpu.model}-${gpu.vram.toLowerCase()}-${gpu.interface}-${gpu.count}gpu @ ${option.provider}/${option.location}`,
          gpu,
          vcpu: option.vcpu.count,
          memory: option.memory,
          storage: option.storage,
          pricePerHour: option.pricing.hour,
          upfrontHours: option.pricing.upfront_hours,
          currency: option.pricing.currency,
          locations: [option.location],
          provider: option.provider,
          osOptions: option.os_options,
          nvlink: option.nvlink,
        });
      }
    }
  }
  return out;
}

function summaryOf(type: WorkloadType, item: ContainerListItem | VmListItem, status: string): InstanceSummary {
  return {
    type,
    id: item.id,
    name: item.name,
    status,
    state: instanceState(status),
    gpu: gpuSpec(item.resources.gpu_model, item.resources.supply.gpu_count),
    vcpu: item.resources.supply.vcpu.count,
    memory: item.resources.supply.memory,
    storage: item.resources.supply.storage,
    location: item.location ?? null,
    domain: item.domain ?? null,
    createdAt: item.created_at,
    updatedAt: item.updated_at,
  };
}

export function containerSummary(item: ContainerListItem): InstanceSummary {
  return summaryOf('container', item, item.instance_status);
}

export function vmSummary(type: 'vm' | 'baremetal', item: VmListItem): InstanceSummary {
  return summaryOf(type, item, item.status);
}

export const CONTAINER_SSH_USER_HINT =
  'Replace <user> with the login user of your image: only the Fluence debian-ssh-root image is known to log in as root.';

export function containerDetail(body: ContainerDetail): InstanceDetail {
  const base = summaryOf('container', body, body.instance_status);
  const net = body.network ?? null;
  let connection: Connection | null = null;
  // an address exists once ACTIVE and the provider has published a domain (API.md §10: domain may be
  // null briefly); whether the container is usable also needs container_status (isUsable)
  if (base.state === 'active' && net?.domain) {
    const host = net.domain;
    const ports = net.forwarded_ports.map((p) => ({
      port: p.port,
      externalPort: p.external_port,
      protocol: p.protocol,
      endpoint: `${host}:${p.external_port}`,
    }));
    const ssh22 = ports.find((p) => p.port === '22');
    // Only the docs' root-SSH image is known to take `root` (API.md §3.1); other images choose their
    // own login user, so the command says so instead of promising a root login that may not exist.
    const rootSsh = isRootSshImage(body.container_info?.image ?? '');
    connection = {
      host,
      ports,
      ...(ssh22 ? { ssh: `ssh -p ${ssh22.externalPort} ${rootSsh ? 'root' : '<user>'}@${host}` } : {}),
      ...(ssh22 && !rootSsh ? { sshHint: CONTAINER_SSH_USER_HINT } : {}),
      ...(net.uri ? { uri: net.uri } : {}),
    };
  }
  return {
    ...base,
    domain: base.domain ?? net?.domain ?? null,
    billing: body.billing ?? null,
    connection,
    containerStatus: body.container_status ?? null,
    ...(body.container_info
      ? {
          container: {
            image: body.container_info.image,
            expose: body.container_info.expose.map((e) => ({ port: e.port, protocol: e.protocol ?? 'tcp' })),
            environment: body.container_info.environment.map((e) => ({ name: e.name, value: e.value })),
            startupCommand: body.container_info.startup_command ?? null,
          },
        }
      : {}),
  };
}

export function vmDetail(type: 'vm' | 'baremetal', body: VmDetail): InstanceDetail {
  const base = summaryOf(type, body, body.status);
  const net = body.network ?? null;
  let connection: Connection | null = null;
  if (base.state === 'active' && body.ssh_connection) {
    const host = net?.domain ?? undefined;
    connection = {
      ssh: body.ssh_connection,
      ...(host ? { host } : {}),
      ports: (net?.forwarded_ports ?? []).map((p) => ({
        port: p.port,
        externalPort: p.external_port,
        protocol: p.protocol,
        endpoint: `${host ?? ''}:${p.external_port}`,
      })),
      ...(net?.uri ? { uri: net.uri } : {}),
    };
  }
  return {
    ...base,
    domain: base.domain ?? net?.domain ?? null,
    billing: body.billing ?? null,
    connection,
    osImage: body.os_image ?? null,
    sshKey: body.ssh_key ?? null,
  };
}
