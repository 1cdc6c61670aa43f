/**
 * What `GET /metrics` serves (Prometheus text format, prom-client). One `Metrics` per running bot
 * (tests start many bots in one process), plus the process-wide Node metrics (CPU, RSS, event-loop
 * lag, GC) registered once per process.
 *
 * Labels are closed sets chosen here or by the caller from fixed vocabularies, never text from a
 * request: Slack names are sub-command kinds and registered action/callback ids, Fluence endpoints
 * are path templates in which every segment outside a fixed vocabulary becomes `{id}`. No user id,
 * user name, channel, instance id or name, or secret can reach a label (test/metrics.test.ts and
 * test/e2e/metrics.test.ts check it).
 *
 * Gauges that belong to other parts of the bot (watches by state, outbox backlog, leader) are read
 * at scrape time through `MetricSources` callbacks; whoever owns that state plugs a callback in with
 * `setSources` (bot.ts wires them). A callback that throws or is missing leaves its gauge out of the
 * scrape (logged once per scrape), it never fails the whole page.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Leadership } from './background/leadership';

/**
 * How a Slack request ended: ok; invalid (the command did not parse); duplicate (a repeated
 * delivery, ignored); fluence_error (a Fluence call it needed failed: unavailable, timed out, rate
 * limited, or refused the API key; a 404 or a 422 is the user's answer, not a failure); error (the
 * bot failed: a handler threw or reported an internal error).
 */
export type SlackOutcome = 'ok' | 'invalid' | 'duplicate' | 'fluence_error' | 'error';
export type SlackRequestType = 'command' | 'action' | 'view' | 'shortcut' | 'options' | 'event';

/** One Fluence HTTP attempt (http.ts reports each, retries included). */
export interface FluenceSample {
  method: string;
  /** The concrete path sent (ids included): templated here before it becomes a label. */
  path: string;
  /** HTTP status, when one came back. */
  status?: number;
  /** No status: 'timeout' | 'network' | 'redirect'. */
  failure?: string;
  seconds: number;
  /** No retry follows: this attempt's result is the request's. */
  last?: boolean;
}

export interface OutboxBacklog {
  /** Deliveries not yet sent (pending or being retried). */
  pending: number;
  /** Age of the oldest of them, seconds (0 when none). */
  oldestAgeSeconds: number;
}

/** Scrape-time readers of state owned elsewhere. Each may be sync or async. */
export interface MetricSources {
  /** Count of watches per state (e.g. watching, ready, failed, ended, gave_up). */
  watchesByState?: () => Promise<Record<string, number>> | Record<string, number>;
  outboxBacklog?: () => Promise<OutboxBacklog> | OutboxBacklog;
  /** Whether this process currently runs the periodic jobs (SQLite: always); undefined: not known yet. */
  isLeader?: () => Promise<boolean | undefined> | boolean | undefined;
}

/** Path segments kept as they are in a Fluence endpoint label; anything else is an id or a name. */
const ENDPOINT_WORDS = new Set([
  'gpu', 'v1', 'v2', 'plans', 'instances', 'vms', 'baremetal', 'default-images', 'users', 'balances',
  'logs', 'events', 'ssh_keys', 'ssh-keys', 'containers',
]);

