/**
 * Runway alerts (issue 11 §4): the balance ÷ the current burn, against RUNWAY_ALERT_HOURS. Pure.
 *
 * Each threshold is armed until the runway drops under it; then one alert, and the threshold is
 * fired until the runway is back at or above it (a top-up, or instances stopped), which re-arms it.
 * Several thresholds crossed in one step (a big deploy) give ONE alert naming the lowest. Nothing
 * burning means an endless runway: every threshold re-arms. The store claims each firing in the
 * transaction that puts the alert in the outbox (store/runway-alerts.ts), so a crossing alerts once
 * across restarts and replicas.
 */
import type { InstanceSpend } from './spend-facts';
import type { WorkloadType } from '../fluence/workload';

export interface RunwayDecision {
  /** Thresholds crossed now (were armed, runway under them), highest first. */
  fire: number[];
  /** Thresholds fired before whose runway is back at or above them. */
  rearm: number[];
}

/** `fired`: the thresholds currently fired (alerted, not yet re-armed). */
export function decideRunway(runwayHours: number | null, thresholds: readonly number[], fired: ReadonlySet<number>): RunwayDecision {
  const fire: number[] = [];
  const rearm: number[] = [];
  for (const t of [...thresholds].sort((a, b) => b - a)) {
    const under = runwayHours !== null && runwayHours < t;
    if (under && !fired.has(t)) fire.push(t);
    if (!under && fired.has(t)) rearm.push(t);
  }
  return { fire, rearm };
}

export interface RunwayBurner {
  id: string;
  type: WorkloadType;
  name: string;
  ownerId: string | null;
  priceCents: number;
}

/** The runway alert's data (stored in the outbox: JSON only). */
export interface RunwayAlertData {
  channel: string;
  /** The lowest threshold crossed, and all crossed in this step. */
  threshold: number;
  crossed: number[];
  balance: number;
  burnCents: number;
  runwayHours: number;
  /** Running instances whose price is unknown: the burn may be higher, the runway shorter. */
  unpriced: number;
  topBurners: RunwayBurner[];
  at: number;
}

export function topBurnersOf(perInstance: ReadonlyMap<string, number>, facts: ReadonlyArray<Pick<InstanceSpend, 'instance' | 'owner'>>, n = 3): RunwayBurner[] {
  return facts
    .filter((f) => f.instance.state === 'active' && (perInstance.get(f.instance.id) ?? 0) > 0)
    .map((f) => ({ id: f.instance.id, type: f.instance.type, name: f.instance.name, ownerId: f.owner?.userId ?? null, priceCents: perInstance.get(f.instance.id)! }))
    .sort((a, b) => b.priceCents - a.priceCents)
    .slice(0, n);
}
