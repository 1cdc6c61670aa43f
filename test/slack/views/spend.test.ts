import { checkMessage } from '../../../src/standin/block-kit-limits';
import type { InstanceSummary } from '../../../src/fluence/model';
import type { SpendReport, SpendRow } from '../../../src/services/spend-report';
import { spendWindow } from '../../../src/services/spend-window';
import { bar, dollars, renderSpendReport, spendLines } from '../../../src/slack/views/spend';

const NOW = Date.parse('2026-02-07T09:15:00Z');

function inst(name: string): InstanceSummary {
  return {
    type: 'container', id: `${name}-id`, name, status: 'ACTIVE', state: 'active',
    gpu: { vendor: 'nvidia', model: 'a100', vram: '80Gi', interface: 'sxm', count: 1 }, vcpu: 1,
    memory: { count: 1, units: 'Gi' }, storage: { count: 1, units: 'Gi' }, location: 'US', domain: null,
    createdAt: '2026-02-07T00:00:00Z', updatedAt: '2026-02-07T00:00:00Z',
  };
}

function report(rows: SpendRow[], extra: Partial<SpendReport> = {}): SpendReport {
  return {
    window: spendWindow('7d', NOW, 'UTC'), by: 'user', rows,
    totalCents: rows.reduce((a, r) => a + r.cents, 0), burnCents: rows.reduce((a, r) => a + r.burnCents, 0),
    instances: rows.length, running: rows.length, unread: 0, unreadForTime: 0, failedTypes: [], topBurners: [],
    balance: 100, runwayHours: 10, detailCalls: 0, cacheHits: 0, facts: [], ...extra,
  };
}

test('bars are proportional in eighths of a cell and never empty for money spent', () => {
  expect(bar(100, 100, 4)).toBe('████');
  expect(bar(50, 100, 4)).toBe('██  ');
  expect(bar(1, 1000, 4)).toBe('▏   ');
  expect(bar(0, 100, 4)).toBe('    ');
  expect(dollars(123456789)).toBe('$1,234,567.89');
  expect(dollars(5)).toBe('$0.05');
});

test('rows line up: amount, bar and share share one width; partial amounts say ≥', () => {
  const lines = spendLines(
    [
      { key: { kind: 'user', userId: 'UA' }, cents: 123456, burnCents: 296, instances: 2, partial: false },
      { key: { kind: 'outside' }, cents: 999, burnCents: 0, instances: 1, partial: true },
    ],
    124455,
  );
  const codes = lines.map((l) => /^`([^`]*)`/.exec(l)![1]!);
  expect(new Set(codes.map((c) => [...c].length)).size).toBe(1);
  expect(lines[0]).toMatch(/^`\$1,234\.56 █{12}  99%` <@UA> · 2 instances · burning \$2\.96\/h$/);
  expect(lines[1]).toMatch(/^` {3}≥\$9\.99 ▏ {11}   1%` _outside gpu-bot_/);
});

test('a thousand rows stay one valid Slack message: the biggest shown, the rest summed in a "more" line', () => {
  const rows: SpendRow[] = Array.from({ length: 1000 }, (_, k) => ({
    key: { kind: 'instance', instance: inst(`very-long-instance-name-${'x'.repeat(60)}-${k}`), owner: k % 2 ? 'UA' : null },
    cents: 100000 - k,
    burnCents: 296,
    instances: 1,
    partial: k % 7 === 0,
  }));
  const view = renderSpendReport(report(rows, { by: 'instance', unread: 143, unreadForTime: 100, failedTypes: ['vm'] }), true);
  expect(checkMessage(view)).toBeUndefined();
  const text = JSON.stringify(view.blocks);
  expect(text).toMatch(/…and 975 more instances/);
  expect(text).toMatch(/Partial:\* the billing of 143 instances could not be read \(100 not reached/);
  expect(text).toMatch(/VMs list could not be read/);
  expect(text).toMatch(/Sandbox/);
});

test('nothing spent and nothing running says so', () => {
  const view = renderSpendReport(report([]), false);
  expect(JSON.stringify(view.blocks)).toMatch(/Nothing was spent the last 7 days, and nothing is running/);
});
