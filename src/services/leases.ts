/**
 * Lease rules (issue 11 §1): the policy that applies to a channel, the choices a deploy form
 * offers, whether a requested lease needs an admin, and starting the lease of a fresh deploy. No
 * Slack and no HTTP: handlers authorise through the Guard and render; this decides.
 *
 * `max-lease` bounds how long an instance may run in total without an admin: a lease may end at
 * most `max-lease` after the instance was created. "Until I terminate it" is a lease without end,
 * so it too needs an admin wherever a maximum is set.
 */
import { DAY_MS, HOUR_MS, WEEK_MS, describeDuration, formatDuration, parseDuration } from '../duration';
import type { WorkloadType } from '../fluence/workload';
import type { Lease, LeaseStore } from '../store/leases';
import type { ChannelPolicy, OnExpiry, PolicyStore } from '../store/policies';

/** The menu of the deploy form, before the channel's maximum removes what it does not allow. */
export const LEASE_PRESETS_MS: readonly number[] = [2 * HOUR_MS, 8 * HOUR_MS, 24 * HOUR_MS, 3 * DAY_MS, WEEK_MS];

/** What applies in a channel: its policy merged over the bot's defaults. */
export interface EffectivePolicy {
  channelId: string;
  leaseMs: number;
  maxLeaseMs: number | null;
  onExpiry: OnExpiry;
  /** false: the channel has no policy of its own (the defaults apply). */
  custom: boolean;
}

export interface LeaseChoice {
  /** null: until terminated. */
  ms: number | null;
  /** Menu words: "8 hours (default)", "Until I terminate it". */
  label: string;
  /** Option value: `8h` or `off` (parseLeaseChoice reads it back). */
  value: string;
}

export interface LeaseChoices {
  options: LeaseChoice[];
  initial: LeaseChoice;
  policy: EffectivePolicy;
}

export const UNTIL_TERMINATED = 'off';

/** A lease request is `off` (until terminated) or a duration already parsed to ms. */
export type LeaseRequest = number | null;

export type LeaseCheck =
  | { ok: true; endsAt: number | null }
  | { ok: false; needsAdmin: true; reason: string; endsAt: number | null };

export interface LeaseServiceOptions {
  leases: LeaseStore;
  policies: PolicyStore;
  /** DEFAULT_LEASE_HOURS in ms. */
  defaultLeaseMs: number;
  now: () => number;
}

export class LeaseService {
  constructor(private readonly o: LeaseServiceOptions) {}

  get defaultLeaseMs(): number {
    return this.o.defaultLeaseMs;
  }

  async policyFor(channelId: string): Promise<EffectivePolicy> {
    return effectivePolicy(channelId, await this.o.policies.get(channelId), this.o.defaultLeaseMs);
  }

  /** The policies of several channels at once (a job deciding many leases), by channel id. */
  async policiesFor(channelIds: Iterable<string>): Promise<Map<string, EffectivePolicy>> {
    const ids = [...new Set(channelIds)];
    const policies = await Promise.all(ids.map((id) => this.policyFor(id)));
    return new Map(ids.map((id, i) => [id, policies[i]!]));
  }

  /** The deploy form's menu for a deploy from `channelId`. */
  async choices(channelId: string): Promise<LeaseChoices> {
    return leaseChoices(await this.policyFor(channelId));
  }

  /**
   * May a lease of `requested` (from now) be set without an admin, for an instance created at
   * `createdAt`, under the policy of `channelId`?
   */
  async check(channelId: string, requested: LeaseRequest, createdAt: number): Promise<LeaseCheck> {
    return checkLease(await this.policyFor(channelId), requested, createdAt, this.o.now());
  }

