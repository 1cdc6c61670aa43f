import { sqliteAndPostgres, type Migration } from './migration';

/** Owned by the scheduler/outbox (src/background): versions 600–699. */
export const OUTBOX_MIGRATIONS: Migration[] = [
  {
    version: 600,
    name: 'one outbox for every background notice',
    sql: sqliteAndPostgres(`
      -- Notices background jobs decided to deliver (src/background/notices.ts), stored as data and
      -- rendered at delivery. dedupe_key is the exactly-once claim: it is inserted in the transaction
      -- that decided the notice, and a second insert with the same key does nothing (or, for a living
      -- message edit, replaces the payload). Delivery claims due rows (claim_token + claimed_until);
      -- a claim that is not finished by claimed_until (a process killed mid-delivery) is taken again.
      CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key    TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL,
        payload       TEXT NOT NULL,
        state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dropped')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    INTEGER NOT NULL DEFAULT 0,
        claim_token   TEXT,
        claimed_until INTEGER,
        via           TEXT,
        sent_ts       TEXT,
        sent_channel  TEXT,
        last_error    TEXT,
        created_at    INTEGER NOT NULL,
        sent_at       INTEGER
      );
      CREATE INDEX outbox_due ON outbox (state, not_before);
    `),
  },
  {
    version: 601,
    name: "the watcher's own outbox moves into the one outbox",
    sql: {
      sqlite: `
      -- watch_outbox (migrations 100/101) held rendered messages. Each row moves with its state, so a
      -- message pending at the upgrade is still delivered (kind 'watch.legacy': the stored message as
      -- it was rendered) and a reply already claimed is never claimed again (same key per instance and kind).
      INSERT INTO outbox (dedupe_key, kind, payload, state, attempts, not_before, via, last_error, created_at, sent_at)
        SELECT 'watch:' || o.instance_id || ':' || o.kind, 'watch.legacy',
               json_object(
                 'kind', 'watch.legacy',
                 'to', json_object('teamId', w.team_id, 'channelId', w.channel_id, 'messageTs', w.message_ts, 'requesterId', w.requester_id),
                 'instanceId', o.instance_id,
                 'op', CASE o.kind WHEN 'status' THEN 'update' ELSE 'reply' END,
                 'message', json(o.payload)),
               o.state, o.attempts, o.not_before, o.via, o.last_error, o.created_at, o.sent_at
        FROM watch_outbox o JOIN watches w ON w.instance_id = o.instance_id
        ORDER BY o.id;
      DROP TABLE watch_outbox;
`,
      postgres: `
      -- watch_outbox (migrations 100/101) held rendered messages. Each row moves with its state, so a
      -- message pending at the upgrade is still delivered (kind 'watch.legacy': the stored message as
      -- it was rendered) and a reply already claimed is never claimed again (same key per instance and kind).
      INSERT INTO outbox (dedupe_key, kind, payload, state, attempts, not_before, via, last_error, created_at, sent_at)
        SELECT 'watch:' || o.instance_id || ':' || o.kind, 'watch.legacy',
               json_build_object(
                 'kind', 'watch.legacy',
                 'to', json_build_object('teamId', w.team_id, 'channelId', w.channel_id, 'messageTs', w.message_ts, 'requesterId', w.requester_id),
                 'instanceId', o.instance_id,
                 'op', CASE o.kind WHEN 'status' THEN 'update' ELSE 'reply' END,
                 'message', o.payload::json)::text,
               o.state, o.attempts, o.not_before, o.via, o.last_error, o.created_at, o.sent_at
        FROM watch_outbox o JOIN watches w ON w.instance_id = o.instance_id
        ORDER BY o.id;
      DROP TABLE watch_outbox;
`,
    },
  },
];
