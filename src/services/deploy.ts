/**
 * Deploying costs money, so this is the one path every deploy takes, whether it comes from the
 * modal or from an approved request:
 *   authorise -> price it (balance, per-instance limit, channel budget) -> claim the request key
 *   (a double submit or a Slack retry finds the claim and deploys nothing) -> POST once -> record.
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
import type { Role } from './access';
import type { Actor, Guard } from './guard';
import type { PlanCatalog } from './plans';
import { checkSpend } from './spend';

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
}

export type DeployOutcome =
  | { kind: 'deployed'; instanceId: string; balanceAfter: number | null }
  | { kind: 'duplicate'; state: 'pending' | 'succeeded'; instanceId?: string }
  | { kind: 'refused'; reason: string; needs: Role; admins: string[] }
  | { kind: 'unaffordable'; reason: string }
  | { kind: 'needs_approval'; reasons: string[] }
  | { kind: 'failed'; error: FluenceError };

export interface DeployServiceOptions {
  fluence: FluenceApi;
  store: Store;
  guard: Guard;
  redactor: SecretRedactor;
  logger: Logger;
  plans: PlanCatalog;
  maxHourlyUsd: number | null;
}

export class DeployService {
  constructor(private readonly o: DeployServiceOptions) {}

  async deploy(input: DeployInput): Promise<DeployOutcome> {
    const { actor, offer, type, request } = input;
    this.o.redactor.add(...input.secrets);

    const auth = this.o.guard.authorize(actor, 'deploy');
    if (!auth.allowed) {
      this.audit(input, 'refused', auth.reason);
      return { kind: 'refused', reason: auth.reason ?? 'Not allowed.', needs: auth.needs, admins: auth.admins };
    }

    const existing = this.o.store.deployRequests.get(input.requestKey);
    if (existing && existing.state !== 'failed') {
      return { kind: 'duplicate', state: existing.state, ...(existing.instanceId ? { instanceId: existing.instanceId } : {}) };
    }

    // The channel's burn costs up to three Fluence list calls inside the submission's 3 s window:
    // only pay for it when a budget applies.
    const channelBudget = input.approvedBy ? null : (this.o.store.budgets.get(actor.channelId)?.usdPerHour ?? null);
    const [balance, channelBurn] = await Promise.all([
      this.balance(),
      channelBudget === null ? Promise.resolve(0) : this.channelBurnPerHour(actor.channelId),
    ]);
    const verdict = checkSpend({
      pricePerHour: offer.pricePerHour,
      upfrontHours: offer.upfrontHours,
      maxHourlyUsd: input.approvedBy ? null : this.o.maxHourlyUsd,
      channelBudget,
      channelBurnPerHour: channelBurn,
      balance,
    });
    if (verdict.kind === 'unaffordable') {
      this.audit(input, 'refused', verdict.reason);
      return { kind: 'unaffordable', reason: verdict.reason };
    }
    if (verdict.kind === 'needs_approval') return { kind: 'needs_approval', reasons: verdict.reasons };

    const claim = this.o.store.deployRequests.begin(input.requestKey, {
      teamId: actor.teamId ?? null,
      channelId: actor.channelId,
      userId: actor.userId,
      type,
      planId: offer.planId,
      name: request.name,
      pricePerHour: offer.pricePerHour,
    });
    if (!claim.started) {
      const e = claim.existing;
      return { kind: 'duplicate', state: e.state === 'succeeded' ? 'succeeded' : 'pending', ...(e.instanceId ? { instanceId: e.instanceId } : {}) };
    }

    try {
      const { instanceId } = await this.o.fluence.createInstance(type, request);
      this.o.store.deployRequests.succeed(input.requestKey, instanceId);
      this.audit(input, 'ok', input.approvedBy ? `approved by <@${input.approvedBy}>` : undefined, instanceId);
      return { kind: 'deployed', instanceId, balanceAfter: verdict.balanceAfter };
    } catch (err) {
      const error = err instanceof FluenceError ? err : new FluenceError('unavailable', String(err));
      // A timed-out POST may have gone through: keep the claim pending so a retry cannot double-deploy.
      if (!error.details.maybeApplied) this.o.store.deployRequests.fail(input.requestKey, this.o.redactor.mask(error.message));
      this.audit(input, 'error', error.message);
      this.o.logger.warn({ kind: error.kind, status: error.details.status }, 'deploy failed');
      return { kind: 'failed', error };
    }
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

  /** Hourly price of the channel's live instances deployed through the bot (what budgets apply to). */
  async channelBurnPerHour(channelId: string): Promise<number> {
    const mine = this.o.store.deployRequests.listByChannel(channelId, ['succeeded']);
    if (mine.length === 0) return 0;
    const live = new Set<string>();
    const types = [...new Set(mine.map((r) => r.type))];
    const lists = await Promise.allSettled(types.map((t) => this.o.fluence.listInstances(t)));
    for (const l of lists) {
      if (l.status === 'fulfilled') for (const i of l.value) if (i.state === 'active' || i.state === 'provisioning') live.add(i.id);
    }
    // A list that failed: count its instances as live (err on the side of the budget).
    const failedTypes = new Set(types.filter((_, i) => lists[i]?.status === 'rejected'));
    return mine
      .filter((r) => (r.instanceId && live.has(r.instanceId)) || failedTypes.has(r.type))
      .reduce((sum, r) => sum + (r.pricePerHour ?? 0), 0);
  }

  /** The audit row of a deploy (also written by the approval flow when a request is filed). */
  audit(input: DeployInput, outcome: 'ok' | 'error' | 'refused' | 'pending', detail?: string, instanceId?: string): void {
    this.o.guard.audit({
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
  }
}
