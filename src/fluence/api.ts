/**
 * What the rest of the bot may ask of Fluence. `FluenceClient` (client.ts) implements it over
 * HTTP; services, the watcher and tests depend on this interface only.
 * Every method rejects with a `FluenceError` (errors.ts) and nothing else.
 */
import type { AccountBalance, InstanceDetail, InstanceSummary, PlanOffer } from './model';
import type {
  CreateContainerRequest,
  AccountSshKeyWire,
  CreateVmRequest,
  DefaultImage,
  UpdateContainerRequest,
} from './schemas';
import type { WorkloadType } from './workload';

export type CreateRequest<T extends WorkloadType = WorkloadType> = T extends 'container'
  ? CreateContainerRequest
  : CreateVmRequest;

export interface FluenceApi {
  /** GET /gpu/plans/ | /gpu/plans/vms | /gpu/plans/baremetal, flattened to offers. */
  listPlans(type: WorkloadType): Promise<PlanOffer[]>;
  /** GET /gpu/default-images/ */
  listDefaultImages(): Promise<DefaultImage[]>;
  /** POST /gpu/instances/ | /vms | /baremetal. Never retried automatically: a deploy charges money. */
  createInstance(type: 'container', body: CreateContainerRequest): Promise<{ instanceId: string }>;
  createInstance(type: 'vm' | 'baremetal', body: CreateVmRequest): Promise<{ instanceId: string }>;
  createInstance(type: WorkloadType, body: CreateContainerRequest | CreateVmRequest): Promise<{ instanceId: string }>;
  /** GET list, all statuses (ENDED/FAILED included). */
  listInstances(type: WorkloadType): Promise<InstanceSummary[]>;
  /** GET detail. */
  getInstance(type: WorkloadType, id: string): Promise<InstanceDetail>;
  /** PUT /gpu/instances/{id}: full replacement of a container's settings (204). */
  updateContainer(id: string, body: UpdateContainerRequest): Promise<void>;
  /** PUT /gpu/instances/{vms|baremetal}/{id} with {name} (204); for containers, a replacement PUT with the new name. */
  renameInstance(type: WorkloadType, id: string, name: string): Promise<void>;
  /** DELETE (204). Only ACTIVE instances; otherwise a `business` error. */
  terminateInstance(type: WorkloadType, id: string): Promise<void>;
  /** GET /gpu/instances/{id}/logs?last=n (containers only). */
  getLogs(id: string, last?: number): Promise<string[]>;
  /** GET /gpu/instances/{id}/events?last=n (containers only). */
  getEvents(id: string, last?: number): Promise<string[]>;
  /** Main API GET /v2/users/balances (API.md §6.1), outside /gpu. */
  getBalance(): Promise<AccountBalance>;
  /**
   * Main API GET /v1/ssh_keys (API.md §6.2): the account's saved public keys, first 100. The
   * spec lists only JWT security for it, so an API key may be refused (an `auth` error).
   */
  listAccountSshKeys(): Promise<AccountSshKeyWire[]>;
}
