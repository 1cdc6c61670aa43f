/** The cost line a user reads before paying: exact cents, never float drift. */
import fc from 'fast-check';
import { balanceAfter, deployCost, formatRunway, formatUsd, runwayHours } from '../../src/services/cost';

test('2.96/h × 3 h upfront is 8.88 exactly, and leaves 991.12 of 1000', () => {
  const cost = deployCost({ pricePerHour: 2.96, upfrontHours: 3 });
  expect(cost).toEqual({ perHour: 2.96, upfrontHours: 3, upfront: 8.88 });
  expect(balanceAfter(1000, cost)).toBe(991.12);
  expect(formatUsd(cost.upfront)).toBe('$8.88');
});

test('an unknown balance stays unknown; a short balance goes negative', () => {
  const cost = deployCost({ pricePerHour: 1.07, upfrontHours: 3 });
  expect(balanceAfter(null, cost)).toBeNull();
  expect(balanceAfter(undefined, cost)).toBeNull();
  expect(balanceAfter(3, cost)).toBe(-0.21);
  expect(formatUsd(-0.21)).toBe('-$0.21');
});

test('upfront is price × hours in whole cents for any price', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_00 }), fc.integer({ min: 0, max: 24 }), (priceCents, hours) => {
      const { upfront } = deployCost({ pricePerHour: priceCents / 100, upfrontHours: hours });
      expect(formatUsd(upfront)).toBe(`$${((priceCents * hours) / 100).toFixed(2)}`);
      expect(Math.round(upfront * 100)).toBe(priceCents * hours);
    }),
  );
});

test('runway: hours the balance pays for, rounded down', () => {
  expect(runwayHours(100, 2.96)).toBe(33.7);
  expect(runwayHours(8.88, 2.96)).toBe(3);
  expect(runwayHours(-5, 1)).toBe(0);
  expect(runwayHours(100, 0)).toBeNull();
  expect(formatRunway(0.5)).toBe('30 min');
  expect(formatRunway(33.7)).toBe('33.7 h');
  expect(formatRunway(100)).toBe('4 days 4 h');
  expect(formatRunway(null)).toBe('no spend');
});
