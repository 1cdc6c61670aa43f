/**
 * What a deploy may cost before a human must approve it, and whether the balance can pay for it
 * at all. Pure: figures in, verdict out; all money in integer cents so 2.96 × 3 is 8.88 exactly.
 */
import { cents, deployCost, formatUsd as money, usd } from './cost';

export { cents, runwayHours, usd } from './cost';

export interface SpendInputs {
  pricePerHour: number;
  upfrontHours: number;
  /** MAX_HOURLY_USD: no single deploy above this hourly price without approval. */
  maxHourlyUsd?: number | null;
  /** The channel's budget (USD/h) and what its active instances already burn. */
  channelBudget?: number | null;
  channelBurnPerHour?: number;
  /** Account balance; null when it could not be read. */
  balance?: number | null;
}

export type SpendVerdict =
  | { kind: 'ok'; upfront: number; balanceAfter: number | null }
  | { kind: 'needs_approval'; reasons: string[]; upfront: number; balanceAfter: number | null }
  | { kind: 'unaffordable'; reason: string; upfront: number; balance: number };


export function upfrontCost(pricePerHour: number, upfrontHours: number): number {
  return deployCost({ pricePerHour, upfrontHours }).upfront;
}

export function checkSpend(i: SpendInputs): SpendVerdict {
  const upfront = upfrontCost(i.pricePerHour, i.upfrontHours);
  const balance = i.balance ?? null;
  if (balance !== null && cents(balance) < cents(upfront)) {
    return {
      kind: 'unaffordable',
      upfront,
      balance,
      reason: `This deploy reserves ${money(upfront)} upfront (${i.upfrontHours} h × ${money(i.pricePerHour)}/h) but the balance is ${money(balance)}. Top up at least ${money(usd(cents(upfront) - cents(balance)))} first.`,
    };
  }
  const balanceAfter = balance === null ? null : usd(cents(balance) - cents(upfront));
  const reasons: string[] = [];
  if (i.maxHourlyUsd != null && cents(i.pricePerHour) > cents(i.maxHourlyUsd)) {
    reasons.push(`${money(i.pricePerHour)}/h is above the limit of ${money(i.maxHourlyUsd)}/h per instance (MAX_HOURLY_USD).`);
  }
  if (i.channelBudget != null) {
    const after = cents(i.channelBurnPerHour ?? 0) + cents(i.pricePerHour);
    if (after > cents(i.channelBudget)) {
      reasons.push(
        `This channel's instances would burn ${money(usd(after))}/h, above its budget of ${money(i.channelBudget)}/h (now ${money(i.channelBurnPerHour ?? 0)}/h).`,
      );
    }
  }
  return reasons.length ? { kind: 'needs_approval', reasons, upfront, balanceAfter } : { kind: 'ok', upfront, balanceAfter };
}
