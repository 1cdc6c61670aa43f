/**
 * `/gpu spend`: the instances' own billing, per owner / channel / instance, for a window. Instances
 * the bot did not deploy are one group, "outside gpu-bot". All money in integer cents. Pure apart
 * from `buildSpendReport`, which reads through spend-facts.ts and the balance.
 */
import type { InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';
import { runwayHours, usd } from './cost';
import { gatherSpend, type InstanceSpend, type SpendDeps, type SpendFacts, type SpendOptions } from './spend-facts';
import type { SpendWindow } from './spend-window';

export type SpendGrouping = 'user' | 'channel' | 'instance';
export const SPEND_GROUPINGS: readonly SpendGrouping[] = ['user', 'channel', 'instance'];

export type SpendRowKey =
  | { kind: 'user'; userId: string }
  | { kind: 'channel'; channelId: string }
  | { kind: 'instance'; instance: InstanceSummary; owner: string | null }
  | { kind: 'outside' };

export interface SpendRow {
  key: SpendRowKey;
  cents: number;
  burnCents: number;
  instances: number;
  /** Some instance of the row could not be read: its figure is a lower bound. */
  partial: boolean;
}

export interface SpendReport {
  window: SpendWindow;
  by: SpendGrouping;
  /** Biggest first; rows with nothing spent in the window and nothing burning are left out. */
  rows: SpendRow[];
  totalCents: number;
  burnCents: number;
  /** Instances counted (ended before the window: not counted). */
  instances: number;
  running: number;
  /** Instances whose figure could not be read (Fluence error or time budget). */
  unread: number;
  unreadForTime: number;
  /** Types whose list call failed: their instances are missing altogether. */
  failedTypes: WorkloadType[];
  /** Running instances burning the most now, biggest first (at most 3). */
  topBurners: InstanceSpend[];
  balance: number | null;
  runwayHours: number | null;
  detailCalls: number;
  cacheHits: number;
  /** Every instance counted, with its figures (the digest lists the running ones). */
  facts: InstanceSpend[];
}

function keyOf(f: InstanceSpend, by: SpendGrouping): { id: string; key: SpendRowKey } {
  if (by === 'instance') return { id: f.instance.id, key: { kind: 'instance', instance: f.instance, owner: f.owner?.userId ?? null } };
  if (!f.owner) return { id: 'outside', key: { kind: 'outside' } };
  return by === 'user'
    ? { id: `u:${f.owner.userId}`, key: { kind: 'user', userId: f.owner.userId } }
    : { id: `c:${f.owner.channelId}`, key: { kind: 'channel', channelId: f.owner.channelId } };
}

export function groupSpend(facts: readonly InstanceSpend[], by: SpendGrouping): SpendRow[] {
  const rows = new Map<string, SpendRow>();
  for (const f of facts) {
    const { id, key } = keyOf(f, by);
    let row = rows.get(id);
    if (!row) rows.set(id, (row = { key, cents: 0, burnCents: 0, instances: 0, partial: false }));
    row.cents += f.windowCents ?? 0;
    row.burnCents += f.burnCents ?? 0;
    row.instances++;
    if (f.windowCents === null) row.partial = true;
  }
  return [...rows.values()]
    .filter((r) => r.cents > 0 || r.burnCents > 0 || r.partial)
    .sort((a, b) => b.cents - a.cents || b.burnCents - a.burnCents);
}

export function topBurners(facts: readonly InstanceSpend[], n = 3): InstanceSpend[] {
  return facts
    .filter((f) => (f.burnCents ?? 0) > 0)
    .sort((a, b) => (b.burnCents ?? 0) - (a.burnCents ?? 0) || (b.totalCents ?? 0) - (a.totalCents ?? 0))
    .slice(0, n);
}

export function summarize(s: SpendFacts, by: SpendGrouping, extra: { failedTypes: WorkloadType[]; balance: number | null }): SpendReport {
  const burnCents = s.facts.reduce((a, f) => a + (f.burnCents ?? 0), 0);
  return {
    window: s.window,
    by,
    rows: groupSpend(s.facts, by),
    totalCents: s.facts.reduce((a, f) => a + (f.windowCents ?? 0), 0),
    burnCents,
    instances: s.facts.length,
    running: s.facts.filter((f) => f.instance.state === 'active').length,
    unread: s.facts.filter((f) => f.windowCents === null).length,
    unreadForTime: s.facts.filter((f) => f.missing === 'time').length,
    failedTypes: extra.failedTypes,
    topBurners: topBurners(s.facts),
    balance: extra.balance,
    runwayHours: extra.balance === null ? null : runwayHours(extra.balance, usd(burnCents)),
    detailCalls: s.detailCalls,
    cacheHits: s.cacheHits,
    facts: s.facts,
  };
}

export interface ReportInputs {
  instances: readonly InstanceSummary[];
  failedTypes: WorkloadType[];
  window: SpendWindow;
  by: SpendGrouping;
  /** The account balance, or a rejection (then the report goes without it). */
  balance: Promise<number>;
}

export async function buildSpendReport(i: ReportInputs, deps: SpendDeps, opts: SpendOptions = {}): Promise<SpendReport> {
  const [facts, balance] = await Promise.all([gatherSpend(i.instances, i.window, deps, opts), i.balance.then((b) => b, () => null)]);
  return summarize(facts, i.by, { failedTypes: i.failedTypes, balance });
}
