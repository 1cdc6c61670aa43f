import { sqliteAndPostgres, type Migration } from './migration';

/** Owned by the watcher (watches table): versions 100–199. */
export const WATCH_MIGRATIONS: Migration[] = [
  {
    version: 100,
    name: 'watches and their outbox',
    sql: sqliteAndPostgres(`
      -- One row per watched instance. Times are epoch milliseconds from the watcher's clock.
      CREATE TABLE watches (
        instance_id     TEXT PRIMARY KEY,
        type            TEXT NOT NULL CHECK (type IN ('container', 'vm', 'baremetal')),
        team_id         TEXT,
        channel_id      TEXT NOT NULL,
        message_ts      TEXT NOT NULL,
        requester_id    TEXT NOT NULL,
        name            TEXT NOT NULL,
        plan_label      TEXT NOT NULL,
        price_per_hour  REAL NOT NULL,
        created_at      INTEGER NOT NULL,
        last_status     TEXT,
        last_seen_at    INTEGER,
        state           TEXT NOT NULL DEFAULT 'watching' CHECK (state IN ('watching', 'done')),
        outcome         TEXT CHECK (outcome IN ('ready', 'failed', 'ended', 'gave_up')),
        slow_notified   INTEGER NOT NULL DEFAULT 0,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX watches_watching ON watches (state, type);

      -- Messages the watcher decided to send. A reply kind is claimed by inserting its row (UNIQUE per
      -- instance and kind) in the same transaction that records the status that caused it, so a
      -- reply is decided once; delivery then retries the stored payload until Slack accepts it.
      -- kind 'status' is the living message edit: one row per instance, overwritten by the latest status.
      CREATE TABLE watch_outbox (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id   TEXT NOT NULL REFERENCES watches (instance_id) ON DELETE CASCADE,
        kind          TEXT NOT NULL CHECK (kind IN ('status', 'ready', 'failed', 'ended', 'slow', 'gave_up')),
        payload       TEXT NOT NULL,
        state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
        via           TEXT CHECK (via IN ('update', 'thread', 'dm')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        created_at    INTEGER NOT NULL,
        sent_at       INTEGER,
        UNIQUE (instance_id, kind)
      );
      CREATE INDEX watch_outbox_pending ON watch_outbox (state, not_before);
    `),
  },
  {
    version: 101,
    name: 'start-grace diagnostics: not_started reply kind and when the container was first seen not started',
    sql: {
      sqlite: `
      -- An ACTIVE container whose container_status is not STARTED (API.md §10) is not usable yet; after
      -- WATCH_START_GRACE_MS of that the watcher replies once with its events and logs.
      ALTER TABLE watches ADD COLUMN not_started_since INTEGER;
      ALTER TABLE watches ADD COLUMN start_notified INTEGER NOT NULL DEFAULT 0;

      -- SQLite cannot widen a CHECK in place: the outbox is copied into a table allowing 'not_started'.
      CREATE TABLE watch_outbox_v101 (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        instance_id   TEXT NOT NULL REFERENCES watches (instance_id) ON DELETE CASCADE,
        kind          TEXT NOT NULL CHECK (kind IN ('status', 'ready', 'failed', 'ended', 'slow', 'gave_up', 'not_started')),
        payload       TEXT NOT NULL,
        state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
        via           TEXT CHECK (via IN ('update', 'thread', 'dm')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        created_at    INTEGER NOT NULL,
        sent_at       INTEGER,
        UNIQUE (instance_id, kind)
      );
      INSERT INTO watch_outbox_v101 (id, instance_id, kind, payload, state, via, attempts, not_before, last_error, created_at, sent_at)
        SELECT id, instance_id, kind, payload, state, via, attempts, not_before, last_error, created_at, sent_at FROM watch_outbox;
      DROP TABLE watch_outbox;
      ALTER TABLE watch_outbox_v101 RENAME TO watch_outbox;
      CREATE INDEX watch_outbox_pending ON watch_outbox (state, not_before);
    `,
      postgres: `
      ALTER TABLE watches ADD COLUMN not_started_since BIGINT;
      ALTER TABLE watches ADD COLUMN start_notified BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE watch_outbox DROP CONSTRAINT watch_outbox_kind_check;
      ALTER TABLE watch_outbox ADD CONSTRAINT watch_outbox_kind_check
        CHECK (kind IN ('status', 'ready', 'failed', 'ended', 'slow', 'gave_up', 'not_started'));
    `,
    },
  },
];
