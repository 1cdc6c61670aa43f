/**
 * The bot's store: one database, one repository object per concern. Everything that must
 * survive a restart (deploy claims, grants, budgets, approvals, audit, watches) lives here.
 *
 * HOW TO ADD A TABLE AND ITS REPOSITORY (Kysely, async, runs on SQLite and PostgreSQL)
 * 1. Migration: in your own file, `export const MY_MIGRATIONS: Migration[] = [{ version, name, sql }]`
 *    with a version from your range (COMMON.md lists them), and add it to MIGRATIONS in schema.ts.
 *    Write SQL both engines accept (schema.ts says how) or `sql: { sqlite, postgres }`.
 *    Shipped migrations are never edited: a change is a new version.
 * 2. Types: declare the table with camelCase columns (the snake_case SQL names, converted by the
 *    CamelCasePlugin: `team_id` is `teamId`), as in tables.ts:
 *      export interface SshKeysTable { userId: string; fingerprint: string; createdAt: number }
 *      type Tables = StoreTables & { sshKeys: SshKeysTable };
 * 3. Repository: a class in its own file taking the store's Kysely instance and the store's
 *    `transaction`, widened to your tables, every method async:
 *      export class SshKeyStore {
 *        private readonly db: Kysely<Tables>;
 *        constructor(db: Kysely<StoreTables>, private readonly tx: StoreTransaction, private readonly now: () => number) {
 *          this.db = db.withTables<{ sshKeys: SshKeysTable }>();
 *        }
 *        async get(userId: string) { return this.db.selectFrom('sshKeys').selectAll().where('userId', '=', userId).executeTakeFirst(); }
 *      }
 *    Register it below (Store interface + openStore), as `new SshKeyStore(kysely, transaction, now)`.
 * 4. Correctness: never check-then-act across an `await` (another replica, or a second click,
 *    can interleave). Use one conditional statement (`UPDATE … WHERE state = 'pending' RETURNING *`,
 *    `INSERT … ON CONFLICT DO NOTHING` and look at numInsertedOrUpdatedRows), or `tx(async (trx) => …)`
 *    and run every query of it on `trx` (widen it too: `trx.withTables<…>()`), never on `this.db`
 *    (on SQLite that waits for itself). Transactions are serialised writers (BEGIN IMMEDIATE /
 *    an advisory lock): keep them short, with no network call inside.
 * 5. Tests: test/store/ (a temp SQLite store: test/store/temp-store.ts).
 */
import type { Kysely } from 'kysely';
import type { Db } from './db';
import type { Engine, EngineKind } from './engine';
import { openEngine, type OpenEngineOptions } from './open';
import type { StoreTables } from './tables';
import { ApprovalStore } from './approvals';
import { AuditLog } from './audit';
import { BudgetStore } from './budgets';
import { CommandDeliveryStore } from './command-deliveries';
import { DeployModalStore } from './deploy-modals';
import { DeployRequestStore } from './deploy-requests';
import { FormDraftStore } from './form-drafts';
import { GrantStore } from './grants';
import { LeaseStore } from './leases';
import { OutboxStore } from './outbox';
import { LeaseStepStore } from './lease-steps';
import { PlanAlertStore } from './plan-alerts';
import { PolicyStore } from './policies';
import { SpendCacheStore } from './spend-cache';
import { DigestStore } from './digests';
import { RunwayAlertStore } from './runway-alerts';
import type { MoneyEnqueue } from '../services/money-notices';
import type { Transactor, Trx } from './engine';
import { WatchStore } from './watches';
import { SshKeyStore } from './ssh-keys';
import { LastChannelStore } from './last-channels';
import { WorkClaimStore } from './work-claims';

/** The store's serialised write transaction (Engine.transaction). */
export type StoreTransaction = Transactor;

