/**
 * Every migration of the store, in order. Each store module owns the tables it uses and
 * contributes its migrations here; versions are global and never reused or edited once shipped.
 * The migration format and how to write SQL for both engines: migration.ts.
 */
import { CORE_MIGRATIONS } from './core-migrations';
import { DELIVERY_MIGRATIONS } from './command-deliveries';
import { DEPLOY_MIGRATIONS } from './deploy-migrations';
import { FORM_DRAFT_MIGRATIONS } from './form-drafts';
import { LEASE_MIGRATIONS } from './lease-migrations';
import { OUTBOX_MIGRATIONS } from './outbox-migrations';
import { LEASE_STEP_MIGRATIONS } from './lease-step-migrations';
import { MONEY_MIGRATIONS } from './money-migrations';
import { PLAN_ALERT_MIGRATIONS } from './plan-alert-migrations';
import { WATCH_MIGRATIONS } from './watch-migrations';
import { SSH_KEY_MIGRATIONS } from './ssh-keys';
import { LAST_CHANNEL_MIGRATIONS } from './last-channels';
import { WORK_CLAIM_MIGRATIONS } from './work-claims';

import type { Migration } from './migration';

export { sqlFor, sqliteAndPostgres, type Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [...CORE_MIGRATIONS, ...WATCH_MIGRATIONS, ...DELIVERY_MIGRATIONS, ...DEPLOY_MIGRATIONS, ...FORM_DRAFT_MIGRATIONS, ...LEASE_MIGRATIONS, ...OUTBOX_MIGRATIONS, ...LEASE_STEP_MIGRATIONS, ...SSH_KEY_MIGRATIONS, ...LAST_CHANNEL_MIGRATIONS, ...MONEY_MIGRATIONS, ...PLAN_ALERT_MIGRATIONS, ...WORK_CLAIM_MIGRATIONS];
