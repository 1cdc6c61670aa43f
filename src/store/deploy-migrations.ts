import { sqliteAndPostgres, type Migration } from './migration';

/**
 * Deploy truth (issue 9): versions 300–399. SQLite's `user_version` is one counter and migrate()
 * skips every version at or below it, so a migration added after the shipped ones (watches 100,
 * command deliveries 200) must be numbered above them or existing databases would never get it.
 * Kept apart from CORE_MIGRATIONS so parallel changes cannot pick the same number.
 * Shipped migrations are never edited.
 */
export const DEPLOY_MIGRATIONS: Migration[] = [
  {
    version: 300,
    name: 'deploy claims: attempt time and plan label; modal request ids issued at open',
    sql: sqliteAndPostgres(`
      -- attempted_at: when the current attempt was allowed to POST (the reconciler matches Fluence's
      -- created_at against it). plan_label: what the announcement shows, for a deploy adopted later.
      ALTER TABLE deploy_requests ADD COLUMN attempted_at INTEGER;
      ALTER TABLE deploy_requests ADD COLUMN plan_label TEXT;
      UPDATE deploy_requests SET attempted_at = updated_at;
      CREATE INDEX deploy_requests_state ON deploy_requests (state, attempted_at);

      -- One row per deploy modal the bot opened: a submission is accepted only for a request id
      -- issued here, by the user it was issued to. shown_prices: planId -> USD/h the form last showed.
      CREATE TABLE deploy_modals (
        request_id   TEXT PRIMARY KEY,
        team_id      TEXT,
        user_id      TEXT NOT NULL,
        channel_id   TEXT NOT NULL,
        view_id      TEXT,
        shown_prices TEXT NOT NULL DEFAULT '{}',
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      );
      CREATE INDEX deploy_modals_updated ON deploy_modals (updated_at);
    `),
  },
];
