/** `/gpu plans` as a user reads it: order, Deploy buttons, paging inside 50 blocks, filters, empties. */
import type { PlanOffer } from '../../../src/fluence/model';
import { decodePlansQuery } from '../../../src/slack/command';
import { ACTION } from '../../../src/slack/ids';
import { renderPlanList } from '../../../src/slack/views/plans';
import { assertBlockKitLimits } from '../../support/blockkit';
import { containerOffers, vmOffers } from './fixtures';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sections = (blocks: unknown[]) => (blocks as Any[]).filter((b) => b.type === 'section');
const buttons = (blocks: unknown[], actionId: string): Any[] =>
  (blocks as Any[]).flatMap((b) => [b.accessory, ...(b.elements ?? [])]).filter((e) => e?.action_id === actionId);

function synthetic(n: number): PlanOffer[] {
  const base = containerOffers()[0]!;
  return Array.from({ length: n }, (_, i) => ({ ...base, planId: `plan-${i}`, pricePerHour: 1 + i / 100 }));
}

test('container plans render in the given order, one line each, with Deploy buttons carrying type:planId', () => {
  const offers = containerOffers();
  const v = renderPlanList({ type: 'container', offers, filters: {}, page: 1, totalBeforeFilters: offers.length, sandbox: false });
  assertBlockKitLimits(v.blocks);
  const deploy = buttons(v.blocks, ACTION.deployPlan);
  expect(deploy.map((b) => b.value)).toEqual(offers.slice(0, 10).map((o) => `container:${o.planId}`));
  const first = offers[0]!;
  const line = sections(v.blocks)[0]!.text.text as string;
  expect(line).toContain(`*${first.gpu.model.toUpperCase()}`);
  expect(line).toContain(`× ${first.gpu.count}*`);
  expect(line).toContain(`$${first.pricePerHour.toFixed(2)}/h`);
  expect(v).toMatchSnapshot();
});

test('VM plans also show provider, location and OS image count', () => {
  const offers = vmOffers();
  const v = renderPlanList({ type: 'vm', offers, filters: {}, page: 1, totalBeforeFilters: offers.length, sandbox: true });
  assertBlockKitLimits(v.blocks);
  const o = offers[0]!;
  const line = sections(v.blocks)[0]!.text.text as string;
  expect(line).toContain(o.provider!);
  expect(line).toContain(o.locations[0]!);
  expect(line).toMatch(/\d+ OS images?/);
  expect(buttons(v.blocks, ACTION.deployPlan)[0]!.value).toBe(`vm:${o.planId}`);
  expect(JSON.stringify(v.blocks)).toContain('🧪 Sandbox');
  expect(v).toMatchSnapshot();
});

test('500 offers: within 50 blocks, "showing 11–20 of 500", Prev and Next encode the query', () => {
  const offers = synthetic(500);
  const filters = { gpu: 'h100', maxPrice: 3 };
  const v = renderPlanList({ type: 'container', offers, filters, page: 2, totalBeforeFilters: 734, sandbox: false });
  assertBlockKitLimits(v.blocks);
  const text = JSON.stringify(v.blocks);
  expect(text).toContain('Showing 11–20 of 500 (734 before filters)');
  expect(text).toContain('Filters: gpu=h100 · max $3.00/h');
  const [next] = buttons(v.blocks, ACTION.plansPage).filter((b) => b.text.text.startsWith('Next'));
  const [prev] = buttons(v.blocks, ACTION.plansPage).filter((b) => b.text.text.includes('Prev'));
  expect(decodePlansQuery(next!.value)).toEqual({ kind: 'plans', type: 'container', filters, page: 3 });
  expect(decodePlansQuery(prev!.value)).toEqual({ kind: 'plans', type: 'container', filters, page: 1 });
  expect(buttons(v.blocks, ACTION.deployPlan)[0]!.value).toBe('container:plan-10');
});

test('the largest page size still fits, and the last page has no Next', () => {
  const offers = synthetic(500);
  const big = renderPlanList({ type: 'container', offers, filters: {}, page: 1, pageSize: 1000, totalBeforeFilters: 500, sandbox: true });
  assertBlockKitLimits(big.blocks);
  expect(buttons(big.blocks, ACTION.plansPage).some((b) => b.text.text.startsWith('Next'))).toBe(true);
  const last = renderPlanList({ type: 'container', offers, filters: {}, page: 999, totalBeforeFilters: 500, sandbox: false });
  expect(JSON.stringify(last.blocks)).toContain('Showing 491–500 of 500');
  expect(buttons(last.blocks, ACTION.plansPage).map((b) => b.text.text)).toEqual(['← Prev']);
});

test('an empty result shows the reason the caller computed, and no Deploy buttons', () => {
  const reason = 'No H200 plans in location FI; H200 is offered in US.';
  const v = renderPlanList({
    type: 'container', offers: [], filters: { gpu: 'h200', location: 'FI' }, page: 1, totalBeforeFilters: 12, emptyReason: reason, sandbox: false,
  });
  assertBlockKitLimits(v.blocks);
  expect(JSON.stringify(v.blocks)).toContain(reason);
  expect(JSON.stringify(v.blocks)).toContain('Filters: gpu=h200 · location=FI');
  expect(buttons(v.blocks, ACTION.deployPlan)).toHaveLength(0);
  expect(v).toMatchSnapshot();
});

test('hostile filter text is escaped and cannot break out', () => {
  const v = renderPlanList({ type: 'container', offers: [], filters: { location: '<!channel>' }, page: 1, totalBeforeFilters: 0, sandbox: false });
  expect(JSON.stringify(v)).not.toContain('<!channel>');
});
