/**
 * FluenceApi over HTTP. One code path for container | vm | baremetal: paths come from WORKLOADS,
 * and the few wire shapes that differ (plans, list, detail, create body) from the WIRE table below.
 * Transport, retries and error mapping live in http.ts; this file only says which call is which.
 */
import { z } from 'zod';
import type { CreateRequest, FluenceApi } from './api';
import { FluenceError } from './errors';
import { FluenceHttp, formatPath, type FluenceHttpOptions } from './http';
import {
  containerDetail,
  containerPlanOffers,
  containerSummary,
  KNOWN_CONTAINER_STATUSES,
  KNOWN_INSTANCE_STATUSES,
  vmDetail,
  vmPlanOffers,
  vmSummary,
  type AccountBalance,
  type InstanceDetail,
  type InstanceSummary,
  type PlanOffer,
} from './model';
import {
  AccountSshKeysSchema,
  BalancesSchema,
  ContainerDetailSchema,
  ContainerListSchema,
  ContainerPlansSchema,
  CreateContainerRequestSchema,
  CreateInstanceResponseSchema,
  CreateVmRequestSchema,
  DefaultImagesSchema,
  LinesSchema,
  UpdateContainerRequestSchema,
  VmDetailSchema,
  VmListSchema,
  VmPlansSchema,
  type AccountSshKeyWire,
  type CreateContainerRequest,
  type CreateVmRequest,
  type DefaultImage,
  type UpdateContainerRequest,
} from './schemas';
import { WORKLOADS, type WorkloadType } from './workload';

/** baseUrl, apiKey, timeoutMs, retries, backoffMs, sleep, logger, fetch (see http.ts). */
export interface FluenceClientOptions extends FluenceHttpOptions {}

const GPU = '/gpu';
const BALANCES_PATH = '/v2/users/balances';
const SSH_KEYS_PATH = '/v1/ssh_keys';
/** One page is enough: a Slack select holds 100 options, and the deploy form offers them there. */
const SSH_KEYS_PER_PAGE = 100;
/** The env var through which Fluence injects `ssh_key` into a container (API.md §4.3). */
const SSH_PUBKEY = 'SSH_PUBKEY';

/** Per type: how a wire body becomes the model. Parsing and converting in one schema keeps zod's field paths in errors. */
interface Wire {
  plans: z.ZodType<PlanOffer[]>;
  list: z.ZodType<InstanceSummary[]>;
  detail: z.ZodType<InstanceDetail>;
  createRequest: z.ZodType<unknown>;
}

function vmWire(type: 'vm' | 'baremetal'): Wire {
  return {
    plans: VmPlansSchema.transform((body) => vmPlanOffers(type, body)),
    list: VmListSchema.transform((items) => items.map((i) => vmSummary(type, i))),
    detail: VmDetailSchema.transform((body) => vmDetail(type, body)),
    createRequest: CreateVmRequestSchema,
  };
}

const WIRE: Readonly<Record<WorkloadType, Wire>> = {
  container: {
    plans: ContainerPlansSchema.transform(containerPlanOffers),
    list: ContainerListSchema.transform((items) => items.map(containerSummary)),
    detail: ContainerDetailSchema.transform(containerDetail),
    createRequest: CreateContainerRequestSchema,
  },
  vm: vmWire('vm'),
  baremetal: vmWire('baremetal'),
};

/** Distinct unknown status values remembered for "log once"; beyond this, the rest are not logged. */
const MAX_UNKNOWN_STATUSES = 50;

export class FluenceClient implements FluenceApi {
  private readonly http: FluenceHttp;
  private readonly logger: FluenceClientOptions['logger'];
  private readonly unknownStatuses = new Set<string>();

  constructor(opts: FluenceClientOptions) {
    this.http = new FluenceHttp(opts);
    this.logger = opts.logger;
  }

