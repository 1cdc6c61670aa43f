/**
 * What a deploy costs and how long a balance lasts, for the deploy modal's cost line and for
 * runway hints. Pure. Money is computed in integer cents (via spend.ts) so 2.96 × 3 is 8.88
 * exactly, never 8.879999.
 */
import type { PlanOffer } from '../fluence/model';

/** Money is added and compared in integer cents. */
export const cents = (amount: number) => Math.round(amount * 100);
export const usd = (c: number) => c / 100;

export interface DeployCost {
  perHour: number;
  /** Hours of rent moved to the instance at deploy (API.md §1.5: currently 3). */
  upfrontHours: number;
  /** perHour × upfrontHours, leaving the account balance the moment the deploy is accepted. */
  upfront: number;
}

export function deployCost(offer: Pick<PlanOffer, 'pricePerHour' | 'upfrontHours'>): DeployCost {
  return {
    perHour: offer.pricePerHour,
    upfrontHours: offer.upfrontHours,
    upfront: usd(Math.round(cents(offer.pricePerHour) * offer.upfrontHours)),
  };
}

/** The account balance once the upfront reserve has moved; null when the balance is unknown. */
export function balanceAfter(balance: number | null | undefined, cost: DeployCost): number | null {
  if (balance === null || balance === undefined || !Number.isFinite(balance)) return null;
  return usd(cents(balance) - cents(cost.upfront));
}

/**
 * Whole hours (rounded down to 0.1 h) the balance pays for at `burnPerHour`; null when nothing
 * burns. A negative balance lasts 0 h.
 */
export function runwayHours(balance: number, burnPerHour: number): number | null {
  const burn = cents(burnPerHour);
  if (burn <= 0) return null;
  const bal = Math.max(0, cents(balance));
  return Math.floor((bal * 10) / burn) / 10;
}

/** "45 min", "7.5 h", "3 days 4 h": a runway a human reads at a glance. */
export function formatRunway(hours: number | null): string {
  if (hours === null) return 'no spend';
  if (hours < 1) return `${Math.floor(hours * 60)} min`;
  if (hours < 48) return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
  const days = Math.floor(hours / 24);
  const rest = Math.floor(hours - days * 24);
  return rest ? `${days} days ${rest} h` : `${days} days`;
}

/** "$8.88", "-$1.00": a sign in front of the dollar, as people write it. */
export function formatUsd(amount: number): string {
  const c = cents(amount);
  return `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;
}