/** `/gpu/instances/vms/3fa8…` -> `/gpu/instances/vms/{id}`; the query string is dropped; bounded length. */
export function endpointTemplate(path: string): string {
  const bare = path.split(/[?#]/, 1)[0] ?? '';
  const trailing = bare.endsWith('/') && bare.length > 1;
  const segments = bare.split('/').filter((s) => s !== '').slice(0, 6);
  const out = segments.map((s) => (ENDPOINT_WORDS.has(s.toLowerCase()) ? s.toLowerCase() : '{id}'));
  return `/${out.join('/')}${trailing && out.length ? '/' : ''}`;
}

/** 2xx/3xx/4xx/5xx, or what happened instead of a status (timeout, network, redirect). */
export function statusClass(sample: Pick<FluenceSample, 'status' | 'failure'>): string {
  if (sample.status !== undefined && sample.status >= 100 && sample.status < 600) return `${Math.floor(sample.status / 100)}xx`;
  const f = sample.failure;
  return f === 'timeout' || f === 'redirect' ? f : 'network';
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
const REQUEST_TYPES = new Set<SlackRequestType>(['command', 'action', 'view', 'shortcut', 'options', 'event']);
const OUTCOMES = new Set<SlackOutcome>(['ok', 'invalid', 'duplicate', 'fluence_error', 'error']);
/** A Slack name label: ids such as `instance_refresh` or `deploy_modal`; anything else is 'other'. */
const NAME_SHAPE = /^[a-z][a-z0-9_]{0,47}$/;

interface OutcomeSlot {
  outcome: SlackOutcome;
  name: string | undefined;
}
const currentRequest = new AsyncLocalStorage<OutcomeSlot>();

/**
 * Runs one Slack request's handling in its own outcome slot, then reports how it ended. The
 * outcome is known deep inside handlers (a parse error, a repeated delivery, a failed Fluence call)
 * and is marked there with `markOutcome` / `nameRequest`, without threading anything through.
 */
export async function withOutcome(work: () => Promise<void>, done: (outcome: SlackOutcome, name: string | undefined) => void): Promise<void> {
  const slot: OutcomeSlot = { outcome: 'ok', name: undefined };
  try {
    await currentRequest.run(slot, work);
  } catch (err) {
    slot.outcome = 'error';
    throw err;
  } finally {
    done(slot.outcome, slot.name);
  }
}

/** Marks how the current Slack request ended (outside one: nothing). 'error' beats 'fluence_error' beats the rest. */
export function markOutcome(outcome: SlackOutcome): void {
  const slot = currentRequest.getStore();
  if (!slot || slot.outcome === 'error' || (slot.outcome === 'fluence_error' && outcome !== 'error')) return;
  slot.outcome = outcome;
}

/** Names the current Slack request from a closed vocabulary (the `/gpu` sub-command kind). */
export function nameRequest(name: string): void {
  const slot = currentRequest.getStore();
  if (slot) slot.name = name;
}

/** A Fluence answer that means Fluence failed the request (not the user's 404/409/422). */
function fluenceFailed(s: Pick<FluenceSample, 'status' | 'failure'>): boolean {
  if (s.status === undefined) return true;
  return s.status >= 500 || s.status === 401 || s.status === 403 || s.status === 408 || s.status === 429;
}

/**
 * Leaves an unlabelled gauge without a sample until it is set again: prom-client's reset() puts 0
 * there, and a 0 backlog read from a database that did not answer would look healthy. (prom-client
 * 15 keeps samples in `hashMap`; test/metrics.test.ts fails if that changes.)
 */
function unset(gauge: Gauge): void {
  (gauge as unknown as { hashMap: Record<string, unknown> }).hashMap = {};
}

let processRegistry: Registry | undefined;
/** Node's own metrics (RSS, CPU, event-loop lag, GC), once per process: they are the process's, not a bot's. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface MetricsOptions {
  sources?: MetricSources;
  /** Told when a source fails at scrape time. */
  onSourceError?: (source: keyof MetricSources, err: unknown) => void;
  /** Include Node's process metrics (default true). */
  processMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  private sources: MetricSources;
  private readonly onSourceError: MetricsOptions['onSourceError'];
  private readonly withProcess: boolean;
  /** Per scrape: each source is read once even when two gauges show it. */
  private scrape = new Map<keyof MetricSources, Promise<unknown>>();

  private readonly slackRequests = new Counter({
    name: 'gpu_bot_slack_requests_total',
    help: 'Slack requests handled, by type (command, action, view...), name (sub-command or action/callback id) and outcome',
    labelNames: ['type', 'name', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly ackSeconds = new Histogram({
    name: 'gpu_bot_slack_ack_seconds',
    help: 'Time from a Slack request reaching Bolt to its ack (Slack gives up after 3 s)',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [this.registry],
  });
  private readonly fluenceSeconds = new Histogram({
    name: 'gpu_bot_fluence_request_duration_seconds',
    help: 'Fluence API attempts (each retry counts), by method, endpoint template and status class',
    labelNames: ['method', 'endpoint', 'status_class'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });
  private readonly deliveryFailures = new Counter({
    name: 'gpu_bot_delivery_failures_total',
    help: 'Slack posts/updates/DMs of the bot that failed, by operation and reason (rate_limited, not_in_channel...)',
    labelNames: ['op', 'reason'] as const,
    registers: [this.registry],
  });

  constructor(opts: MetricsOptions = {}) {
    this.sources = { ...opts.sources };
    this.onSourceError = opts.onSourceError;
    this.withProcess = opts.processMetrics ?? true;
    const read = <K extends keyof MetricSources>(key: K) => this.read(key);
    new Gauge({
      name: 'gpu_bot_watches',
      help: 'Instance watches by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const byState = await read('watchesByState');
        for (const [state, n] of Object.entries(byState ?? {})) if (NAME_SHAPE.test(state)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'gpu_bot_outbox_backlog',
      help: 'Slack deliveries decided but not yet sent',
      registers: [this.registry],
      async collect() {
        unset(this);
        const b = await read('outboxBacklog');
        if (b) this.set(b.pending);
      },
    });
    new Gauge({
      name: 'gpu_bot_outbox_oldest_age_seconds',
      help: 'Age of the oldest unsent Slack delivery (0 when none)',
      registers: [this.registry],
      async collect() {
        unset(this);
        const b = await read('outboxBacklog');
        if (b) this.set(b.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'gpu_bot_leader',
      help: '1 while this process runs the periodic jobs (watcher, reconciler, reminders), else 0',
      registers: [this.registry],
      async collect() {
        unset(this);
        const leader = await read('isLeader');
        if (leader !== undefined) this.set(leader ? 1 : 0);
      },
    });
  }

  /** Plugs in (or replaces) scrape-time readers; the owner of that state calls this. */
  setSources(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  slackRequest(type: SlackRequestType, name: string, outcome: SlackOutcome): void {
    this.slackRequests.inc({ type: REQUEST_TYPES.has(type) ? type : 'event', name: NAME_SHAPE.test(name) ? name : 'other', outcome: OUTCOMES.has(outcome) ? outcome : 'error' });
  }

  observeAck(type: SlackRequestType, seconds: number): void {
    this.ackSeconds.observe({ type: REQUEST_TYPES.has(type) ? type : 'event' }, seconds);
  }

  /** Bound, so it can be handed to the Fluence client as its observer. */
  readonly observeFluence = (s: FluenceSample): void => {
    const method = METHODS.has(s.method) ? s.method : 'OTHER';
    this.fluenceSeconds.observe({ method, endpoint: endpointTemplate(s.path), status_class: statusClass(s) }, s.seconds);
    if (s.last !== false && fluenceFailed(s)) markOutcome('fluence_error');
  };

  deliveryFailed(op: string, reason: string): void {
    this.deliveryFailures.inc({ op: NAME_SHAPE.test(op) ? op : 'other', reason: NAME_SHAPE.test(reason) ? reason : 'other' });
  }

  /** The page for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.scrape = new Map();
    const own = await this.registry.metrics();
    const body = this.withProcess ? `${await processMetrics().metrics()}\n${own}` : own;
    return { contentType: this.registry.contentType, body };
  }

  private async read<K extends keyof MetricSources>(key: K): Promise<Awaited<ReturnType<NonNullable<MetricSources[K]>>> | undefined> {
    const source = this.sources[key];
    if (!source) return undefined;
    let pending = this.scrape.get(key);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => source())
        .catch((err: unknown) => {
          this.onSourceError?.(key, err);
          return undefined;
        });
      this.scrape.set(key, pending);
    }
    return (await pending) as Awaited<ReturnType<NonNullable<MetricSources[K]>>> | undefined;
  }
}

/**
 * The scheduler's leadership, as the leader gauge reports it: the answer the scheduler last got.
 * A scrape never asks `isLeader()` itself (it may acquire or renew leadership); no answer yet, no
 * sample. Released (shutdown) reads 0.
 */
export function observedLeadership(inner: Leadership, metrics: Metrics): Leadership {
  let last: boolean | undefined;
  metrics.setSources({ isLeader: () => last });
  return {
    isLeader: async () => (last = await inner.isLeader()),
    release: async () => {
      await inner.release();
      last = false;
    },
  };
}
