import { sqliteAndPostgres, type Migration } from './migration';

/**
 * Leases and channel policies (issue 11): versions 500–599, a range of its own (core 1–99, watches
 * 100–199, command deliveries 200–299, deploy truth 300–399, form drafts 400–499), so parallel
 * changes cannot pick the same number. Never edited once shipped.
 */
export const LEASE_MIGRATIONS: Migration[] = [
  {
    version: 500,
    name: 'leases, channel policies, lease choices of deploy forms',
    sql: sqliteAndPostgres(`
      -- One lease per instance, whoever deployed it (the bot, or adopted with /gpu watch or /gpu lease).
      -- ends_at NULL: "until I terminate it". reminded_at / expired_at belong to the CURRENT ends_at:
      -- every change of ends_at clears them in the same UPDATE, so a later scheduler's
      -- "ending before T and not yet reminded" never mixes an old end with a new one.
      CREATE TABLE leases (
        instance_id  TEXT PRIMARY KEY,
        type         TEXT CHECK (type IN ('container', 'vm', 'baremetal')),
        owner_id     TEXT,
        channel_id   TEXT,
        ends_at      INTEGER,
        started_at   INTEGER NOT NULL,
        set_by       TEXT NOT NULL,
        set_at       INTEGER NOT NULL,
        reminded_at  INTEGER,
        expired_at   INTEGER
      );
      -- The scheduler's questions are "ends before T, not reminded" and "ended, not handled": each is
      -- a range scan of a partial index that holds only the leases still waiting for that step.
      CREATE INDEX leases_to_remind ON leases (ends_at) WHERE ends_at IS NOT NULL AND reminded_at IS NULL;
      CREATE INDEX leases_to_expire ON leases (ends_at) WHERE ends_at IS NOT NULL AND expired_at IS NULL;

      -- Admins' per-channel rules. NULL lease_ms: the bot's default (DEFAULT_LEASE_HOURS);
      -- NULL max_lease_ms: no maximum ("until I terminate it" allowed).
      CREATE TABLE channel_policies (
        channel_id   TEXT PRIMARY KEY,
        lease_ms     INTEGER CHECK (lease_ms > 0),
        max_lease_ms INTEGER CHECK (max_lease_ms > 0),
        on_expiry    TEXT NOT NULL DEFAULT 'remind' CHECK (on_expiry IN ('remind', 'terminate')),
        set_by       TEXT NOT NULL,
        set_at       INTEGER NOT NULL
      );

      -- The lease picked in a deploy form, by the form's request id (= the deploy claim's and an
      -- approval's key): the lease starts when the instance exists, which may be after an approval
      -- or after the reconciler found an unclear deploy. lease_ms NULL: until terminated.
      CREATE TABLE deploy_lease_choices (
        request_key TEXT PRIMARY KEY,
        lease_ms    INTEGER CHECK (lease_ms > 0),
        chosen_at   INTEGER NOT NULL
      );
      CREATE INDEX deploy_lease_choices_at ON deploy_lease_choices (chosen_at);
    `),
  },
  {
    version: 501,
    name: 'audit log: lease and policy actions',
    sql: {
      sqlite: `
      -- SQLite cannot change a CHECK constraint in place: rebuild the table with the same rows and ids.
      CREATE TABLE audit_log_new (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             INTEGER NOT NULL,
        actor_id       TEXT NOT NULL,
        channel_id     TEXT NOT NULL,
        action         TEXT NOT NULL CHECK (action IN ('deploy', 'update', 'rename', 'terminate', 'approve', 'deny',
                                                       'grant', 'revoke', 'budget', 'watch', 'lease', 'policy')),
        instance_id    TEXT,
        instance_name  TEXT,
        type           TEXT CHECK (type IN ('container', 'vm', 'baremetal')),
        price_per_hour REAL,
        outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'refused', 'pending')),
        detail         TEXT
      );
      INSERT INTO audit_log_new (id, at, actor_id, channel_id, action, instance_id, instance_name, type, price_per_hour, outcome, detail)
        SELECT id, at, actor_id, channel_id, action, instance_id, instance_name, type, price_per_hour, outcome, detail FROM audit_log;
      DROP TABLE audit_log;
      ALTER TABLE audit_log_new RENAME TO audit_log;
      CREATE INDEX audit_log_at ON audit_log (at, id);
    `,
      postgres: `
      ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check CHECK (action IN ('deploy', 'update', 'rename', 'terminate', 'approve', 'deny',
        'grant', 'revoke', 'budget', 'watch', 'lease', 'policy'));
    `,
    },
  },
];