  async listPlans(type: WorkloadType): Promise<PlanOffer[]> {
    return this.http.request('GET', GPU + WORKLOADS[type].plansPath, { schema: WIRE[type].plans });
  }

  async listDefaultImages(): Promise<DefaultImage[]> {
    return this.http.request('GET', `${GPU}/default-images/`, { schema: DefaultImagesSchema });
  }

  createInstance(type: 'container', body: CreateContainerRequest): Promise<{ instanceId: string }>;
  createInstance(type: 'vm' | 'baremetal', body: CreateVmRequest): Promise<{ instanceId: string }>;
  createInstance(type: WorkloadType, body: CreateContainerRequest | CreateVmRequest): Promise<{ instanceId: string }>;
  async createInstance(type: WorkloadType, body: CreateRequest): Promise<{ instanceId: string }> {
    // Checked here, before money can move: a body of the wrong shape never reaches Fluence.
    checkRequest(WIRE[type].createRequest, body, `the ${WORKLOADS[type].label} request`);
    const res = await this.http.request('POST', GPU + WORKLOADS[type].instancesPath, {
      schema: CreateInstanceResponseSchema,
      body,
    });
    return { instanceId: res.instance_id };
  }

  async listInstances(type: WorkloadType): Promise<InstanceSummary[]> {
    const list = await this.http.request('GET', GPU + WORKLOADS[type].instancesPath, { schema: WIRE[type].list });
    for (const i of list) this.noteUnknownStatus('status', i.status, KNOWN_INSTANCE_STATUSES);
    return list;
  }

  async getInstance(type: WorkloadType, id: string): Promise<InstanceDetail> {
    const detail = await this.http.request('GET', GPU + WORKLOADS[type].instancePath(id), {
      schema: WIRE[type].detail,
      what: `${WORKLOADS[type].label} with ID ${id}`,
    });
    this.noteUnknownStatus('status', detail.status, KNOWN_INSTANCE_STATUSES);
    this.noteUnknownStatus('container_status', detail.containerStatus, KNOWN_CONTAINER_STATUSES);
    return detail;
  }

  async updateContainer(id: string, body: UpdateContainerRequest): Promise<void> {
    checkRequest(UpdateContainerRequestSchema, body, 'the container update');
    await this.http.request('PUT', GPU + WORKLOADS.container.instancePath(id), {
      body,
      what: `container with ID ${id}`,
    });
  }

  async renameInstance(type: WorkloadType, id: string, name: string): Promise<void> {
    if (WORKLOADS[type].updateKind === 'rename') {
      await this.http.request('PUT', GPU + WORKLOADS[type].instancePath(id), {
        body: { name },
        what: `${WORKLOADS[type].label} with ID ${id}`,
      });
      return;
    }
    // The API has no container rename: the only way is the full-replacement PUT (API.md §4.4), so
    // read the current settings and send them back unchanged with the new name. Consequences:
    // Fluence redeploys (restarts) the container, and registry credentials of a private image are
    // not returned by the detail, so they cannot be resent.
    const current = await this.getInstance('container', id);
    await this.updateContainer(id, renameBody(current, name));
  }

  async terminateInstance(type: WorkloadType, id: string): Promise<void> {
    await this.http.request('DELETE', GPU + WORKLOADS[type].instancePath(id), {
      what: `${WORKLOADS[type].label} with ID ${id}`,
    });
  }

  async getLogs(id: string, last?: number): Promise<string[]> {
    return this.lines(id, 'logs', last);
  }

  async getEvents(id: string, last?: number): Promise<string[]> {
    return this.lines(id, 'events', last);
  }

