/**
 * The bot's store: one SQLite file, one repository object per concern. Everything that must
 * survive a restart (deploy claims, grants, budgets, approvals, audit, watches) lives here.
 */
import { openDatabase, type Db } from './db';
import { ApprovalStore } from './approvals';
import { AuditLog } from './audit';
import { BudgetStore } from './budgets';
import { CommandDeliveryStore } from './command-deliveries';
import { DeployModalStore } from './deploy-modals';
import { DeployRequestStore } from './deploy-requests';
import { FormDraftStore } from './form-drafts';
import { GrantStore } from './grants';
import { LeaseStore } from './leases';
import { PolicyStore } from './policies';
import { WatchStore } from './watches';

export interface Store {
  db: Db;
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
  /** Channel lease policies set with `/gpu policy` (policies.ts). */
  policies: PolicyStore;
  /** False once closed (health check). */
  isOpen(): boolean;
  /** Closes the database; safe to call more than once. */
  close(): void;
}

export interface OpenStoreOptions {
  /** Clock for the timestamps the store writes itself (epoch ms). */
  now?: () => number;
}

export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const now = opts.now ?? Date.now;
  const db = openDatabase(path);
  return {
    db,
    deployRequests: new DeployRequestStore(db, now),
    deployModals: new DeployModalStore(db, now),
    grants: new GrantStore(db, now),
    budgets: new BudgetStore(db, now),
    approvals: new ApprovalStore(db, now),
    audit: new AuditLog(db, now),
    commandDeliveries: new CommandDeliveryStore(db, now),
    formDrafts: new FormDraftStore(db, now),
    watches: new WatchStore(db),
    leases: new LeaseStore(db, now),
    policies: new PolicyStore(db, now),
    isOpen: () => db.open,
    close() {
      if (db.open) db.close();
    },
  };
}
