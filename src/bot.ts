/**
 * Wires one running bot: store, Fluence client (or the in-process simulator in sandbox mode),
 * services, the watcher and the Slack app. main.ts, the offline demo and the end-to-end tests all
 * start the bot through here, so they run the same code as production.
 */
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { storeLocation, type Config } from './config';
import type { FluenceApi } from './fluence/api';
import { FluenceClient } from './fluence/client';
import { createLogger, type Logger } from './log';
import { SecretRedactor } from './secrets';
import { DeployService } from './services/deploy';
import { DeployReconciler } from './services/reconciler';
import { OUTBOX_EVERY_MS, registerJobs } from './jobs';
import { Guard } from './services/guard';
import { InstanceDirectory } from './services/instances';
import { PlanCatalog } from './services/plans';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from './simulator';
import { createSlackApp } from './slack/app';
import { HomeTeam } from './slack/home-team';
import type { BotContext } from './slack/context';
import { SshKeyBook } from './services/ssh-key-book';
import { InFlight } from './slack/inflight';
import { resumeApproved } from './slack/handlers/guardrails';
import { announceAdopted, reportAbandoned } from './slack/handlers/deploy-settle';
import { announceDeploy, announcedFromClaim } from './slack/handlers/announce';
import { registerListeners } from './slack/listeners';
import { maskingFetch } from './slack/masking-fetch';
import { patientNotifier } from './slack/patient-notifier';
import { auditLine } from './slack/views/guardrails';
import { SlackWatchNotifier } from './slack/watch-notifier';
import { openStore, type Store } from './store';
import { systemClock, type Clock } from './watch/clock';
import { HOUR_MS } from './duration';
import { InstanceWatcher } from './watch/watcher';
import { NoticeDelivery } from './background/delivery';
import { FleetSnapshot } from './background/fleet';
import { singleProcessLeadership } from './background/leadership';
import { PgLeadership } from './background/pg-leadership';
import { Scheduler } from './background/scheduler';
import { RENDERERS, slackNoticeSender } from './slack/notices';
import { LeaseService } from './services/leases';
import { Metrics, observedLeadership } from './metrics';
import { sql } from 'kysely';
import { PlanAlertService } from './services/plan-alerts';
import { readiness } from './readiness';
import { slackAuthProbe } from './slack/auth-probe';
import { countingNotifier } from './slack/request-metrics';
import { HomeRefresher, homeAwareNotifier, observeInstanceChanges } from './services/home-refresh';
import { publishHome } from './slack/handlers/home';
import { MoneyService } from './services/money';

/**
 * Shutdown waits this long past FLUENCE_TIMEOUT_MS for in-flight work (a deploy POST, then its
 * record and announcement) before the store closes. The container's stop grace period must be
 * at least FLUENCE_TIMEOUT_MS + this (README "Running it"), or a deploy can be cut mid-POST.
 */
export const SHUTDOWN_MARGIN_MS = 5_000;

export interface BotOptions {
  config: Config;
  logger?: Logger;
  redactor?: SecretRedactor;
  /** Timers and time for the watcher (tests use a manual clock). */
  clock?: Clock;
  /** Replace the Fluence client (tests of odd API answers). */
  fluence?: FluenceApi;
  /** Options for the in-process simulator in sandbox mode. */
  simulator?: SimulatorOptions;
  /** Skip auth.test at start (tests, demo: the stand-in answers it anyway). */
  botUserId?: string;
  botId?: string;
  /** Do not start the watcher's timer (tests drive `watcher.runCycle()` themselves). */
  manualWatcher?: boolean;
  /** The bot's metrics (a test that builds its own Fluence client hands it `metrics.observeFluence`). */
  metrics?: Metrics;
}

export interface RunningBot {
  port: number;
  /** http://127.0.0.1:PORT/slack/events (HTTP mode) */
  eventsUrl: string;
  context: BotContext;
  simulator: SimulatorHandle | null;
  /** Settles deploys whose outcome was unclear (tests run passes by hand). */
  reconciler: DeployReconciler;
  /** Every periodic job (src/background/scheduler.ts); with `manualWatcher` not started: tests call `runNow(name)`. */
  scheduler: Scheduler;
  /** Delivers the outbox (the 'outbox' job; tests call `deliverDue()`). */
  delivery: NoticeDelivery;
  /** The instance lists of the current cycle, shared by all jobs. */
  fleet: FleetSnapshot;
  stop(): Promise<void>;
}

