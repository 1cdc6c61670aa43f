/**
 * What the lease job should do this tick (issue 11 §2), decided from plain data: the leases due for
 * a step, the tick's fleet snapshot (the watcher's list calls, shared: no Fluence call here) and
 * the channel policies. Pure and total; the job (lease-job.ts) claims each step in the store in one
 * transaction with its notice, so a step decided twice (two ticks, a restart) is acted on once.
 *
 * Steps of one lease end (`endsAt`): a reminder LEASE_REMINDER_MIN before it, then at the end
 * either the expiry notice (on-expiry=remind, repeated every LEASE_NAG_HOURS while it runs) or the
 * termination (on-expiry=terminate). A new end (an extension) is a new lease for every step: the
 * store clears the markers with the end, and every claim names the end it was decided for.
 */
import type { InstanceState } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { EffectivePolicy } from './leases';

/** The lease fields the steps depend on. */
export interface LeaseState {
  instanceId: string;
  type: WorkloadType | null;
  ownerId: string | null;
  channelId: string | null;
  endsAt: number | null;
  remindedAt: number | null;
  expiredAt: number | null;
  /** on-expiry=remind: when the next repeat is due (null: none planned). */
  nextNagAt: number | null;
}

/** One instance as the tick's list calls saw it. */
export interface FleetInstance {
  id: string;
  type: WorkloadType;
  name: string;
  state: InstanceState;
  createdAt: string;
}

/** The tick's fleet: instances by id, and which workload types were listed (a failed list call decides nothing). */
export interface FleetView {
  instances: ReadonlyMap<string, FleetInstance>;
  listed: ReadonlySet<WorkloadType>;
}

/** Each step carries the lease it was decided on (the caller's own type, with the end known). */
export type LeaseStep<L extends LeaseState = LeaseState> =
  /** Reminder before the end, with Extend / Terminate buttons. */
  | { step: 'remind'; lease: L & { endsAt: number }; instance: FleetInstance }
  /** The end has come: on-expiry=remind tells the thread and the channel; terminate ends it. */
  | { step: 'expire'; lease: L & { endsAt: number }; instance: FleetInstance; onExpiry: 'remind' | 'terminate' }
  /** on-expiry=remind, still running `nagMs` after the last notice: say it again. */
  | { step: 'nag'; lease: L & { endsAt: number; nextNagAt: number }; instance: FleetInstance }
  /**
   * The instance has ended (or is gone): nothing to say, its markers are set so it leaves the queue.
   * `unlisted`: it is in none of the tick's lists, which may be a whole interval old (a deploy made
   * since is not in them yet): the job settles it only once Fluence says it is gone.
   */
  | { step: 'settle'; lease: L & { endsAt: number }; unlisted?: true };

export interface LeaseTiming {
  /** LEASE_REMINDER_MIN in ms. */
  reminderMs: number;
}

/** Which types the job must have listed to decide about these leases (a lease of unknown type needs all). */
export function typeListed(lease: Pick<LeaseState, 'type'>, fleet: FleetView): boolean {
  return lease.type === null ? fleet.listed.size === 3 : fleet.listed.has(lease.type);
}

export function decideLeases<L extends LeaseState>(
  now: number,
  leases: readonly L[],
  fleet: FleetView,
  policyOf: (channelId: string | null) => Pick<EffectivePolicy, 'onExpiry'>,
  timing: LeaseTiming,
): LeaseStep<L>[] {
  const steps: LeaseStep<L>[] = [];
  for (const l of leases) {
    if (l.endsAt === null) continue; // until terminated: nothing to remind of
    const lease = { ...l, endsAt: l.endsAt };
    if (!typeListed(l, fleet)) continue; // not seen this tick: decide next time, never on a guess
    const instance = fleet.instances.get(l.instanceId);
    if (!instance || instance.state === 'ended' || instance.state === 'failed') {
      // nothing runs: no reminder, no expiry (its end may come later; settled now it never shows again)
      if (l.remindedAt === null || l.expiredAt === null) steps.push(instance ? { step: 'settle', lease } : { step: 'settle', lease, unlisted: true });
      continue;
    }
    if (now >= lease.endsAt) {
      if (l.expiredAt === null) {
        const onExpiry = policyOf(l.channelId).onExpiry;
        // Fluence terminates ACTIVE instances only: a still-provisioning one is ended once it is ACTIVE
        if (onExpiry === 'terminate' && instance.state !== 'active') continue;
        steps.push({ step: 'expire', lease, instance, onExpiry });
      } else if (l.nextNagAt !== null && now >= l.nextNagAt) {
        steps.push({ step: 'nag', lease: { ...lease, nextNagAt: l.nextNagAt }, instance });
      }
      continue;
    }
    if (l.remindedAt === null && lease.endsAt - now <= timing.reminderMs) steps.push({ step: 'remind', lease, instance });
  }
  return steps;
}
