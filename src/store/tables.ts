/**
 * The store's tables as Kysely sees them. Column names are camelCase here and snake_case in SQL:
 * the Kysely instance carries CamelCasePlugin, so `teamId` is the column `team_id` and rows come
 * back camelCase. That plugin is the store's one row mapping; a repository maps only what is not a
 * plain rename (a JSON text, a 0/1 flag).
 *
 * Times are epoch milliseconds (INTEGER on SQLite, BIGINT on PostgreSQL, both read as numbers).
 * `Generated<T>`: the column has a default, so an INSERT may leave it out.
 *
 * A module that adds tables declares their interfaces in its own file and widens the instance
 * it was given: `store.kysely.withTables<{ sshKeys: SshKeyTable }>()` (see index.ts).
 */
import type { Generated } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { AuditAction, AuditOutcome } from './audit';
import type { GrantRole } from './grants';
import type { OnExpiry } from './policies';

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  appliedAt: number;
}

export interface DeployRequestsTable {
  key: string;
  teamId: string | null;
  channelId: string;
  userId: string;
  type: WorkloadType;
  planId: string;
  name: string;
  pricePerHour: number | null;
  state: Generated<'pending' | 'succeeded' | 'failed'>;
  instanceId: string | null;
  errorSummary: string | null;
  attempts: Generated<number>;
  threadChannelId: string | null;
  threadTs: string | null;
  planLabel: string | null;
  attemptedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DeployModalsTable {
  requestId: string;
  teamId: string | null;
  userId: string;
  channelId: string;
  viewId: string | null;
  /** JSON text: planId -> USD/h. */
  shownPrices: Generated<string>;
  createdAt: number;
  updatedAt: number;
}

export interface GrantsTable {
  subjectKind: 'user' | 'channel';
  subjectId: string;
  role: GrantRole;
  grantedBy: string;
  grantedAt: number;
}

export interface ChannelBudgetsTable {
  channelId: string;
  usdPerHour: number;
  setBy: string;
  setAt: number;
}

export interface ApprovalsTable {
  id: string;
  teamId: string | null;
  channelId: string;
  requesterId: string;
  type: WorkloadType;
  planId: string;
  name: string;
  pricePerHour: number;
  /** Why approval is needed (shown to admins). */
  reason: string;
  /** The deploy request, encrypted by the caller before it reaches the store; '' once wiped. */
  payload: string;
  state: Generated<'pending' | 'approved' | 'denied' | 'expired'>;
  decidedBy: string | null;
  decidedAt: number | null;
  messageChannelId: string | null;
  messageTs: string | null;
  instanceId: string | null;
  deployedAt: number | null;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actorId: string;
  channelId: string;
  action: AuditAction;
  instanceId: string | null;
  instanceName: string | null;
  type: WorkloadType | null;
  pricePerHour: number | null;
  outcome: AuditOutcome;
  detail: string | null;
}

export interface CommandDeliveriesTable {
  key: string;
  at: number;
}

export interface FormDraftsTable {
  requestId: string;
  payload: string;
  expiresAt: number;
}

export interface LeasesTable {
  instanceId: string;
  type: WorkloadType | null;
  ownerId: string | null;
  channelId: string | null;
  endsAt: number | null;
  startedAt: number;
  setBy: string;
  setAt: number;
  remindedAt: number | null;
  expiredAt: number | null;
  /** Lease steps (migration 700, lease-steps.ts): the next repeat of the expiry notice and how many went out. */
  nextNagAt: number | null;
  nags: Generated<number>;
  /** on-expiry=terminate for the end in terminateEnd. */
  terminateState: 'claimed' | 'deleting' | 'done' | 'skipped' | null;
  terminateEnd: number | null;
}

export interface ChannelPoliciesTable {
  channelId: string;
  leaseMs: number | null;
  maxLeaseMs: number | null;
  onExpiry: Generated<OnExpiry>;
  setBy: string;
  setAt: number;
}

export interface DeployLeaseChoicesTable {
  requestKey: string;
  leaseMs: number | null;
  chosenAt: number;
}

export interface WatchesTable {
  instanceId: string;
  type: WorkloadType;
  teamId: string | null;
  channelId: string;
  messageTs: string;
  requesterId: string;
  name: string;
  planLabel: string;
  pricePerHour: number;
  createdAt: number;
  lastStatus: string | null;
  lastSeenAt: number | null;
  state: Generated<'watching' | 'done'>;
  outcome: 'ready' | 'failed' | 'ended' | 'gave_up' | null;
  /** 0/1 */
  slowNotified: Generated<number>;
  notStartedSince: number | null;
  /** 0/1 */
  startNotified: Generated<number>;
  updatedAt: number;
}

export interface StoreTables {
  schemaMigrations: SchemaMigrationsTable;
  deployRequests: DeployRequestsTable;
  deployModals: DeployModalsTable;
  grants: GrantsTable;
  channelBudgets: ChannelBudgetsTable;
  approvals: ApprovalsTable;
  auditLog: AuditLogTable;
  commandDeliveries: CommandDeliveriesTable;
  formDrafts: FormDraftsTable;
  leases: LeasesTable;
  channelPolicies: ChannelPoliciesTable;
  deployLeaseChoices: DeployLeaseChoicesTable;
  watches: WatchesTable;
}