export async function startBot(opts: BotOptions): Promise<RunningBot> {
  const { config } = opts;
  const redactor = opts.redactor ?? new SecretRedactor();
  redactor.add(config.SLACK_BOT_TOKEN, config.SLACK_APP_TOKEN, config.SLACK_SIGNING_SECRET, config.FLUENCE_API_KEY, config.GPU_BOT_SEAL_KEY, ...databasePassword(config.DATABASE_URL));
  const logger = opts.logger ?? createLogger({ level: config.LOG_LEVEL, redactor });
  const clock = opts.clock ?? systemClock;
  const botToken = config.SLACK_BOT_TOKEN;
  if (!botToken) throw new Error('startBot needs SLACK_BOT_TOKEN (the offline demo supplies one for its stand-in)');
  const signingSecret = config.SLACK_SIGNING_SECRET ?? randomBytes(16).toString('hex');
  const metrics = opts.metrics ?? new Metrics({ onSourceError: (source, err) => logger.warn({ err, source }, 'a /metrics source failed') });

  let simulator: SimulatorHandle | null = null;
  let fluence = opts.fluence;
  if (!fluence) {
    let baseUrl = config.FLUENCE_API_URL;
    let apiKey = config.FLUENCE_API_KEY;
    if (config.sandbox) {
      simulator = await startSimulator({ port: 0, speed: config.SIMULATOR_SPEED, ...opts.simulator });
      baseUrl = simulator.url;
      apiKey = simulator.apiKey;
      logger.warn(
        { simulator: simulator.url },
        'SANDBOX MODE: no FLUENCE_API_KEY is set, so gpu-bot talks to its built-in Fluence simulator. Nothing real is deployed and no money moves. Set FLUENCE_API_KEY to use the real Fluence GPU Cloud.',
      );
    }
    fluence = new FluenceClient({ baseUrl, apiKey: apiKey ?? '', timeoutMs: config.FLUENCE_TIMEOUT_MS, logger, observe: metrics.observeFluence });
  }
  // App Homes re-publish (debounced) when an instance changes; `context` exists before any change can.
  const home = new HomeRefresher({
    clock,
    publish: (userId) => publishHome(context, notifierClient, userId),
    ownersOf: async (instanceId) => {
      const owner = (await store.deployRequests.findByInstance(instanceId))?.userId;
      return owner ? [owner] : [];
    },
    onError: (err, userId) => logger.warn({ err, userId }, 'could not publish the App Home'),
  });
  fluence = observeInstanceChanges(fluence, (instanceId) => home.instanceChanged(instanceId));

  // The store stamps claims with the bot's clock: the reconciler compares them with Fluence's created_at.
  // DATABASE_URL (PostgreSQL, shared by replicas) or the SQLite file at DATABASE_PATH
  const store: Store = await openStore(storeLocation(config), { now: () => clock.now(), maxConnections: config.DATABASE_POOL_SIZE });
  const slackFetch = maskingFetch(redactor);
  const notifierClient = new WebClient(botToken, {
    slackApiUrl: config.SLACK_API_URL,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    fetch: slackFetch,
  });
  // what the watcher (and any notice) writes about someone's instance re-publishes their App Home
  const notifier = homeAwareNotifier(
    countingNotifier(new SlackWatchNotifier({ client: notifierClient, logger }), metrics),
    (userId) => home.userChanged(userId),
  );
  // the cycle's instance lists, shared by every job; the outbox every job's notices go through
  const fleet = new FleetSnapshot({ listInstances: (type) => fluence.listInstances(type), now: () => clock.now(), maxAgeMs: config.WATCH_INTERVAL_MS });
  const delivery = new NoticeDelivery({
    outbox: store.outbox,
    sender: slackNoticeSender(notifier, RENDERERS, { sandbox: config.sandbox }),
    logger,
    now: () => clock.now(),
    intervalMs: OUTBOX_EVERY_MS,
  });
  // SQLite: this process is the fleet. PostgreSQL: the replica holding the advisory lock runs the leader-only jobs.
  const leadership = config.DATABASE_URL && store.engine === 'postgres' ? new PgLeadership({ url: config.DATABASE_URL, logger }) : singleProcessLeadership;
  const scheduler = new Scheduler({ clock, fleet, logger, leadership: observedLeadership(leadership, metrics) });
  const watcher = new InstanceWatcher({
    store: store.watches,
    fluence,
    fleet,
    delivery,
    clock,
    intervalMs: config.WATCH_INTERVAL_MS,
    timeoutMs: config.WATCH_TIMEOUT_MS,
    hardLimitMs: config.WATCH_HARD_LIMIT_MS,
    startGraceMs: config.WATCH_START_GRACE_MS,
    leaseEndOf: (instanceId) => store.leases.get(instanceId),
    logger,
    // the same rule as /gpu logs for the reader of a DM thread (guard exists by the first cycle)
    mayReadLines: async (w) => (await guard.authorize({ userId: w.requesterId, channelId: w.channelId, teamId: w.teamId }, 'read-private', guard.owns(w.requesterId, w.instanceId))).allowed,
  });
  const homeTeam = new HomeTeam(notifierClient, logger, () => clock.now());
  await homeTeam.learn();
  const guard = new Guard({
    store,
    homeTeamId: () => homeTeam.current(),
    bootstrapAdmins: config.GPU_BOT_ADMINS,
    sandbox: config.sandbox,
    redactor,
    logger,
    ...(config.AUDIT_CHANNEL
      ? {
          publishAudit: async (entry) => {
            await notifierClient.chat.postMessage({ channel: config.AUDIT_CHANNEL!, text: auditLine(entry), unfurl_links: false });
          },
        }
      : {}),
  });
  const plans = new PlanCatalog({ fluence, now: () => clock.now() });
  const deploys = new DeployService({ fluence, store, guard, redactor, logger, plans, maxHourlyUsd: config.MAX_HOURLY_USD ?? null, now: () => clock.now(), postTimeoutMs: config.FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS });
  const leases = new LeaseService({
    leases: store.leases,
    policies: store.policies,
    defaultLeaseMs: Math.round(config.DEFAULT_LEASE_HOURS * HOUR_MS),
    now: () => clock.now(),
  });
  const instances = new InstanceDirectory(fluence);
  const money = new MoneyService({
    fluence,
    instances,
    cache: store.spendCache,
    deployRecords: (ids) => store.deployRequests.findByInstances(ids),
    now: () => clock.now(),
    tz: config.DIGEST_TZ,
  });
  const planAlerts = new PlanAlertService({ repo: store.planAlerts, plans, ttlDays: config.PLAN_ALERT_TTL_DAYS, now: () => clock.now() });
  const context: BotContext = {
    config,
    sandbox: config.sandbox,
    logger,
    redactor,
    now: () => clock.now(),
    fluence,
    plans,
    instances,
    deploys,
    guard,
    leases,
    money,
    store,
    sshKeys: new SshKeyBook({ repo: store.sshKeys, fluence, logger, now: () => clock.now() }),
    planAlerts,
    watcher,
    notifier: patientNotifier(notifier),
    outbox: { deliverNow: () => delivery.deliverFresh() },
    inflight: new InFlight(),
    metrics,
    home,
  };
  metrics.setSources({
    watchesByState: () => store.watches.countByState(),
    outboxBacklog: () => store.outbox.backlog(clock.now()),
  });

  const reconciler = new DeployReconciler({
    store,
    fluence,
    fleet,
    logger,
    now: () => clock.now(),
    deploys,
    postTimeoutMs: config.FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS,
    onAdopted: (claim, instance) => announceAdopted(context, claim, instance),
    onAbandoned: (claim) => reportAbandoned(context, claim),
    onUnwatched: (claim) => announceDeploy(context, { input: announcedFromClaim(claim), instanceId: claim.instanceId }),
  });

  let watcherRunning = false;
  const slack = createSlackApp({
    botToken,
    signingSecret,
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    apiUrl: config.SLACK_API_URL,
    port: config.PORT,
    logger,
    fetch: slackFetch,
    ...(opts.botUserId ? { botUserId: opts.botUserId } : {}),
    ...(opts.botId ? { botId: opts.botId } : {}),
    health: () => ({ ok: store.isOpen() && (watcherRunning || opts.manualWatcher === true), sandbox: config.sandbox }),
    ready: readiness(
      [
        {
          name: 'store',
          check: async () => {
            if (!store.isOpen()) throw new Error('the database is closed');
            // a real round trip on the store's engine (SQLite or PostgreSQL)
            await sql`SELECT 1`.execute(store.kysely);
          },
        },
        slackAuthProbe(notifierClient),
      ],
      { mask: (t) => redactor.mask(t) },
    ),
    metrics: () => metrics.render(),
    observeAck: (type, seconds) => metrics.observeAck(type, seconds),
    register: (app) => registerListeners(app, context),
  });
  const { port } = await slack.start();
  let stopped = false;
  const jobs = registerJobs(scheduler, { config, store, fluence, watcher, delivery, leases, guard, money, plans, reconciler, inflight: context.inflight, clock, logger });
  void context.inflight.track(scheduler.runNow('deploys.reconcile'));
  // An approval decided just before the last process stopped, whose deploy was never sent.
  void context.inflight.track(resumeApproved(context, notifierClient)).catch((err) => logger.warn({ err }, 'resuming approved deploys failed'));
  if (!opts.manualWatcher) {
    scheduler.start();
    watcherRunning = true;
  }
  logger.info({ port, mode: config.SLACK_APP_TOKEN ? 'socket' : 'http', sandbox: config.sandbox }, 'gpu-bot is ready');

  return {
    port,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    context,
    simulator,
    reconciler,
    scheduler,
    delivery,
    fleet,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Order matters: stop taking Slack requests, let running handlers (a deploy POST may take up
      // to FLUENCE_TIMEOUT_MS, then its record) and the current watch cycle finish, then close the DB.
      await slack.stop().catch((err) => logger.warn({ err }, 'stopping the Slack app failed'));
      await context.inflight.idle(config.FLUENCE_TIMEOUT_MS + SHUTDOWN_MARGIN_MS);
      await reconciler.idle();
      jobs.stop();
      await scheduler.stop();
      await watcher.stop();
      await delivery.idle();
      watcherRunning = false;
      home.stop();
      await home.idle();
      await store.close();
      if (simulator) await simulator.stop();
    },
  };
}

/** The password of a DATABASE_URL, as written and decoded, for the redactor (never in logs). */
function databasePassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { password } = new URL(url);
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}