export interface Store {
  /** Which engine holds the data. */
  engine: EngineKind;
  /** Typed query builder over the store's database (tables.ts; widen with withTables for your own). */
  kysely: Kysely<StoreTables>;
  /** One serialised write transaction (see Engine.transaction): every query inside on `trx`. */
  transaction: StoreTransaction;
  /** The raw SQLite handle (pragmas, SQLite-only tests; every repository is on Kysely); null on PostgreSQL. */
  db: Db | null;
  deployRequests: DeployRequestStore;
  /** Deploy modals the bot opened: their request ids and the prices they showed. */
  deployModals: DeployModalStore;
  grants: GrantStore;
  budgets: BudgetStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  /** Slash commands already handled (act once per delivery; command-deliveries.ts, migrations 200–299). */
  commandDeliveries: CommandDeliveryStore;
  /** Sealed secrets of re-rendered deploy forms (form-drafts.ts, migrations 300–399). */
  formDrafts: FormDraftStore;
  /** The watcher's state (store/watches.ts, owned by the watcher; its migrations are 100–199). */
  watches: WatchStore;
  /** Instance leases and the lease picked in each deploy form (leases.ts, migrations 500–599). */
  leases: LeaseStore;
  /** The lease job's claims: reminders, expiry, terminations by lease policy (lease-steps.ts, migrations 700–799). */
  leaseSteps: LeaseStepStore;
  /** Channel lease policies set with `/gpu policy` (policies.ts). */
  policies: PolicyStore;
  /** Every background notice until Slack has it (outbox.ts, migrations 600–699; src/background/scheduler.ts). */
  outbox: OutboxStore;
  /** Users' saved SSH public keys (ssh-keys.ts, migrations 900–999). */
  sshKeys: SshKeyStore;
  /** The channel each user last used the bot in (last-channels.ts). */
  lastChannels: LastChannelStore;
  /** Billing figures that cannot have changed (spend-cache.ts, migrations 800–899). */
  spendCache: SpendCacheStore;
  /** Digest opt-ins and the record of each channel's digest per day (digests.ts, 800s). */
  digests: DigestStore;
  /** Runway thresholds fired / armed (runway-alerts.ts, 800s). */
  runwayAlerts: RunwayAlertStore;
  /** Plan alerts and what each has told (plan-alerts.ts, migrations 1000–1099). */
  planAlerts: PlanAlertStore;
  /** Work under way or just done, seen by every replica: double clicks and submits, deploys in flight (work-claims.ts, 1200–1249). */
  workClaims: WorkClaimStore;
  /** False once closed (health check). */
  isOpen(): boolean;
  /** Closes the database; safe to call more than once. (SQLite: closed at once, before the promise settles.) */
  close(): Promise<void>;
}

export interface OpenStoreOptions extends OpenEngineOptions {
  /** Clock for the timestamps the store writes itself (epoch ms). */
  now?: () => number;
}

/**
 * Opens the store: PostgreSQL for a postgres:// (postgresql://) URL, else the SQLite file at that path
 * (':memory:' too), and brings its schema up to date.
 */
export async function openStore(path: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const now = opts.now ?? Date.now;
  const { engine, sqlite } = await openEngine(path, opts);
  return assemble(engine, sqlite, now);
}

/** The repositories on Kysely: one implementation for both engines (what the PostgreSQL store will be made of). */
export function kyselyRepositories(engine: Pick<Engine, 'kind' | 'kysely' | 'transaction'>, now: () => number) {
  const { kysely, transaction } = engine;
  const outbox = new OutboxStore(kysely, transaction, engine.kind);
  return {
    grants: new GrantStore(kysely, transaction, now),
    budgets: new BudgetStore(kysely, transaction, now),
    audit: new AuditLog(kysely, now),
    policies: new PolicyStore(kysely, transaction, now),
    outbox,
    watches: new WatchStore(kysely, transaction, outbox),
    leases: new LeaseStore(kysely, transaction, now),
    leaseSteps: new LeaseStepStore(kysely, transaction),
    workClaims: new WorkClaimStore(kysely, now),
    approvals: new ApprovalStore(kysely, transaction, now),
    deployRequests: new DeployRequestStore(kysely, transaction, now),
    deployModals: new DeployModalStore(kysely, transaction, now),
    commandDeliveries: new CommandDeliveryStore(kysely, now),
    formDrafts: new FormDraftStore(kysely, now),
  };
}

function assemble(engine: Engine, db: Db | null, now: () => number): Store {
  const repositories = kyselyRepositories(engine, now);
  const { outbox } = repositories;
  // the money jobs claim their notices inside their own transaction
  const moneyEnqueue: MoneyEnqueue<Trx> = async (trx, entries, at) => void (await outbox.enqueueIn(trx, entries, at));
  return {
    engine: engine.kind,
    kysely: engine.kysely,
    transaction: engine.transaction,
    db,
    ...repositories,
    sshKeys: new SshKeyStore(engine.kysely, now),
    lastChannels: new LastChannelStore(engine.kysely, now),
    spendCache: new SpendCacheStore(engine.kysely),
    digests: new DigestStore(engine.kysely, engine.transaction, moneyEnqueue, now),
    runwayAlerts: new RunwayAlertStore(engine.kysely, engine.transaction, moneyEnqueue),
    planAlerts: new PlanAlertStore(engine.kysely, engine.transaction, now),
    isOpen: () => engine.isOpen(),
    close: () => engine.close(),
  };
}
