import { sqliteAndPostgres, type Migration } from './migration';

/**
 * Owned by the store module (deploy requests, grants, budgets, approvals, audit): versions 1–99.
 * Shipped migrations are never edited: a change is a new version. Times are epoch milliseconds.
 * CHECK lists are written out (not derived from WORKLOAD_TYPES) so a shipped migration cannot
 * change when code does.
 */
export const CORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'deploy requests (idempotency of deploys)',
    sql: sqliteAndPostgres(`
      -- One row per deploy attempt key (the modal's request id). The PRIMARY KEY is the claim:
      -- a double submit or a Slack retry finds the row and deploys nothing.
      CREATE TABLE deploy_requests (
        key               TEXT PRIMARY KEY,
        team_id           TEXT,
        channel_id        TEXT NOT NULL,
        user_id           TEXT NOT NULL,
        type              TEXT NOT NULL CHECK (type IN ('container', 'vm', 'baremetal')),
        plan_id           TEXT NOT NULL,
        name              TEXT NOT NULL,
        price_per_hour    REAL,
        state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
        instance_id       TEXT,
        error_summary     TEXT,
        attempts          INTEGER NOT NULL DEFAULT 1,
        thread_channel_id TEXT,
        thread_ts         TEXT,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX deploy_requests_instance ON deploy_requests (instance_id) WHERE instance_id IS NOT NULL;
      CREATE INDEX deploy_requests_channel ON deploy_requests (channel_id, state);
      CREATE INDEX deploy_requests_updated ON deploy_requests (updated_at);
    `),
  },
  {
    version: 2,
    name: 'grants and channel budgets',
    sql: sqliteAndPostgres(`
      CREATE TABLE grants (
        subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'channel')),
        subject_id   TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('viewer', 'deployer', 'admin')),
        granted_by   TEXT NOT NULL,
        granted_at   INTEGER NOT NULL,
        PRIMARY KEY (subject_kind, subject_id)
      );

      CREATE TABLE channel_budgets (
        channel_id   TEXT PRIMARY KEY,
        usd_per_hour REAL NOT NULL CHECK (usd_per_hour >= 0),
        set_by       TEXT NOT NULL,
        set_at       INTEGER NOT NULL
      );
    `),
  },
  {
    version: 3,
    name: 'deploy approvals',
    sql: sqliteAndPostgres(`
      -- payload is the deploy request, encrypted by the caller before it reaches the store.
      CREATE TABLE approvals (
        id                 TEXT PRIMARY KEY,
        team_id            TEXT,
        channel_id         TEXT NOT NULL,
        requester_id       TEXT NOT NULL,
        type               TEXT NOT NULL CHECK (type IN ('container', 'vm', 'baremetal')),
        plan_id            TEXT NOT NULL,
        name               TEXT NOT NULL,
        price_per_hour     REAL NOT NULL,
        reason             TEXT NOT NULL,
        payload            TEXT NOT NULL,
        state              TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
        decided_by         TEXT,
        decided_at         INTEGER,
        message_channel_id TEXT,
        message_ts         TEXT,
        instance_id        TEXT,
        deployed_at        INTEGER,
        created_at         INTEGER NOT NULL,
        expires_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL
      );
      CREATE INDEX approvals_pending ON approvals (state, expires_at);
    `),
  },
  {
    version: 4,
    name: 'audit log',
    sql: sqliteAndPostgres(`
      -- Append-only. Rows arrive already masked: the store never sees secret values.
      CREATE TABLE audit_log (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             INTEGER NOT NULL,
        actor_id       TEXT NOT NULL,
        channel_id     TEXT NOT NULL,
        action         TEXT NOT NULL CHECK (action IN ('deploy', 'update', 'rename', 'terminate', 'approve', 'deny',
                                                       'grant', 'revoke', 'budget', 'watch')),
        instance_id    TEXT,
        instance_name  TEXT,
        type           TEXT CHECK (type IN ('container', 'vm', 'baremetal')),
        price_per_hour REAL,
        outcome        TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'refused', 'pending')),
        detail         TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at, id);
    `),
  },
];
