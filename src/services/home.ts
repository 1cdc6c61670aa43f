/**
 * What a user's App Home shows (issue 12 §1), gathered in one pass: the account's money figures
 * (the same ones as `/gpu balance`), the viewer's own instances with what their role lets them do
 * with each, the team (admins: every running instance with owner, channel and the channel budgets;
 * others: a count and the burn), and pending approvals for admins. No Slack here: the view
 * (slack/views/home.ts) renders it, and every button is authorised again when it is clicked.
 *
 * Fluence cost per gather: one list per workload type, shared by every section, plus at most
 * MAX_SPEND_DETAILS detail calls for the viewer's own instances (their spend) and whatever the burn
 * needs for instances not deployed through the bot (bounded there).
 */
import type { FluenceApi } from '../fluence/api';
import type { InstanceState, InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import type { Store } from '../store';
import { decide, type Role } from './access';
import type { Guard } from './guard';
import type { InstanceDirectory, InstanceListing } from './instances';
import { runwayHours } from './cost';

/** Detail calls for the spend of the viewer's instances, per gather. */
export const MAX_SPEND_DETAILS = 10;
const DETAIL_CONCURRENCY = 5;

export interface HomeInstance extends Pick<InstanceSummary, 'type' | 'id' | 'name' | 'status' | 'state' | 'gpu' | 'createdAt'> {
  /** Hourly price: recorded at deploy, else the detail's billing; null when unknown. */
  pricePerHour: number | null;
  /** billing.total_spendings; null when not read (beyond MAX_SPEND_DETAILS, or the read failed). */
  spent: number | null;
  /** The lease end; null: no lease. */
  lease: { endsAt: number | null } | null;
  /** Who deployed it through the bot, and from where; null when deployed elsewhere. */
  ownerId: string | null;
  channelId: string | null;
  /** What the viewer's role allows now (the click is checked again). */
  canTerminate: boolean;
  canExtend: boolean;
}

export interface HomeMoney {
  /** null: the balance could not be read. */
  balance: number | null;
  burnPerHour: number;
  activeCount: number;
  unpricedCount: number;
  runwayHours: number | null;
}

export interface HomeBudget {
  channelId: string;
  usdPerHour: number;
  /** What the channel's instances burn now (the budget check's own figure); null when unreadable. */
  burnPerHour: number | null;
}

export interface HomeApproval {
  id: string;
  requesterId: string;
  channelId: string;
  name: string;
  type: WorkloadType;
  pricePerHour: number;
  reasons: string[];
  expiresAt: number;
}

export type HomeTeam =
  | { kind: 'admin'; running: HomeInstance[]; budgets: HomeBudget[] }
  | { kind: 'summary'; running: number; burnPerHour: number };

export interface HomeData {
  userId: string;
  role: Role;
  sandbox: boolean;
  now: number;
  money: HomeMoney;
  /** The viewer's instances that have not ended, newest first. */
  mine: HomeInstance[];
  team: HomeTeam;
  /** Admins only; null for everyone else (the section is not shown). */
  approvals: HomeApproval[] | null;
  /** Workload types whose list could not be read (sections may be incomplete). */
  failedTypes: WorkloadType[];
}

/** The figures of `/gpu balance`: the caller passes its burn computation, fed with this gather's listing. */
export type BurnOf = (listing: InstanceListing) => Promise<{ perHour: number; active: number; unpriced: number }>;

export interface HomeDeps {
  fluence: FluenceApi;
  instances: InstanceDirectory;
  store: Store;
  guard: Guard;
  sandbox: boolean;
  now: () => number;
  burnOf: BurnOf;
  channelBurnPerHour: (channelId: string) => Promise<number>;
}

const running = (s: InstanceState) => s === 'active' || s === 'provisioning';

/**
 * Gathers the Home of `userId`. The viewer acts from the App Home, not from a channel: channel
 * grants do not apply there (the same actor the Home's buttons are authorised as).
 */
export async function gatherHome(d: HomeDeps, userId: string): Promise<HomeData> {
  const actor = { userId, channelId: userId, teamId: null };
  const role = await d.guard.roleOf(actor);
  const listing = await d.instances.listAll();
  const [balance, burn] = await Promise.all([
    d.fluence.getBalance().then((b) => b.balance).catch(() => null),
    d.burnOf(listing),
  ]);
  const now = d.now();
  const records: ReadonlyMap<string, { userId: string; channelId: string; pricePerHour: number | null }> = await d.store.deployRequests.findByInstances(
    listing.instances.filter((i) => i.state !== 'ended').map((i) => i.id),
  );
  // the Guard's own rules, decided once per instance from the role read above (not a store read each)
  const may = (action: 'terminate' | 'lease', owns: boolean) => decide(role, action, owns).allowed;
  /** `detailed`: the viewer's own rows (lease, what they may do); the Team's rows show neither. */
  const toHome = async (i: InstanceSummary, detailed: boolean): Promise<HomeInstance> => {
    const r = records.get(i.id);
    const owns = r?.userId === userId;
    const lease = detailed ? ((await d.store.leases.get(i.id)) ?? null) : null;
    return {
      type: i.type,
      id: i.id,
      name: i.name,
      status: i.status,
      state: i.state,
      gpu: i.gpu,
      createdAt: i.createdAt,
      pricePerHour: r?.pricePerHour ?? null,
      spent: null,
      lease: lease ? { endsAt: lease.endsAt } : null,
      ownerId: r?.userId ?? null,
      channelId: r?.channelId ?? null,
      canTerminate: detailed && i.state === 'active' && may('terminate', owns),
      canExtend: detailed && running(i.state) && lease !== null && lease.endsAt !== null && may('lease', owns),
    };
  };
  const live = listing.instances.filter((i) => i.state !== 'ended');
  const mine = await Promise.all(live.filter((i) => records.get(i.id)?.userId === userId).map((i) => toHome(i, true)));
  await addSpend(d.fluence, mine.slice(0, MAX_SPEND_DETAILS));

  let team: HomeTeam;
  let approvals: HomeApproval[] | null = null;
  if (role === 'admin') {
    const teamRunning = await Promise.all(live.filter((i) => running(i.state)).map((i) => toHome(i, false)));
    const budgets = await Promise.all(
      (await d.store.budgets.list()).map(async (b) => ({
        channelId: b.channelId,
        usdPerHour: b.usdPerHour,
        burnPerHour: await d.channelBurnPerHour(b.channelId).catch(() => null),
      })),
    );
    team = { kind: 'admin', running: teamRunning, budgets };
    approvals = (await d.store.approvals.listPending())
      .filter((a) => a.expiresAt > now)
      .map((a) => ({
        id: a.id,
        requesterId: a.requesterId,
        channelId: a.channelId,
        name: a.name,
        type: a.type,
        pricePerHour: a.pricePerHour,
        reasons: a.reason.split('\n').filter(Boolean),
        expiresAt: a.expiresAt,
      }));
  } else {
    team = { kind: 'summary', running: live.filter((i) => running(i.state)).length, burnPerHour: burn.perHour };
  }
  return {
    userId,
    role,
    sandbox: d.sandbox,
    now,
    money: {
      balance,
      burnPerHour: burn.perHour,
      activeCount: burn.active,
      unpricedCount: burn.unpriced,
      runwayHours: balance === null ? null : runwayHours(balance, burn.perHour),
    },
    mine,
    team,
    approvals,
    failedTypes: listing.failed.map((f) => f.type),
  };
}

/** Spend (and the price, when the bot did not record one) from each instance's detail, a few at a time. */
async function addSpend(fluence: FluenceApi, instances: HomeInstance[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < instances.length) {
      const i = instances[next++]!;
      try {
        const billing = (await fluence.getInstance(i.type, i.id)).billing;
        if (billing) {
          i.spent = billing.total_spendings;
          i.pricePerHour ??= billing.hourly_usage;
        }
      } catch {
        // spend stays unknown; the rest of the Home is still worth showing
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, instances.length) }, worker));
}
