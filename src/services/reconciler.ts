/**
 * Settles deploys whose outcome was unclear (DeployService left the claim pending: no answer, a
 * 5xx, an unreadable 2xx, a store write that failed after the 2xx, or a bot killed mid-POST).
 * Each pending claim whose POST is not running on any replica (its in-flight work claim, in the
 * store) is matched against Fluence's instance list
 * of its type: same name, created at or after the attempt (with a margin for clock skew), not
 * owned by another claim. Found: the claim is adopted (exactly once, a conditional UPDATE) and
 * `onAdopted` announces and watches it like any deploy. Not found once the grace period has
 * passed: the claim is failed and `onAbandoned` tells the user. A list that cannot be read
 * settles nothing. A deploy that succeeded but was never watched (its process died between
 * Fluence's answer and the watch being written, or the watch write failed) is announced and watched
 * then, once its announcement claim is free. Runs at start-up and as the scheduler's
 * 'deploys.reconcile' job, reading the cycle's shared instance lists; also prunes settled records.
 * A plain service: no Slack; the bot wires the callbacks to its notifier.
 */
import type { FluenceApi } from '../fluence/api';
import type { InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { DeployRequestRecord } from '../store/deploy-requests';
import { DEPLOY_IN_FLIGHT } from './deploy';

/** How long a deploy that left no trace at Fluence stays "checking" before it is called failed. */
export const RECONCILE_GRACE_MS = 10 * 60_000;
/** Fluence's created_at and our clock may disagree by this much. */
const CLOCK_SKEW_MS = 2 * 60_000;
/** Work-claim prefix of a deploy's announcement (store/work-claims.ts): posted and watched once, whichever replica does it. */
export const DEPLOY_ANNOUNCE = 'deploy-announce:';
/**
 * How long an announcement may take before another replica takes it over: the patient notifier's
 * waits (3 tries, up to 20 s each, for the post and again for a DM fallback) plus the store writes.
 */
export const ANNOUNCE_CLAIM_MS = 2 * 60_000;
/** A finished announcement's claim is kept longer than the reconciler looks back for unwatched deploys. */
export const ANNOUNCE_KEEP_MS = 2 * 24 * 60 * 60_000;
/** How far back the reconciler looks for deploys that succeeded but were never watched. */
export const UNWATCHED_LOOKBACK_MS = 24 * 60 * 60_000;
/** Failed claims and unused modal ids are forgotten after this long. */
export const SETTLED_RETENTION_MS = 7 * 24 * 60 * 60_000;

export interface ReconcilerOptions {
  store: Store;
  fluence: FluenceApi;
  /** The cycle's shared instance lists (background/fleet.ts); without it each pass lists Fluence itself. */
  fleet?: { list(type: WorkloadType): Promise<InstanceSummary[]> };
  logger: Logger;
  now: () => number;
  /** Ids Fluence returned but the store missed (DeployService, this process). */
  deploys: { knownInstances: Map<string, string> };
  /** A claim younger than this may still have its POST on the way (FLUENCE_TIMEOUT_MS plus a margin). */
  postTimeoutMs: number;
  graceMs?: number;
  retentionMs?: number;
  onAdopted(claim: DeployRequestRecord, instance: InstanceSummary | { id: string }): Promise<void>;
  onAbandoned(claim: DeployRequestRecord): Promise<void>;
  /** A deploy that succeeded but was never watched: announce and watch it (announce.ts takes its claim). */
  onUnwatched(claim: DeployRequestRecord & { instanceId: string }): Promise<void>;
}

export interface ReconcileResult {
  adopted: string[];
  /** Succeeded deploys announced and watched now because nobody had (their process died first). */
  announced: string[];
  failed: string[];
  open: string[];
  /**
   * Pending claims left alone because their POST is running (maybe on a replica that was killed):
   * the time the first of those in-flight claims lapses, when a pass can settle it; else null.
   */
  inFlightUntil: number | null;
}

export class DeployReconciler {
  private running: Promise<ReconcileResult> | null = null;

  constructor(private readonly o: ReconcilerOptions) {}

  /** One pass (a pass already running is joined, not doubled). */
  runOnce(): Promise<ReconcileResult> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves when no pass is running (shutdown waits for it before the store closes). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<ReconcileResult> {
    const result: ReconcileResult = { adopted: [], announced: [], failed: [], open: [], inFlightUntil: null };
    const now = this.o.now();
    // POSTs running now, on any replica: not ours to settle yet (their work claim expires if that
    // replica died). A claim whose instance this process was told (knownInstances) has finished its
    // POST even if the store, failing then, still shows it running.
    const inFlight = await this.o.store.workClaims.running(DEPLOY_IN_FLIGHT);
    for (const key of this.o.deploys.knownInstances.keys()) inFlight.delete(key);
    const pending = await this.o.store.deployRequests.listPending();
    const claims = pending.filter((c) => !inFlight.has(c.key));
    const lapses = pending.flatMap((c) => inFlight.get(c.key) ?? []);
    if (lapses.length) result.inFlightUntil = Math.min(...lapses);
    const lists = new Map<WorkloadType, Promise<InstanceSummary[]>>();
    const listOf = (t: WorkloadType) => {
      let l = lists.get(t);
      if (!l) {
        // a list at most one watch interval old is as good: a claim is failed only after the grace period
        l = this.o.fleet ? this.o.fleet.list(t) : this.o.fluence.listInstances(t);
        l.catch(() => undefined);
        lists.set(t, l);
      }
      return l;
    };
    for (const claim of claims) {
      try {
        const found = await this.find(claim, listOf, inFlight);
        if (found === 'unknown') {
          result.open.push(claim.key);
          continue;
        }
        if (found) {
          const adopted = await this.o.store.deployRequests.adopt(claim.key, found.id);
          this.o.deploys.knownInstances.delete(claim.key);
          if (adopted) {
            result.adopted.push(claim.key);
            this.o.logger.info({ key: claim.key, instanceId: found.id }, 'unclear deploy found at Fluence: adopted');
            await this.o.onAdopted(adopted, found);
          }
          continue;
        }
        // Not there. Before the POST could have landed, or within the grace period: keep checking.
        if (now - claim.attemptedAt < Math.max(this.o.postTimeoutMs, this.o.graceMs ?? RECONCILE_GRACE_MS)) {
          result.open.push(claim.key);
          continue;
        }
        const failed = await this.o.store.deployRequests.fail(claim.key, 'Fluence never created it (checked its instance list).');
        if (failed) {
          result.failed.push(claim.key);
          this.o.logger.info({ key: claim.key }, 'unclear deploy not found at Fluence after the grace period: failed');
          await this.o.onAbandoned(failed);
        }
      } catch (err) {
        // The store or Slack failed for this one: it stays pending and the next pass tries again.
        this.o.logger.warn({ err, key: claim.key }, 'could not settle an unclear deploy');
        result.open.push(claim.key);
      }
    }
    await this.announceUnwatched(now, result);
    try {
      const pruned = await this.o.store.deployRequests.prune(this.o.retentionMs ?? SETTLED_RETENTION_MS);
      const modals = await this.o.store.deployModals.prune(this.o.retentionMs ?? SETTLED_RETENTION_MS);
      await this.o.store.workClaims.prune();
      if (pruned || modals) this.o.logger.debug({ pruned, modals }, 'pruned settled deploy records');
    } catch (err) {
      this.o.logger.warn({ err }, 'pruning deploy records failed');
    }
    return result;
  }

  /**
   * Deploys recorded as succeeded but never watched. The live path takes the announcement claim
   * moments after Fluence answers, so only deploys settled longer ago than a POST may take are
   * looked at, and one whose claim is held (running elsewhere, or done) is left alone.
   */
  private async announceUnwatched(now: number, result: ReconcileResult): Promise<void> {
    let due: DeployRequestRecord[];
    try {
      due = await this.o.store.deployRequests.listUnwatched(now - UNWATCHED_LOOKBACK_MS, now - this.o.postTimeoutMs);
    } catch (err) {
      this.o.logger.warn({ err }, 'could not look for deploys that were never watched');
      return;
    }
    for (const claim of due) {
      const instanceId = claim.instanceId;
      if (!instanceId) continue;
      try {
        if (await this.o.store.workClaims.state(DEPLOY_ANNOUNCE + claim.key)) continue;
        this.o.logger.info({ key: claim.key, instanceId }, 'deploy succeeded but was never watched: announcing it now');
        await this.o.onUnwatched({ ...claim, instanceId });
        result.announced.push(claim.key);
      } catch (err) {
        this.o.logger.warn({ err, key: claim.key }, 'could not announce a deploy that was never watched');
      }
    }
  }

  /** The instance this claim created, null if Fluence has none, 'unknown' if its list could not be read. */
  private async find(
    claim: DeployRequestRecord,
    listOf: (t: WorkloadType) => Promise<InstanceSummary[]>,
    inFlight: ReadonlyMap<string, number>,
  ): Promise<InstanceSummary | { id: string } | null | 'unknown'> {
    const known = this.o.deploys.knownInstances.get(claim.key);
    if (known) return { id: known };
    // A deploy of the same name running now may be about to record the very instance a name match
    // would find: wait for it to settle rather than take its instance.
    for (const key of inFlight.keys()) {
      const other = await this.o.store.deployRequests.get(key);
      if (other && other.name === claim.name && other.type === claim.type) return 'unknown';
    }
    let list: InstanceSummary[];
    try {
      list = await listOf(claim.type);
    } catch (err) {
      this.o.logger.warn({ err, type: claim.type }, 'could not list instances to settle an unclear deploy');
      return 'unknown';
    }
    const since = claim.attemptedAt - CLOCK_SKEW_MS;
    // Fluence told another claim this id (its store write failed): that claim adopts it by id, so a
    // name match here would hand one instance to two claims.
    const reportedToOthers = new Set([...this.o.deploys.knownInstances].filter(([key]) => key !== claim.key).map(([, id]) => id));
    const named = list.filter((i) => i.name === claim.name && createdMs(i) >= since && !reportedToOthers.has(i.id));
    // an instance another claim already holds is not this one's
    const held = await Promise.all(named.map((i) => this.o.store.deployRequests.findByInstance(i.id)));
    const candidates = named.filter((_, n) => !held[n]).sort((a, b) => createdMs(a) - createdMs(b));
    return candidates[0] ?? null;
  }
}

function createdMs(i: InstanceSummary): number {
  const t = Date.parse(i.createdAt);
  // An unreadable created_at cannot prove the instance is older than the claim: keep it a candidate.
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}
