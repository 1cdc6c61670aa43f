/**
 * Finding instances across the three workload types: `/gpu list` and resolving what a user typed
 * (`status <id | 8+ char id prefix | exact name>`) to one instance.
 */
import type { FluenceApi } from '../fluence/api';
import { FluenceError } from '../fluence/errors';
import type { InstanceSummary } from '../fluence/model';
import { WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';

export interface InstanceListing {
  instances: InstanceSummary[];
  /** Types whose list call failed: the rest is still shown, with a warning. */
  failed: Array<{ type: WorkloadType; error: FluenceError }>;
}

export type ResolveResult =
  | { ok: true; instance: InstanceSummary }
  | { ok: false; reason: 'not_found' | 'ambiguous' | 'too_short'; message: string; candidates?: InstanceSummary[] }
  | { ok: false; reason: 'unavailable'; message: string; error: FluenceError };

export const MIN_PREFIX = 8;

/** What the resolver reads as (the start of) an instance id: hex digits and dashes, 8 or more. */
export function looksLikeIdPrefix(s: string): boolean {
  return s.length >= MIN_PREFIX && /^[0-9a-f-]+$/i.test(s);
}

/**
 * A name that reads like an id prefix would let one instance pass for another in every
 * `/gpu <cmd> <instance>` (name "1a2b3c4d" against an instance whose id starts so): refused.
 */
export function idLikeNameProblem(name: string): string | null {
  return looksLikeIdPrefix(name)
    ? `"${name}" looks like the start of an instance id (${MIN_PREFIX} or more of 0–9, a–f and -), so it could be mistaken for another instance. Add a letter from g to z, e.g. "${name.slice(0, 40)}-box".`
    : null;
}

export class InstanceDirectory {
  constructor(private readonly fluence: FluenceApi) {}

  /** Every instance of every type, newest first. One failing type does not hide the others. */
  async listAll(): Promise<InstanceListing> {
    const results = await Promise.allSettled(WORKLOAD_TYPES.map((t) => this.fluence.listInstances(t)));
    const instances: InstanceSummary[] = [];
    const failed: InstanceListing['failed'] = [];
    results.forEach((r, i) => {
      const type = WORKLOAD_TYPES[i] as WorkloadType;
      if (r.status === 'fulfilled') instances.push(...r.value);
      else failed.push({ type, error: toFluenceError(r.reason) });
    });
    instances.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
    return { instances, failed };
  }

  /**
   * The full id, then (for something that looks like an id prefix) the ids it starts, then the exact
   * name. Ids come first because names are chosen by users: when an id prefix and someone's name
   * both match, nothing is picked, the user is shown both.
   */
  async resolve(arg: string): Promise<ResolveResult> {
    const q = arg.trim();
    const lower = q.toLowerCase();
    const listing = await this.listAll();
    const pool = listing.instances;
    const byId = pool.find((i) => i.id.toLowerCase() === lower);
    if (byId) return { ok: true, instance: byId };
    const byName = pool.filter((i) => i.name === q);
    if (looksLikeIdPrefix(q)) {
      const byPrefix = pool.filter((i) => i.id.toLowerCase().startsWith(lower));
      const namedOnly = byName.filter((i) => !byPrefix.includes(i));
      if (byPrefix.length && namedOnly.length) {
        return {
          ok: false,
          reason: 'ambiguous',
          message: `\`${q}\` is ambiguous: it is the start of an instance id and also an instance's name. Give the full id.`,
          candidates: [...byPrefix, ...namedOnly],
        };
      }
      if (byPrefix.length === 1) return { ok: true, instance: byPrefix[0]! };
      if (byPrefix.length > 1) {
        return { ok: false, reason: 'ambiguous', message: `\`${q}\` matches ${byPrefix.length} instances: give more of the id.`, candidates: byPrefix };
      }
    }
    const live = byName.filter((i) => i.state !== 'ended');
    // Names are reusable once an instance has ended: prefer the one that is not ENDED.
    if (live.length === 1) return { ok: true, instance: live[0]! };
    if (byName.length === 1) return { ok: true, instance: byName[0]! };
    if (byName.length > 1) {
      return { ok: false, reason: 'ambiguous', message: `Several instances are named \`${q}\`: use the id.`, candidates: byName };
    }
    if (/^[0-9a-f-]+$/i.test(q) && q.length < MIN_PREFIX) {
      return {
        ok: false,
        reason: 'too_short',
        message: `\`${q}\` is too short to identify an instance: give at least ${MIN_PREFIX} characters of the id, the full id, or the exact name.`,
      };
    }
    const firstFailure = listing.failed[0];
    if (firstFailure) {
      return {
        ok: false,
        reason: 'unavailable',
        message: `No instance \`${q}\` found, but the ${firstFailure.type} list could not be read from Fluence, so it may exist there.`,
        error: firstFailure.error,
      };
    }
    return { ok: false, reason: 'not_found', message: `No instance matches \`${q}\` (by id, id prefix or exact name). See \`/gpu list all\`.` };
  }
}

function toFluenceError(e: unknown): FluenceError {
  return e instanceof FluenceError ? e : new FluenceError('unavailable', e instanceof Error ? e.message : String(e));
}
