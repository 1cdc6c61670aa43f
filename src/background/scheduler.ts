/**
 * One home for background work (issue 11 §5, issue 13 §2): one Scheduler, one outbox, typed notices.
 *
 *   scheduler tick (leader only) → job.run(ctx): read state (+ ctx.fleet, the shared list calls),
 *     decide, and in ONE store transaction record the state change AND claim each notice in the outbox
 *   → delivery (the 'outbox' job, every replica; claims with a timeout) → src/slack/notices/ renders
 *     the notice and sends it (429 → Retry-After, channel gone → DM) → remembered as sent.
 *
 * A NEW JOB that emits a notice:
 *   1. Add its kind and data to `NoticeMap` in src/background/notices.ts (one line), e.g.
 *        'lease.reminder': { to: ThreadRef; instanceId: string; endsAt: number; … }
 *   2. Write the deciding logic as a pure function (decide(now, state) → { notices, changes }), tested alone.
 *   3. The job: read, decide, then write the changes and the notices in one transaction:
 *        await store.transaction(async (trx) => { await myRepo.markDone(trx, …); await store.outbox.enqueueIn(trx, [{ key, notice }], now); })
 *      `key` is the exactly-once claim (e.g. `lease:${id}:reminder:${endsAt}`): the same key again is ignored.
 *      Every query of it on `trx` (store/lease-steps.ts `claim` is the model).
 *   4. Register it where the bot is wired (bot.ts): `scheduler.register({ name: 'leases', intervalMs, run: (ctx) => … })`.
 *      Read instances with `await ctx.fleet.list(type)`, never `fluence.listInstances` (the watcher's
 *      call of this cycle is reused). Jobs never import src/slack.
 * A RENDERER for a kind: add `'lease.reminder': (n, ctx) => ({ op: 'reply', to: n.to, message: view(n) })`
 *   to a renderer table in src/slack/notices/ (see registry.ts; views stay pure functions in src/slack/views/).
 *   The registry's type requires one renderer per kind, so a missing one does not compile.
 *
 * Leadership: leader-only jobs run only while `leadership.isLeader()` (SQLite: always). Each job has
 * its own timer; a job's error is logged and does not stop it or any other job; runs never overlap.
 * Tests use ManualClock and `runNow(name)` / `idle()`, never sleeps.
 */
import type { Logger } from '../log';
import type { Clock, TimerHandle } from '../watch/clock';
import type { FleetSnapshot } from './fleet';
import { singleProcessLeadership, type Leadership } from './leadership';

export interface JobContext {
  /** The tick's time (the scheduler's clock). */
  now: number;
  /** This cycle's instance lists, shared by all jobs (fleet.ts). */
  fleet: FleetSnapshot;
  logger: Logger;
}

export interface Job {
  name: string;
  intervalMs: number;
  run(ctx: JobContext): Promise<unknown>;
  /** Runs on every replica, not only the leader (outbox delivery: claims make it safe). */
  everyReplica?: boolean;
  /** First run at start (default) or only after one interval. */
  runAtStart?: boolean;
}

export type RunOutcome = 'ran' | 'failed' | 'not_leader' | 'stopped';

export interface JobStatus {
  name: string;
  runs: number;
  failures: number;
  lastRunAt: number | null;
  lastError: string | null;
}

interface Entry {
  job: Job;
  timer: TimerHandle | null;
  running: Promise<RunOutcome> | null;
  status: JobStatus;
  /** Consecutive failures (one log line per streak at error level). */
  streak: number;
}

export interface SchedulerOptions {
  clock: Clock;
  fleet: FleetSnapshot;
  logger: Logger;
  leadership?: Leadership;
}

export class Scheduler {
  private readonly jobs = new Map<string, Entry>();
  private started = false;
  private stopped = false;
  private readonly leadership: Leadership;

  constructor(private readonly o: SchedulerOptions) {
    this.leadership = o.leadership ?? singleProcessLeadership;
  }

  register(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`A job named ${job.name} is already registered`);
    if (!(job.intervalMs > 0)) throw new Error(`Job ${job.name}: intervalMs must be positive`);
    const entry: Entry = { job, timer: null, running: null, streak: 0, status: { name: job.name, runs: 0, failures: 0, lastRunAt: null, lastError: null } };
    this.jobs.set(job.name, entry);
    if (this.started && !this.stopped) this.schedule(entry, job.runAtStart === false ? job.intervalMs : 0);
  }

  /** Starts every job's timer (first runs at once unless `runAtStart: false`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.jobs.values()) this.schedule(e, e.job.runAtStart === false ? e.job.intervalMs : 0);
  }

  /** Stops the timers, waits for running jobs, gives up leadership. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const e of this.jobs.values()) {
      if (e.timer !== null) this.o.clock.clearTimeout(e.timer);
      e.timer = null;
    }
    await this.idle();
    await this.leadership.release().catch((err) => this.o.logger.warn({ err }, 'releasing leadership failed'));
  }

  /** Runs one job now (joining a run already going). Leader-only jobs do nothing on a non-leader. */
  runNow(name: string): Promise<RunOutcome> {
    const e = this.jobs.get(name);
    if (!e) throw new Error(`No job named ${name}`);
    e.running ??= this.run(e).finally(() => {
      e.running = null;
    });
    return e.running;
  }

  /** Resolves once no job is running. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.jobs.values()].map((e) => e.running).filter((r): r is Promise<RunOutcome> => r !== null);
      if (!running.length) return;
      await Promise.allSettled(running);
    }
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((e) => ({ ...e.status }));
  }

  /** Fixed rate from each run's start (a slow run delays the next one, never overlaps it). */
  private schedule(e: Entry, ms: number): void {
    e.timer = this.o.clock.setTimeout(() => {
      e.timer = null;
      const startedAt = this.o.clock.now();
      void this.runNow(e.job.name).finally(() => {
        if (!this.stopped) this.schedule(e, Math.max(0, startedAt + e.job.intervalMs - this.o.clock.now()));
      });
    }, ms);
  }

  private async run(e: Entry): Promise<RunOutcome> {
    if (this.stopped) return 'stopped';
    const { job } = e;
    const now = this.o.clock.now();
    try {
      if (!job.everyReplica && !(await this.leadership.isLeader())) return 'not_leader';
      const t0 = performance.now();
      await job.run({ now, fleet: this.o.fleet, logger: this.o.logger });
      // at debug: how long each run took (bench/replicas.ts reads the watch cycle's time from it)
      this.o.logger.debug({ job: job.name, ms: Math.round(performance.now() - t0) }, 'background job ran');
      if (e.streak > 0) this.o.logger.info({ job: job.name, failedRuns: e.streak }, 'background job recovered');
      e.streak = 0;
      e.status.runs += 1;
      e.status.lastRunAt = now;
      e.status.lastError = null;
      return 'ran';
    } catch (err) {
      e.streak += 1;
      e.status.failures += 1;
      e.status.lastRunAt = now;
      e.status.lastError = err instanceof Error ? err.message : String(err);
      // one error line per streak; later failures of the same streak at debug (a long outage must not flood the logs)
      if (e.streak === 1) this.o.logger.error({ err, job: job.name }, 'background job failed; it runs again at its next interval');
      else this.o.logger.debug({ job: job.name, streak: e.streak }, 'background job failed again');
      return 'failed';
    }
  }
}
