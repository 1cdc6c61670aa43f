/**
 * Every migration of the store, in order. Each store module owns the tables it uses and
 * contributes its migrations here; versions are global and never reused or edited once shipped.
 */
import { CORE_MIGRATIONS } from './core-migrations';
import { DELIVERY_MIGRATIONS } from './command-deliveries';
import { DEPLOY_MIGRATIONS } from './deploy-migrations';
import { FORM_DRAFT_MIGRATIONS } from './form-drafts';
import { LEASE_MIGRATIONS } from './lease-migrations';
import { WATCH_MIGRATIONS } from './watch-migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [...CORE_MIGRATIONS, ...WATCH_MIGRATIONS, ...DELIVERY_MIGRATIONS, ...DEPLOY_MIGRATIONS, ...FORM_DRAFT_MIGRATIONS, ...LEASE_MIGRATIONS];
