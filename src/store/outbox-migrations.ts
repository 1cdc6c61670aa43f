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
];
