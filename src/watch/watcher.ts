/**
 * The instance watcher: deploy, go back to work, get a thread reply the moment the instance is usable.
 *
 * Each cycle makes ONE list call per workload type that has watches (≤ 3, whatever their number),
 * then a detail call only for listed instances that are ACTIVE (to see whether their connection
 * details are out), plus events/logs for a container that just FAILED or does not start, when the reply
 * may show them (a DM with its owner or an admin: decide.ts). The list calls go through the fleet
 * snapshot (background/fleet.ts), so the other jobs of the cycle reuse them. Decisions are written
 * together with the notices they claim in the one outbox (store/watches.ts), then the outbox is delivered
 * (background/delivery.ts; src/slack/notices/ renders them). The watcher runs as the scheduler's
 * 'watch' job and knows nothing of Slack.
 *
 * Exactly-once replies: a reply kind is claimed once per instance (its outbox key), in the same
 * transaction as the status that caused it, with everything its message needs (diagnostics included).
 * A failed post (Slack error, 429, network) stays pending and is retried from the stored notice,
 * without new Fluence calls. The one remaining window is named in background/delivery.ts.
 */
import type { FluenceApi } from '../fluence/api';
import { isFluenceError } from '../fluence/errors';
import type { InstanceDetail, InstanceSummary } from '../fluence/model';
import { WORKLOADS, type WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import { withBusyRetry } from '../store/db';
import { isStoreError } from '../store/engine';
import type { DeliveredNotice } from '../background/delivery';
import type { FleetSnapshot } from '../background/fleet';
import type { DiagnosticLines, Notice, OutboxEntry, WatchNoticeBase } from '../background/notices';
import { watchNoticeKey, type OutboxKind, type ReplyKind, type WatchInput, type WatchRecord, type WatchStore } from '../store/watches';
import type { Clock } from './clock';
import { decide, linesShownInThread, needsDetail, type Decision, type WatchLimits } from './decide';
import { StoreBackoff } from './store-backoff';

/** A message Slack accepted, and how it went out. */
export interface DeliveredMessage {
  instanceId: string;
  kind: OutboxKind;
  via: string;
}

/** What the watcher needs of the outbox delivery (background/delivery.ts NoticeDelivery). */
export interface WatchDelivery {
  /** A pass that starts after the cycle recorded its decisions. */
  deliverFresh(): Promise<DeliveredNotice[]>;
  /** Notices Slack accepted whose `sent` mark the store has not taken yet. */
  readonly sent: { readonly size: number };
}

export interface InstanceWatcherOptions {
  store: WatchStore;
  fluence: FluenceApi;
  /** The cycle's list calls, shared with the other jobs (default: straight to `fluence`). */
  fleet?: Pick<FleetSnapshot, 'refresh'>;
  /** Delivers the outbox at the end of each cycle. */
  delivery: WatchDelivery;
  clock: Clock;
  intervalMs: number;
  timeoutMs: number;
  hardLimitMs: number;
  /** ACTIVE but the container not started for this long: one diagnostics reply (default 5 min). */
  startGraceMs?: number;
  logger: Logger;
  /** Parallel detail calls within one cycle (default 8). */
  detailConcurrency?: number;
  /** The instance's lease end (null: until terminated), for the ready reply; undefined: no lease. */
  leaseEndOf?: (instanceId: string) => Promise<{ endsAt: number | null } | undefined>;
  /**
   * May the watch's requester read the instance's logs and events (its owner, or an admin)? Asked for the reader
   * of a DM thread; without it no reply carries those lines (they routinely hold secrets).
   */
  mayReadLines?: (w: WatchRecord) => boolean | Promise<boolean>;
}

export interface CycleReport {
  startedAt: number;
  /** Watches active at the start of the cycle. */
  watching: number;
  calls: { list: number; detail: number; diagnostics: number; total: number };
  transitions: Array<{ instanceId: string; from: string | null; to: string }>;
  finished: Array<{ instanceId: string; outcome: string }>;
  /** Messages Slack accepted during this cycle. */
  delivered: DeliveredMessage[];
  /** Messages still waiting for delivery after this cycle. */
  pending: number;
  errors: Array<{ type?: WorkloadType; instanceId?: string; kind: string; message: string }>;
  /** Types not polled this cycle because of error backoff. */
  backedOff: WorkloadType[];
  /** The whole cycle was skipped: the store refused writes recently and the watcher is backing off. */
  storeBackedOff?: boolean;
}

export const DEFAULT_START_GRACE_MS = 5 * 60_000;

/** Cycles to skip after the n-th consecutive failure: 0, 1, 3, 7, 15, 15, … */
const MAX_SKIP_CYCLES = 15;

export class InstanceWatcher {
  private readonly backoff = new Map<WorkloadType, { failures: number; skip: number }>();
  private readonly storeBackoff: StoreBackoff;
  private inFlight: Promise<CycleReport> | null = null;

  private readonly limits: WatchLimits;

  constructor(private readonly o: InstanceWatcherOptions) {
    this.limits = { timeoutMs: o.timeoutMs, hardLimitMs: o.hardLimitMs, startGraceMs: o.startGraceMs ?? DEFAULT_START_GRACE_MS };
    this.storeBackoff = new StoreBackoff(o.logger);
  }

  /** Starts watching an instance. Idempotent: the same instance twice is one watch (the first one). */
  watch(input: WatchInput): Promise<WatchRecord> {
    // a lock held by another connection is waited out without blocking the event loop
    return withBusyRetry(() => this.o.store.add(input, this.o.clock.now()), { what: 'start a watch', logger: this.o.logger });
  }

  /** `watch()`, for request handlers (the name they know). */
  watchPatiently(input: WatchInput): Promise<WatchRecord> {
    return this.watch(input);
  }

  /** Waits for the in-flight cycle (SIGTERM path: the scheduler is stopped first); the caller closes the DB afterwards. */
  async stop(): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(() => undefined);
  }

  /** One poll + delivery pass. Concurrent callers share the cycle already running. */
  runCycle(): Promise<CycleReport> {
    if (!this.inFlight) {
      this.inFlight = this.cycle().finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async cycle(): Promise<CycleReport> {
    const now = this.o.clock.now();
    const report: CycleReport = {
      startedAt: now,
      watching: 0,
      calls: { list: 0, detail: 0, diagnostics: 0, total: 0 },
      transitions: [],
      finished: [],
      delivered: [],
      pending: 0,
      errors: [],
      backedOff: [],
    };
    if (this.storeBackoff.skipCycle()) {
      report.storeBackedOff = true;
      return report;
    }
    try {
      await this.pollAndDeliver(now, report);
    } catch (err) {
      if (!isStoreError(err)) throw err;
      report.errors.push({ kind: 'store', message: err instanceof Error ? err.message : String(err) });
      this.storeBackoff.failed(err, this.o.delivery.sent.size);
      return report;
    }
    this.storeBackoff.recovered();
    return report;
  }

  private async pollAndDeliver(now: number, report: CycleReport): Promise<void> {
    const watching = await this.o.store.listWatching();
    report.watching = watching.length;
    const byType = new Map<WorkloadType, WatchRecord[]>();
    for (const w of watching) {
      const group = byType.get(w.type);
      if (group) group.push(w);
      else byType.set(w.type, [w]);
    }
    // the (at most 3) types are polled concurrently; each keeps its own error backoff
    const polls = await Promise.allSettled(
      [...byType].map(async ([type, watches]) => {
        const b = this.backoff.get(type);
        if (b && b.skip > 0) {
          b.skip -= 1;
          report.backedOff.push(type);
          return;
        }
        await this.pollType(type, watches, now, report);
      }),
    );
    // every type has finished before a store error ends the cycle: nothing of it runs on behind the next one
    const failed = polls.find((p) => p.status === 'rejected');
    if (failed) throw failed.reason;
    report.calls.total = report.calls.list + report.calls.detail + report.calls.diagnostics;
    for (const d of await this.o.delivery.deliverFresh()) {
      const [scope, instanceId, kind] = d.key.split(':');
      if (scope === 'watch' && instanceId && kind) report.delivered.push({ instanceId, kind: kind as OutboxKind, via: d.via });
    }
    report.pending = (await this.o.store.countPending()) - this.o.delivery.sent.size;
  }

  private async pollType(type: WorkloadType, watches: WatchRecord[], now: number, report: CycleReport): Promise<void> {
    let list: InstanceSummary[];
    report.calls.list += 1;
    try {
      list = await (this.o.fleet ? this.o.fleet.refresh(type) : this.o.fluence.listInstances(type));
    } catch (err) {
      this.typeFailed(type, err, report);
      return;
    }
    const listed = new Map(list.map((i) => [i.id, i]));
    let outage: unknown = null;
    let storeError: unknown = null;
    const queue = [...watches];
    const worker = async () => {
      for (let w = queue.shift(); w && outage === null && storeError === null; w = queue.shift()) {
        let summary = listed.get(w.instanceId) ?? null;
        let detail: InstanceDetail | null = null;
        if (needsDetail(summary)) {
          report.calls.detail += 1;
          try {
            detail = await this.o.fluence.getInstance(type, w.instanceId);
          } catch (err) {
            if (isFluenceError(err) && err.kind === 'not_found') {
              summary = null; // listed a moment ago, gone now: treat as missing
            } else if (isFluenceError(err) && !err.transient) {
              // An unreadable detail is not a reason to poll forever: decide on the list entry alone,
              // so the watch still gets its "slow" and "gave up" replies at their limits.
              report.errors.push({ type, instanceId: w.instanceId, kind: err.kind, message: err.message });
              this.o.logger.warn({ type, instanceId: w.instanceId, kind: err.kind }, 'instance detail unusable; deciding on the list entry, will retry next cycle');
            } else {
              outage = err;
              continue;
            }
          }
        }
        try {
          await this.record(w, decide(w, { summary, detail }, now, this.limits), detail, now, report);
        } catch (err) {
          if (!isStoreError(err)) throw err;
          storeError = err; // the other workers stop too; the cycle backs off
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.detailConcurrency ?? 8, queue.length) }, worker));
    if (storeError !== null) throw storeError;
    if (outage !== null) this.typeFailed(type, outage, report);
    else this.typeRecovered(type);
  }

  /** Turns the decision into notices and commits it (status, finish, claimed notices) in one transaction. */
  private async record(w: WatchRecord, d: Decision, detail: InstanceDetail | null, now: number, report: CycleReport): Promise<void> {
    // nothing new: no write (1,000 unchanged watches cost no transactions)
    if (!d.statusChanged && !d.finish && d.replies.length === 0 && d.notStartedSince === undefined) return;
    const base: WatchNoticeBase = {
      to: { teamId: w.teamId, channelId: w.channelId, messageTs: w.messageTs, requesterId: w.requesterId },
      instanceId: w.instanceId,
      name: w.name,
      type: w.type,
      requesterId: w.requesterId,
    };
    const notices: OutboxEntry[] = [];
    // the status edit first: it precedes the reply it caused (delivery goes oldest decision first)
    if (d.statusChanged && d.status) {
      notices.push({
        key: watchNoticeKey(w.instanceId, 'status'),
        replace: true,
        notice: { kind: 'watch.status', ...base, planLabel: w.planLabel, pricePerHour: w.pricePerHour, status: d.status, updatedAt: now },
      });
    }
    for (const kind of d.replies) {
      notices.push({ key: watchNoticeKey(w.instanceId, kind), notice: await this.reply(kind, w, d, detail, now, base, report) });
    }
    // one transaction; another connection's lock is waited out asynchronously before the cycle gives up
    await this.o.store.apply(
      w.instanceId,
      {
        ...(d.status ? { status: d.status } : {}),
        ...(d.missing ? {} : { seenAt: now }),
        ...(d.finish ? { finish: d.finish } : {}),
        ...(d.markSlow ? { slowNotified: true } : {}),
        ...(d.notStartedSince !== undefined ? { notStartedSince: d.notStartedSince } : {}),
        ...(d.markStartNotified ? { startNotified: true } : {}),
        notices,
      },
      now,
    );
    if (d.statusChanged && d.status) report.transitions.push({ instanceId: w.instanceId, from: w.lastStatus, to: d.status });
    if (d.finish) report.finished.push({ instanceId: w.instanceId, outcome: d.finish });
  }

  private async leaseOf(instanceId: string): Promise<{ lease?: { endsAt: number | null } }> {
    try {
      const lease = await this.o.leaseEndOf?.(instanceId);
      return lease ? { lease: { endsAt: lease.endsAt } } : {};
    } catch (err) {
      this.o.logger.warn({ err, instanceId }, 'could not read the lease for the ready reply');
      return {};
    }
  }

  /** The notice of one reply kind, with everything its message needs (read now, rendered at delivery). */
  private async reply(kind: ReplyKind, w: WatchRecord, d: Decision, detail: InstanceDetail | null, now: number, base: WatchNoticeBase, report: CycleReport): Promise<Notice> {
    const elapsedMs = now - w.createdAt;
    switch (kind) {
      case 'ready':
        return { kind: 'watch.ready', ...base, connection: detail!.connection!, pricePerHour: w.pricePerHour, provisionedMs: elapsedMs, ...(await this.leaseOf(w.instanceId)) };
      case 'failed':
        return { kind: 'watch.failed', ...base, status: d.status ?? 'FAILED', lines: await this.diagnostics(w, report) };
      case 'ended':
        return { kind: 'watch.ended', ...base };
      case 'slow':
        return { kind: 'watch.slow', ...base, elapsedMs, hardLimitMs: this.o.hardLimitMs };
      case 'gave_up':
        return { kind: 'watch.gave_up', ...base, elapsedMs, lastStatus: d.status ?? w.lastStatus, missing: d.missing };
      case 'not_started': {
        const lines = await this.diagnostics(w, report);
        const since = w.notStartedSince ?? d.notStartedSince ?? now;
        return { kind: 'watch.not_started', ...base, notStartedMs: now - since, containerStatus: detail?.containerStatus ?? null, lines };
      }
    }
  }

  /**
   * The reason a container failed or does not start: its last events and log lines. Best effort;
   * VM/BM have neither. Not fetched at all when the thread is read by others (`withheld`).
   */
  private async diagnostics(w: WatchRecord, report: CycleReport): Promise<DiagnosticLines> {
    if (!WORKLOADS[w.type].hasLogs) return { events: [], logs: [] };
    if (!(await linesShownInThread(w, (r) => this.o.mayReadLines?.(r) ?? false))) return 'withheld';
    report.calls.diagnostics += 2;
    const [events, logs] = await Promise.all([
      this.o.fluence.getEvents(w.instanceId, 10).catch(() => [] as string[]),
      this.o.fluence.getLogs(w.instanceId, 20).catch(() => [] as string[]),
    ]);
    return { events, logs };
  }

  private typeFailed(type: WorkloadType, err: unknown, report: CycleReport): void {
    const kind = isFluenceError(err) ? err.kind : 'unexpected';
    const message = err instanceof Error ? err.message : String(err);
    report.errors.push({ type, kind, message });
    const b = this.backoff.get(type) ?? { failures: 0, skip: 0 };
    b.failures += 1;
    const retryAfterMs = isFluenceError(err) ? (err.details.retryAfterSeconds ?? 0) * 1000 : 0;
    const cycles = Math.min(2 ** (b.failures - 1) - 1, MAX_SKIP_CYCLES);
    b.skip = Math.max(cycles, Math.ceil(retryAfterMs / this.o.intervalMs) - 1);
    this.backoff.set(type, b);
    // one line per error streak, not one per cycle (a long outage must not flood the logs)
    if (b.failures === 1) {
      void this.o.store
        .countWatching()
        .catch(() => null)
        .then((watches) => this.o.logger.warn({ type, kind, watches }, 'Fluence polling failed; backing off, no watch is dropped'));
    }
  }

  private typeRecovered(type: WorkloadType): void {
    const b = this.backoff.get(type);
    if (!b) return;
    this.backoff.delete(type);
    this.o.logger.info({ type, failedCycles: b.failures }, 'Fluence polling recovered');
  }
}
