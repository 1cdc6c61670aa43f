/**
 * Everything a listener may use, built once by bot.ts. Listeners stay thin: ack, parse,
 * authorise through `guard`, call a service, render a view.
 */
import type { Config } from '../config';
import type { FluenceApi } from '../fluence/api';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { SecretRedactor } from '../secrets';
import type { DeployService } from '../services/deploy';
import type { Guard } from '../services/guard';
import type { InstanceDirectory } from '../services/instances';
import type { LeaseService } from '../services/leases';
import type { HomeRefresher } from '../services/home-refresh';
import type { MoneyService } from '../services/money';
import type { PlanCatalog } from '../services/plans';
import type { SshKeyBook } from '../services/ssh-key-book';
import type { PlanAlertService } from '../services/plan-alerts';
import type { Store } from '../store';
import type { InstanceWatcher } from '../watch/watcher';
import type { WatchNotifier } from '../watch/notifier';
import type { InFlight } from './inflight';

export interface BotContext {
  config: Config;
  sandbox: boolean;
  logger: Logger;
  redactor: SecretRedactor;
  now: () => number;
  fluence: FluenceApi;
  plans: PlanCatalog;
  instances: InstanceDirectory;
  deploys: DeployService;
  guard: Guard;
  /** Lease rules: channel policies, the deploy form's choices, starting a deploy's lease. */
  leases: LeaseService;
  /** Spend report, burn per hour (services/money.ts). */
  money: MoneyService;
  store: Store;
  /** Saved SSH keys and the account's keys (issue 12 §2). */
  sshKeys: SshKeyBook;
  /** Plan alerts: `/gpu alert`, Renew, Remove (issue 12 §3). */
  planAlerts: PlanAlertService;
  watcher: InstanceWatcher;
  notifier: WatchNotifier;
  /** Re-publishes App Homes when instances change (debounced). */
  home: HomeRefresher;
  /** The background outbox (src/background): `deliverNow()` sends what a handler just claimed without waiting for the next pass. */
  outbox: { deliverNow(): Promise<unknown> };
  /** Handlers still running after their ack. */
  inflight: InFlight;
  /** What GET /metrics serves (counters the handlers feed go through src/slack/request-metrics.ts). */
  metrics: Metrics;
}
