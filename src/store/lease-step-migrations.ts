import type { Migration } from './schema';

/**
 * Lease reminders and expiry actions (issue 11 §2): versions 700–799. Never edited once shipped.
 */
export const LEASE_STEP_MIGRATIONS: Migration[] = [
  {
    version: 700,
    name: 'leases: expiry repeats and terminations by lease policy',
    sql: `
      -- on-expiry=remind: when the next repeat of the expiry notice is due, and how many went out.
      ALTER TABLE leases ADD COLUMN next_nag_at BIGINT;
      ALTER TABLE leases ADD COLUMN nags INTEGER NOT NULL DEFAULT 0;
      -- on-expiry=terminate, for the end in terminate_end: 'claimed' (decided at expiry), 'deleting'
      -- (the DELETE may have been sent: a restart that finds the instance ENDED reports it), then
      -- 'done' or 'skipped' (extended at the last second, or ended by someone else).
      ALTER TABLE leases ADD COLUMN terminate_state TEXT CHECK (terminate_state IN ('claimed', 'deleting', 'done', 'skipped'));
      ALTER TABLE leases ADD COLUMN terminate_end BIGINT;
      CREATE INDEX leases_to_nag ON leases (next_nag_at) WHERE next_nag_at IS NOT NULL;
      CREATE INDEX leases_terminating ON leases (instance_id) WHERE terminate_state IN ('claimed', 'deleting');
    `,
  },
];