  /**
   * The lease of a fresh deploy, started when the instance exists (after the POST, an approval, or
   * the reconciler finding an unclear deploy): the one picked in its form, else the channel's
   * default. A second announcement of the same instance keeps the first lease.
   */
  async startForDeploy(d: { requestKey: string; instanceId: string; type: WorkloadType; ownerId: string; channelId: string }): Promise<Lease> {
    const picked = await this.o.leases.choiceFor(d.requestKey);
    const ms = picked ? picked.leaseMs : (await this.policyFor(d.channelId)).leaseMs;
    const endsAt = ms === null ? null : this.o.now() + ms;
    return (await this.o.leases.start({ instanceId: d.instanceId, type: d.type, ownerId: d.ownerId, channelId: d.channelId, endsAt, by: d.ownerId })).lease;
  }
}

export function effectivePolicy(channelId: string, p: ChannelPolicy | undefined, defaultLeaseMs: number): EffectivePolicy {
  const maxLeaseMs = p?.maxLeaseMs ?? null;
  let leaseMs = p?.leaseMs ?? defaultLeaseMs;
  // a default above the channel's maximum would offer what the channel forbids
  if (maxLeaseMs !== null && leaseMs > maxLeaseMs) leaseMs = maxLeaseMs;
  return { channelId, leaseMs, maxLeaseMs, onExpiry: p?.onExpiry ?? 'remind', custom: p !== undefined };
}

export function leaseChoices(policy: EffectivePolicy): LeaseChoices {
  const allowed = (ms: number) => policy.maxLeaseMs === null || ms <= policy.maxLeaseMs;
  const durations = [...new Set([...LEASE_PRESETS_MS.filter(allowed), policy.leaseMs])].sort((a, b) => a - b);
  const options: LeaseChoice[] = durations.map((ms) => ({
    ms,
    value: formatDuration(ms),
    label: `${describeDuration(ms)}${ms === policy.leaseMs ? ' (default)' : ''}`,
  }));
  if (policy.maxLeaseMs === null) options.push({ ms: null, value: UNTIL_TERMINATED, label: 'Until I terminate it' });
  return { options, initial: options.find((o) => o.ms === policy.leaseMs)!, policy };
}

/**
 * The lease picked in a deploy form: an option value (`8h`, `off`) -> ms or null (until
 * terminated). undefined when the form had no lease field (the channel's default applies).
 */
export function parseLeaseChoice(value: string | undefined): { ok: true; ms: number | null } | { ok: false; error: string } | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === UNTIL_TERMINATED) return { ok: true, ms: null };
  const r = parseDuration(value);
  return r.ok ? { ok: true, ms: r.ms } : { ok: false, error: 'Pick a lease from the list.' };
}

export function checkLease(policy: EffectivePolicy, requested: LeaseRequest, createdAt: number, now: number): LeaseCheck {
  const endsAt = requested === null ? null : now + requested;
  const max = policy.maxLeaseMs;
  if (max === null) return { ok: true, endsAt };
  const where = `<#${policy.channelId}>`;
  if (endsAt === null) {
    return { ok: false, needsAdmin: true, endsAt, reason: `Leases in ${where} are at most ${formatDuration(max)}: only an admin can let an instance run until it is terminated.` };
  }
  const start = Number.isFinite(createdAt) ? Math.min(createdAt, now) : now;
  if (endsAt - start > max) {
    return {
      ok: false,
      needsAdmin: true,
      endsAt,
      reason: `Leases in ${where} are at most ${formatDuration(max)} from the deploy; this one would make it ${formatDuration(endsAt - start)}. Only an admin can go past the maximum.`,
    };
  }
  return { ok: true, endsAt };
}

/** A policy is coherent when its default lease fits under its maximum. */
export function policyProblem(p: { leaseMs: number | null; maxLeaseMs: number | null }, defaultLeaseMs: number): string | undefined {
  if (p.maxLeaseMs === null) return undefined;
  const lease = p.leaseMs ?? defaultLeaseMs;
  if (lease > p.maxLeaseMs) {
    return `The default lease (${formatDuration(lease)}${p.leaseMs === null ? ', the bot\'s DEFAULT_LEASE_HOURS' : ''}) would be longer than max-lease (${formatDuration(p.maxLeaseMs)}): set lease= to ${formatDuration(p.maxLeaseMs)} or less too.`;
  }
  return undefined;
}
