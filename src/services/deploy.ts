/**
 * Deploying costs money, so this is the one path every deploy takes, whether it comes from the
 * modal or from an approved request:
 *   authorise -> price it (balance, per-instance limit) -> check the channel budget AND claim the
 *   request key in one write transaction (a double submit or a Slack retry finds the claim; a
 *   racing submission sees this one's price) -> POST once -> record.
 * The truth rule: once the POST may have left the process, only a parsed 2xx (deployed) or a
 * definite 4xx (failed) settles the claim here. Anything else (timeout, 5xx, a 2xx we cannot
 * read, a store write that fails after the 2xx) is "maybe applied": the claim stays pending, so it
 * can never be used for a second POST, and the DeployReconciler settles it against Fluence's lists.
 * No Slack and no HTTP in here: the caller renders the outcome.
 */
import type { FluenceApi } from '../fluence/api';
import { FluenceError } from '../fluence/errors';
import type { PlanOffer } from '../fluence/model';
import type { CreateContainerRequest, CreateVmRequest } from '../fluence/schemas';
import type { WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import type { SecretRedactor } from '../secrets';
import type { Store } from '../store';
import type { DeployRequestRecord } from '../store/deploy-requests';
import type { Role } from './access';
import type { Actor, Guard } from './guard';
import type { PlanCatalog } from './plans';
import { checkSpend, type SpendVerdict } from './spend';

export interface DeployInput {
  /** Unique per modal (private_metadata.requestId): the idempotency key. */
  requestKey: string;
  actor: Actor & { teamId?: string | null };
  type: WorkloadType;
  offer: PlanOffer;
  request: CreateContainerRequest | CreateVmRequest;
  /** Values the user typed that must never leave the bot (env values, registry password). */
  secrets: string[];
  /** Set when an admin approved this deploy: limits were already weighed by a human. */
  approvedBy?: string;
  /** "H100 80GB ×1 · 16 vCPU", kept with the claim so a deploy adopted later is announced the same way. */
  planLabel?: string;
}

export type DeployOutcome =
  | { kind: 'deployed'; instanceId: string; balanceAfter: number | null }
  | { kind: 'duplicate'; state: 'pending' | 'succeeded'; instanceId?: string }
  | { kind: 'refused'; reason: string; needs: Role; admins: string[] }
  | { kind: 'unaffordable'; reason: string }
  /** Another deploy of this name and type is still unsettled (running, or being checked): not sent. */
  | { kind: 'name_pending'; name: string }
  | { kind: 'needs_approval'; reasons: string[] }
  /** Provably not applied: Fluence said no (4xx), or the request never left the process. */
  | { kind: 'failed'; error: FluenceError }
  /**
   * The POST may have gone through (no answer, 5xx, an unreadable 2xx), or it did (`instanceId`)
   * but the store could not record it. The claim stays pending; the reconciler settles it.
   */
  | { kind: 'maybe_applied'; instanceId?: string; error?: FluenceError }
  /** The claim could not be written (store busy or down): nothing was sent. */
  | { kind: 'not_recorded' };

export interface DeployServiceOptions {
  fluence: FluenceApi;
  store: Store;
  guard: Guard;
  redactor: SecretRedactor;
  logger: Logger;
  plans: PlanCatalog;
  maxHourlyUsd: number | null;
  /** The store's clock (claim times are compared with it). */
  now?: () => number;
  /** How long a POST may be on its way (the reconciler's too): the TTL of a deploy's in-flight claim. */
  postTimeoutMs: number;
}

/** Work-claim prefix of a deploy whose POST is running (store/work-claims.ts): the reconciler leaves those alone. */
export const DEPLOY_IN_FLIGHT = 'deploy:';

/** What Fluence's lists said about the channel's deployed instances, read before the claim. */
interface LiveSnapshot {
  takenAt: number;
  live: Set<string>;
  /** Types whose list could not be read: their instances count as live. */
  unknownTypes: Set<WorkloadType>;
}

/**
 * A failure that proves the POST was not applied: Fluence's definite 4xx answers, our own
 * validation before sending, and a connection that was never made (refused, DNS). Everything else
 * after the request may have left (timeouts, resets, 5xx, 2xx garbage) may have been applied.
 */
export function provablyNotApplied(error: FluenceError): boolean {
  const status = error.details.status;
  if (status !== undefined) return status >= 400 && status < 500 && status !== 408;
  if (error.details.maybeApplied) return false;
  // No status: our own validation ("Not sent to Fluence") or a connection refused / unresolved.
  return error.kind === 'validation' || error.kind === 'unavailable';
}

export class DeployService {
  /**
   * Instances Fluence reported for claims the store could not record yet: the reconciler adopts by id.
   * In memory on purpose (the store just failed); another replica's reconciler matches by name instead.
   */
  readonly knownInstances = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly o: DeployServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  async deploy(input: DeployInput): Promise<DeployOutcome> {
    const { actor, offer, type, request } = input;
    this.o.redactor.add(...input.secrets);

    const auth = await this.o.guard.authorize(actor, 'deploy');
    if (!auth.allowed) {
      await this.audit(input, 'refused', auth.reason);
      return { kind: 'refused', reason: auth.reason ?? 'Not allowed.', needs: auth.needs, admins: auth.admins };
    }

    const existing = await this.o.store.deployRequests.get(input.requestKey);
    if (existing && existing.state !== 'failed') return duplicateOf(existing);

    // The channel's burn needs Fluence's lists (slow, async): read them first, then weigh them with
    // the claims table inside the claim's transaction, where no other submission can interleave.
    const channelBudget = input.approvedBy ? null : ((await this.o.store.budgets.get(actor.channelId))?.usdPerHour ?? null);
    const [balance, snapshot] = await Promise.all([
      this.balance(),
      channelBudget === null ? Promise.resolve(null) : this.liveSnapshot(actor.channelId),
    ]);
    const price = (burn: number): SpendVerdict =>
      checkSpend({
        pricePerHour: offer.pricePerHour,
        upfrontHours: offer.upfrontHours,
        maxHourlyUsd: input.approvedBy ? null : this.o.maxHourlyUsd,
        channelBudget,
        channelBurnPerHour: burn,
        balance,
      });

    // In flight until the outcome is recorded, seen by every replica: a second submission anywhere
    // is a duplicate, and no reconciler adopts the instance this POST is about to record.
    const inFlight = await this.o.store.workClaims.claim(DEPLOY_IN_FLIGHT + input.requestKey, this.o.postTimeoutMs).catch((err: unknown) => {
      this.o.logger.warn({ err }, 'could not claim the deploy request; nothing was sent');
      return null;
    });
    if (inFlight === null) return { kind: 'not_recorded' };
    if (!inFlight) return { kind: 'duplicate', state: 'pending' };
    try {
      let verdict: SpendVerdict = price(0);
      let claim;
      try {
        claim = await this.o.store.deployRequests.beginChecked(
          input.requestKey,
          {
            teamId: actor.teamId ?? null,
            channelId: actor.channelId,
            userId: actor.userId,
            type,
            planId: offer.planId,
            name: request.name,
            pricePerHour: offer.pricePerHour,
            planLabel: input.planLabel ?? null,
          },
          async (open, sameNamePending): Promise<SpendVerdict | { kind: 'name_pending' } | null> => {
            if (await sameNamePending()) return { kind: 'name_pending' };
            verdict = price(snapshot ? burnOf(await open(), snapshot) : 0);
            return verdict.kind === 'ok' ? null : verdict;
          },
        );
      } catch (err) {
        this.o.logger.warn({ err }, 'could not claim the deploy request; nothing was sent');
        return { kind: 'not_recorded' };
      }
      if (!claim.started) {
        if ('existing' in claim) return duplicateOf(claim.existing);
        const v = claim.vetoed;
        if (v.kind === 'name_pending') {
          await this.audit(input, 'refused', 'a deploy of the same name is not settled yet');
          return { kind: 'name_pending', name: request.name };
        }
        if (v.kind === 'unaffordable') {
          await this.audit(input, 'refused', v.reason);
          return { kind: 'unaffordable', reason: v.reason };
        }
        return { kind: 'needs_approval', reasons: v.kind === 'needs_approval' ? v.reasons : [] };
      }
      const balanceAfter = verdict.kind === 'ok' ? verdict.balanceAfter : null;
      return await this.post(input, balanceAfter);
    } finally {
      await this.o.store.workClaims.release(inFlight).catch((err: unknown) => this.o.logger.warn({ err }, 'could not release a deploy in-flight claim (it expires by itself)'));
    }
  }

  private async post(input: DeployInput, balanceAfter: number | null): Promise<DeployOutcome> {
    let instanceId: string;
    try {
      ({ instanceId } = await this.o.fluence.createInstance(input.type, input.request));
    } catch (err) {
      const error = err instanceof FluenceError ? err : new FluenceError('unavailable', String(err), { maybeApplied: true });
      this.o.logger.warn({ kind: error.kind, status: error.details.status }, 'deploy POST did not succeed');
      if (provablyNotApplied(error)) {
        try {
          await this.o.store.deployRequests.fail(input.requestKey, this.o.redactor.mask(error.message));
        } catch (storeErr) {
          // Still pending: the reconciler finds no instance and fails it after its grace period.
          this.o.logger.warn({ err: storeErr }, 'could not record a failed deploy');
        }
        await this.audit(input, 'error', error.message);
        return { kind: 'failed', error };
      }
      await this.audit(input, 'pending', `may have gone through (${error.message}); checking`);
      return { kind: 'maybe_applied', error };
    }
    try {
      await this.o.store.deployRequests.succeed(input.requestKey, instanceId);
    } catch (err) {
      // Fluence deployed it; only our record is missing. The claim stays pending (never re-usable
      // for a second POST) and the reconciler adopts this exact instance once the store is back.
      this.knownInstances.set(input.requestKey, instanceId);
      this.o.logger.warn({ err, instanceId }, 'deploy went through but could not be recorded yet');
      await this.audit(input, 'pending', 'deployed, not yet recorded', instanceId);
      return { kind: 'maybe_applied', instanceId };
    }
    await this.audit(input, 'ok', input.approvedBy ? `approved by <@${input.approvedBy}>` : undefined, instanceId);
    return { kind: 'deployed', instanceId, balanceAfter };
  }

  private async balance(): Promise<number | null> {
    try {
      return (await this.o.fluence.getBalance()).balance;
    } catch (err) {
      // The API is the final judge ("Insufficient balance"); an unreadable balance must not block deploys.
      this.o.logger.warn({ err }, 'balance unavailable; deploying without the local affordability check');
      return null;
    }
  }

  private async liveSnapshot(channelId: string): Promise<LiveSnapshot> {
    const takenAt = this.now();
    const mine = await this.o.store.deployRequests.listByChannel(channelId, ['succeeded']);
    const types = [...new Set(mine.map((r) => r.type))];
    const lists = await Promise.allSettled(types.map((t) => this.o.fluence.listInstances(t)));
    const live = new Set<string>();
    const unknownTypes = new Set<WorkloadType>();
    lists.forEach((l, i) => {
      if (l.status === 'rejected') unknownTypes.add(types[i]!);
      else for (const x of l.value) if (x.state === 'active' || x.state === 'provisioning') live.add(x.id);
    });
    return { takenAt, live, unknownTypes };
  }

  /** Hourly price of the channel's live and still-unsettled deploys through the bot (what budgets apply to). */
  async channelBurnPerHour(channelId: string): Promise<number> {
    const snapshot = await this.liveSnapshot(channelId);
    const open = await this.o.store.deployRequests.listByChannel(channelId, ['pending', 'succeeded']);
    return burnOf(open, snapshot);
  }

  /** The audit row of a deploy (also written by the approval flow when a request is filed). Never rejects. */
  async audit(input: DeployInput, outcome: 'ok' | 'error' | 'refused' | 'pending', detail?: string, instanceId?: string): Promise<void> {
    try {
      await this.o.guard.audit({
        actorId: input.actor.userId,
        channelId: input.actor.channelId,
        action: 'deploy',
        type: input.type,
        instanceName: input.request.name,
        pricePerHour: input.offer.pricePerHour,
        outcome,
        ...(instanceId ? { instanceId } : {}),
        ...(detail ? { detail } : {}),
      });
    } catch (err) {
      // The audit must not turn an outcome into an exception (the deploy happened or not regardless).
      this.o.logger.warn({ err }, 'could not write the deploy audit row');
    }
  }
}

function duplicateOf(r: DeployRequestRecord): DeployOutcome {
  return { kind: 'duplicate', state: r.state === 'succeeded' ? 'succeeded' : 'pending', ...(r.instanceId ? { instanceId: r.instanceId } : {}) };
}

/**
 * What the channel burns: every unsettled claim at its price, and every deployed one unless the
 * snapshot proves it is gone. A claim that succeeded after the snapshot was taken counts too
 * (the lists could not show it yet).
 */
function burnOf(open: DeployRequestRecord[], s: LiveSnapshot): number {
  return open
    .filter(
      (r) =>
        r.state === 'pending' ||
        (r.state === 'succeeded' &&
          (s.unknownTypes.has(r.type) || (r.instanceId !== null && s.live.has(r.instanceId)) || r.updatedAt >= s.takenAt)),
    )
    .reduce((sum, r) => sum + (r.pricePerHour ?? 0), 0);
}
