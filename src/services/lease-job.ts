/**
 * The lease job (issue 11 §2), one run per scheduler tick: reminders LEASE_REMINDER_MIN before a
 * lease's end, and at the end the channel's on-expiry (remind: a notice repeated every
 * LEASE_NAG_HOURS while it runs; terminate: the instance is terminated by lease policy).
 *
 * - Reads the tick's fleet snapshot (the watcher's list calls), never a list call of its own; a
 *   detail call only for a lease about to get a message (its spend) and before a termination.
 * - Exactly once: each step is claimed with a conditional UPDATE naming the lease end it was
 *   decided for, in the same transaction as its notice's outbox claim (store/lease-steps.ts). A
 *   restart, a second tick or an extension in between claims nothing twice.
 * - on-expiry=terminate re-reads the lease and the instance at action time: only an instance still
 *   ACTIVE whose lease still ends at the claimed, passed end is terminated (the check and the mark
 *   'deleting' are one UPDATE). A restart after the DELETE finds it ENDED and still reports it.
 * No Slack here: notices are data, src/slack renders them at delivery.
 */
import type { FluenceApi } from '../fluence/api';
import { isFluenceError } from '../fluence/errors';
import type { InstanceDetail, InstanceSummary } from '../fluence/model';
import { WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import type { AuditEntryInput } from '../store/audit';
import type { DeployRequestStore } from '../store/deploy-requests';
import type { DueLease, LeaseStepStore, TerminatingLease } from '../store/lease-steps';
import type { WatchStore } from '../store/watches';
import type { LeaseService } from './leases';
import type { Trx } from '../store/engine';
import type { LeaseNotice, LeaseNoticeBase, LeaseNoticeTarget } from './lease-notices';
import { decideLeases, type FleetInstance, type FleetView, type LeaseStep } from './lease-steps';

/** Who the audit names for what the lease policy did. */
export const LEASE_POLICY_ACTOR = 'lease policy';

/** The outbox's in-transaction claim (store/outbox.ts `enqueueIn`). */
export interface LeaseOutbox {
  enqueueIn(trx: Trx, entries: ReadonlyArray<{ key: string; notice: LeaseNotice }>, now: number): Promise<string[]>;
}

export interface LeaseJobOptions {
  steps: LeaseStepStore;
  deployRequests: Pick<DeployRequestStore, 'findByInstance'>;
  watches: Pick<WatchStore, 'get'>;
  outbox: LeaseOutbox;
  leases: Pick<LeaseService, 'policyFor' | 'policiesFor'>;
  fluence: Pick<FluenceApi, 'getInstance' | 'terminateInstance'>;
  audit: (entry: AuditEntryInput) => Promise<void>;
  /** LEASE_REMINDER_MIN and LEASE_NAG_HOURS in ms. */
  reminderMs: number;
  nagMs: number;
  logger: Logger;
  /** Parallel detail calls (default 4). */
  detailConcurrency?: number;
}

/** The part of the scheduler's JobContext this job reads. */
export interface LeaseTick {
  now: number;
  fleet: { list(type: WorkloadType): Promise<InstanceSummary[]> };
}

export interface LeaseRunReport {
  claimed: Array<{ instanceId: string; step: LeaseStep['step'] | 'terminated' }>;
  terminated: string[];
  skipped: string[];
  detailCalls: number;
}

export class LeaseJob {
  constructor(private readonly o: LeaseJobOptions) {}

  async run(tick: LeaseTick): Promise<LeaseRunReport> {
    const { now } = tick;
    const report: LeaseRunReport = { claimed: [], terminated: [], skipped: [], detailCalls: 0 };
    const due = await this.o.steps.due(now, now + this.o.reminderMs);
    const terminating = await this.o.steps.terminating();
    if (due.length === 0 && terminating.length === 0) return report;
    const fleet = await this.fleetFor(due, tick);
    const policies = await this.o.leases.policiesFor(due.map((l) => l.channelId ?? ''));
    const steps = decideLeases(now, due, fleet, (channelId) => policies.get(channelId ?? '')!, { reminderMs: this.o.reminderMs });
    await pool(steps, this.o.detailConcurrency ?? 4, (s) => this.claim(s, now, report));
    // claimed now or before a restart: each is re-checked at action time
    for (const t of await this.o.steps.terminating()) await this.terminate(t, now, report);
    return report;
  }

  /** The snapshot's instances of the types these leases need; a type whose list failed is left out (nothing decided on it). */
  private async fleetFor(due: readonly DueLease[], tick: LeaseTick): Promise<FleetView> {
    const types = new Set<WorkloadType>(due.some((l) => l.type === null) ? WORKLOAD_TYPES : due.map((l) => l.type!));
    const instances = new Map<string, FleetInstance>();
    const listed = new Set<WorkloadType>();
    await Promise.all(
      [...types].map(async (type) => {
        try {
          for (const i of await tick.fleet.list(type)) instances.set(i.id, i);
          listed.add(type);
        } catch (err) {
          this.o.logger.warn({ type, kind: isFluenceError(err) ? err.kind : 'unexpected' }, 'lease job: no instance list for this type; its leases wait for the next tick');
        }
      }),
    );
    return { instances, listed };
  }

  private async claim(s: LeaseStep<DueLease>, now: number, report: LeaseRunReport): Promise<void> {
    const { steps } = this.o;
    const id = s.lease.instanceId;
    const end = s.lease.endsAt;
    if (s.step === 'settle') {
      if (s.unlisted && !(await this.gone(s.lease, report))) return; // deployed after the tick's list was taken: decided next tick
      await steps.settle(id, end, now);
      return;
    }
    if (s.step === 'expire' && s.onExpiry === 'terminate') {
      // the action itself runs below, re-checked at that moment
      if (await steps.claimExpiry(id, end, now, { onExpiry: 'terminate', nextNagAt: 0 }, async () => undefined)) report.claimed.push({ instanceId: id, step: 'expire' });
      return;
    }
    const detail = await this.detail(s.instance.type, id, report);
    if (detail && (detail.state === 'ended' || detail.state === 'failed')) {
      await steps.settle(id, end, now);
      return;
    }
    const base = await this.base(s.lease, s.instance, detail, now);
    const enqueue = (key: string, notice: LeaseNotice) => (trx: Trx) => this.o.outbox.enqueueIn(trx, [{ key, notice }], now);
    let claimed = false;
    if (s.step === 'remind') {
      const { maxLeaseMs } = await this.o.leases.policyFor(s.lease.channelId ?? '');
      const maxEndsAt = maxLeaseMs === null ? null : Math.min(base.createdAt, now) + maxLeaseMs;
      claimed = await steps.claimReminder(id, end, now, enqueue(`lease:${id}:${end}:reminder`, { ...base, kind: 'lease.reminder', maxEndsAt }));
    } else if (s.step === 'expire') {
      const nextAt = now + this.o.nagMs;
      claimed = await steps.claimExpiry(id, end, now, { onExpiry: 'remind', nextNagAt: nextAt }, enqueue(`lease:${id}:${end}:expired:0`, { ...base, kind: 'lease.expired', repeat: 0, nextAt }));
    } else {
      const nextAt = now + this.o.nagMs;
      const repeat = s.lease.nags + 1;
      claimed = await steps.claimNag(id, end, s.lease.nextNagAt, nextAt, enqueue(`lease:${id}:${end}:expired:${repeat}`, { ...base, kind: 'lease.expired', repeat, nextAt }));
    }
    if (claimed) report.claimed.push({ instanceId: id, step: s.step });
  }

  private async terminate(t: TerminatingLease, now: number, report: LeaseRunReport): Promise<void> {
    const { steps, logger } = this.o;
    const skip = async (why: string) => {
      await steps.finishTerminate(t.instanceId, t.terminateEnd, 'skipped');
      report.skipped.push(t.instanceId);
      logger.info({ instanceId: t.instanceId, why }, 'lease policy: not terminated');
    };
    // the lease first: an extension since the claim means nothing is terminated (no Fluence call)
    if (t.endsAt !== t.terminateEnd || t.endsAt > now) return skip('the lease was extended');
    const type = t.type ?? (await this.o.deployRequests.findByInstance(t.instanceId))?.type;
    if (!type) return skip('unknown workload type');
    const before = await this.detail(type, t.instanceId, report);
    if (!before) return; // unreadable now: the claim stays, the next tick tries again
    if (before.state !== 'active') {
      // 'deleting': our DELETE went out before a restart and Fluence has ended it since: report it
      if (t.state === 'deleting' && before.state === 'ended') return this.finishTerminated(t, before, before, now, report);
      return skip(`it is ${before.status}`);
    }
    if (!(await steps.startDeleting(t.instanceId, t.terminateEnd, now))) return skip('the lease changed at the last moment');
    const audit: AuditEntryInput = {
      actorId: LEASE_POLICY_ACTOR,
      channelId: t.channelId ?? '',
      action: 'terminate',
      instanceId: t.instanceId,
      instanceName: before.name,
      type,
      pricePerHour: before.billing?.hourly_usage ?? null,
      outcome: 'ok',
      detail: `terminated by lease policy: the lease ended ${new Date(t.terminateEnd).toISOString()} and the channel's on-expiry is terminate`,
    };
    try {
      await this.o.fluence.terminateInstance(type, t.instanceId);
    } catch (err) {
      // stays 'deleting': the next tick re-reads it (ENDED: reported; still ACTIVE and expired: tried again)
      await this.o.audit({ ...audit, outcome: 'error', detail: `terminate by lease policy failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}` });
      logger.warn({ instanceId: t.instanceId, kind: isFluenceError(err) ? err.kind : 'unexpected' }, 'lease policy: terminate failed; trying again next tick');
      return;
    }
    await this.o.audit(audit);
    const after = await this.detail(type, t.instanceId, report);
    await this.finishTerminated(t, before, after, now, report);
  }

  private async finishTerminated(t: TerminatingLease, before: InstanceDetail, after: InstanceDetail | null, now: number, report: LeaseRunReport): Promise<void> {
    const instance: FleetInstance = { id: before.id, type: before.type, name: before.name, state: before.state, createdAt: before.createdAt };
    const base = await this.base({ instanceId: t.instanceId, ownerId: t.ownerId, channelId: t.channelId, endsAt: t.terminateEnd }, instance, before, now);
    const notice: LeaseNotice = { ...base, kind: 'lease.terminated', finalSpent: after?.billing?.total_spendings ?? null };
    const key = `lease:${t.instanceId}:${t.terminateEnd}:terminated`;
    if (await this.o.steps.finishTerminate(t.instanceId, t.terminateEnd, 'done', (trx) => this.o.outbox.enqueueIn(trx, [{ key, notice }], now))) {
      report.terminated.push(t.instanceId);
      report.claimed.push({ instanceId: t.instanceId, step: 'terminated' });
    }
  }

  /**
   * Is the instance of a lease missing from the tick's lists really gone? The lists may be a whole
   * interval old, and a lease starts right after its deploy's POST: settling on absence alone would
   * take a fresh deploy's lease out of every queue (no reminder, no expiry, ever). One detail call.
   */
  private async gone(lease: DueLease, report: LeaseRunReport): Promise<boolean> {
    const type = lease.type ?? (await this.o.deployRequests.findByInstance(lease.instanceId))?.type;
    if (!type) return true; // in none of the three lists, and nothing to ask Fluence about
    report.detailCalls += 1;
    try {
      const d = await this.o.fluence.getInstance(type, lease.instanceId);
      return d.state === 'ended' || d.state === 'failed';
    } catch (err) {
      return isFluenceError(err) && err.kind === 'not_found';
    }
  }

  private async detail(type: WorkloadType, id: string, report: LeaseRunReport): Promise<InstanceDetail | null> {
    report.detailCalls += 1;
    try {
      return await this.o.fluence.getInstance(type, id);
    } catch (err) {
      this.o.logger.warn({ instanceId: id, kind: isFluenceError(err) ? err.kind : 'unexpected' }, 'lease job: instance detail unreadable');
      return null;
    }
  }

  private async base(
    lease: { instanceId: string; ownerId: string | null; channelId: string | null; endsAt: number },
    instance: FleetInstance,
    detail: InstanceDetail | null,
    now: number,
  ): Promise<LeaseNoticeBase> {
    const deployed = await this.o.deployRequests.findByInstance(lease.instanceId);
    const watch = await this.o.watches.get(lease.instanceId);
    const created = Date.parse(instance.createdAt);
    return {
      instanceId: lease.instanceId,
      type: instance.type,
      name: detail?.name ?? instance.name,
      to: this.target(lease, deployed, watch),
      ownerId: lease.ownerId,
      endsAt: lease.endsAt,
      createdAt: Number.isFinite(created) ? created : now,
      decidedAt: now,
      spent: detail?.billing?.total_spendings ?? null,
      pricePerHour: detail?.billing?.hourly_usage || deployed?.pricePerHour || watch?.pricePerHour || null,
    };
  }

  /** The deploy thread (the bot's deploy, else the `/gpu watch` message), else the top of the lease's channel. */
  private target(
    lease: { ownerId: string | null; channelId: string | null },
    deployed: Awaited<ReturnType<DeployRequestStore['findByInstance']>>,
    watch: Awaited<ReturnType<WatchStore['get']>>,
  ): LeaseNoticeTarget {
    const requesterId = lease.ownerId ?? deployed?.userId ?? watch?.requesterId ?? '';
    if (deployed?.threadChannelId && deployed.threadTs) {
      return { teamId: deployed.teamId, channelId: deployed.threadChannelId, messageTs: deployed.threadTs, requesterId };
    }
    if (watch?.messageTs) return { teamId: watch.teamId, channelId: watch.channelId, messageTs: watch.messageTs, requesterId };
    return { teamId: deployed?.teamId ?? null, channelId: lease.channelId ?? deployed?.channelId ?? requesterId, messageTs: '', requesterId };
  }
}

/** Runs `fn` over `items`, at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}