  async getBalance(): Promise<AccountBalance> {
    const entries = await this.http.request('GET', BALANCES_PATH, { schema: BalancesSchema });
    // Which featureKey holds the GPU-spendable balance is unknown (API.md §9.8): prefer one that says "gpu".
    const index = Math.max(0, entries.findIndex((e) => /gpu/i.test(e.featureKey ?? '')));
    const entry = entries[index];
    if (!entry) {
      throw new FluenceError('bad_response', `Fluence sent an unexpected response for GET ${BALANCES_PATH}: the list of balances is empty.`, {
        method: 'GET',
        path: BALANCES_PATH,
        field: '(whole body)',
      });
    }
    const balance = Number(entry.balance.trim());
    if (!entry.balance.trim() || !Number.isFinite(balance)) {
      const field = formatPath([index, 'balance']);
      throw new FluenceError('bad_response', `Fluence sent an unexpected response for GET ${BALANCES_PATH}: ${field}: expected a decimal number`, {
        method: 'GET',
        path: BALANCES_PATH,
        field,
      });
    }
    return { balance, usageDaysLeft: entry.usageDaysLeft ?? null };
  }

  async listAccountSshKeys(): Promise<AccountSshKeyWire[]> {
    const body = await this.http.request('GET', SSH_KEYS_PATH, { schema: AccountSshKeysSchema, query: { perPage: SSH_KEYS_PER_PAGE } });
    return body.items;
  }

  /**
   * A status string the docs do not list is read as "not there yet" (model.ts) and logged once per
   * value, so a renamed or new state on Fluence's side shows up in the logs without flooding them.
   */
  private noteUnknownStatus(field: string, value: string | null | undefined, known: readonly string[]): void {
    if (value == null || known.includes(value.trim().toUpperCase())) return;
    const key = `${field}=${value}`;
    if (this.unknownStatuses.has(key) || this.unknownStatuses.size >= MAX_UNKNOWN_STATUSES) return;
    this.unknownStatuses.add(key);
    this.logger?.warn({ field, value: value.slice(0, 60) }, 'Fluence sent a status this bot does not know; it is treated as not ready yet');
  }

  /** Logs and events exist for containers only (WORKLOADS[t].hasLogs); callers never ask for VM/BM. */
  private lines(id: string, kind: 'logs' | 'events', last: number | undefined): Promise<string[]> {
    return this.http.request('GET', `${GPU}${WORKLOADS.container.instancePath(id)}/${kind}`, {
      schema: LinesSchema,
      ...(last !== undefined ? { query: { last } } : {}),
      what: `container with ID ${id}`,
    });
  }
}

/**
 * The replacement body that keeps everything but the name. SSH_PUBKEY in the detail's environment
 * was injected by Fluence from `ssh_key`; it goes back as `ssh_key`, not as an env var, because
 * defining SSH_PUBKEY next to a key makes the deploy fail (API.md §1.6).
 */
export function renameBody(current: InstanceDetail, name: string): UpdateContainerRequest {
  const info = current.container;
  if (!info) {
    throw new FluenceError('bad_response', `Fluence sent container details without container settings for ${current.id}.`, {
      field: 'container_info',
    });
  }
  const sshKey = info.environment.find((e) => e.name === SSH_PUBKEY)?.value;
  const environment = info.environment.filter((e) => e.name !== SSH_PUBKEY);
  return {
    name,
    container_settings: {
      image: info.image,
      environment,
      ...(info.startupCommand !== null ? { startup_command: info.startupCommand } : {}),
    },
    ...(sshKey ? { ssh_key: sshKey } : {}),
  };
}

/** Local shape check of a request body; failures look like Fluence's own 422 so one renderer serves both. */
function checkRequest(schema: z.ZodType<unknown>, body: unknown, what: string): void {
  const parsed = schema.safeParse(body);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((i) => ({
    loc: ['body', ...i.path.map((p) => (typeof p === 'number' ? p : String(p)))],
    msg: i.message,
    type: i.code,
  }));
  const list = issues.map((i) => `${formatPath(i.loc.slice(1))}: ${i.msg}`).join('; ');
  throw new FluenceError('validation', `Not sent to Fluence: ${what} is incomplete or malformed: ${list}`, { issues });
}
