/**
 * Tables of the money reports (issue 11 §3, §4), migrations 800–899: the spend cache, the digest's
 * opt-ins and the record of each day's digest per channel, and the runway thresholds' state.
 */
import type { Migration } from './schema';

export const MONEY_MIGRATIONS: Migration[] = [
  {
    version: 800,
    name: 'spend_cache',
    sql: `CREATE TABLE IF NOT EXISTS spend_cache (
      instance_id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      total_spendings DOUBLE PRECISION NOT NULL,
      hourly_usage DOUBLE PRECISION NOT NULL,
      valid_until BIGINT,
      fetched_at BIGINT NOT NULL
    );`,
  },
  {
    version: 801,
    name: 'digests',
    sql: `CREATE TABLE IF NOT EXISTS digest_channels (
      channel_id TEXT PRIMARY KEY,
      enabled_by TEXT NOT NULL,
      enabled_at BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS digest_runs (
      channel_id TEXT NOT NULL,
      local_date TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'empty')),
      decided_at BIGINT NOT NULL,
      PRIMARY KEY (channel_id, local_date)
    );`,
  },
  {
    version: 802,
    name: 'runway_alerts',
    sql: `CREATE TABLE IF NOT EXISTS runway_alerts (
      threshold_hours DOUBLE PRECISION PRIMARY KEY,
      fired_at BIGINT,
      runway_at_fire DOUBLE PRECISION,
      rearmed_at BIGINT
    );`,
  },
];

export interface SpendCacheTable {
  instanceId: string;
  type: string;
  state: string;
  totalSpendings: number;
  hourlyUsage: number;
  validUntil: number | null;
  fetchedAt: number;
}

export interface DigestChannelsTable {
  channelId: string;
  enabledBy: string;
  enabledAt: number;
}

export interface DigestRunsTable {
  channelId: string;
  localDate: string;
  outcome: 'sent' | 'empty';
  decidedAt: number;
}

export interface RunwayAlertsTable {
  thresholdHours: number;
  firedAt: number | null;
  runwayAtFire: number | null;
  rearmedAt: number | null;
}

export type MoneyTables = {
  spendCache: SpendCacheTable;
  digestChannels: DigestChannelsTable;
  digestRuns: DigestRunsTable;
  runwayAlerts: RunwayAlertsTable;
};
