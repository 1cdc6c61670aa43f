import { HOUR_MS } from '../../../src/duration';
import type { DigestData, DigestInstance } from '../../../src/services/digest';
import { MAX_DIGEST_INSTANCES } from '../../../src/services/digest';
import { ACTION } from '../../../src/slack/ids';
import { renderDigest } from '../../../src/slack/views/digest';
import { renderRunwayAlert } from '../../../src/slack/views/runway';
import { checkMessage } from '../../../src/standin/block-kit-limits';

const NOW = Date.parse('2026-02-07T09:00:30Z');

function inst(k: number, owner: string | null): DigestInstance {
  return { id: `00000000-0000-0000-0000-${String(k).padStart(12, '0')}`, type: 'container', name: `box-<${k}>`, ownerId: owner, createdAt: NOW - 5 * HOUR_MS, leaseEndsAt: NOW + 2 * HOUR_MS, priceCents: 296, spentCents: 1776 };
}

function digest(o: Partial<DigestData> = {}): DigestData {
  return {
    date: '2026-02-07', dueAt: Date.parse('2026-02-07T09:00:00Z'), lateByMs: null, asOf: NOW, tz: 'UTC',
    instances: [inst(1, 'UA'), inst(2, 'UA'), inst(3, null)], more: 0, running: 3, yesterdayCents: 12345, yesterdayPartial: false,
    balance: 500, burnCents: 888, runwayHours: 56.3, failedTypes: [], ...o,
  };
}

test('by owner, each instance with uptime, lease, price, spend and a Terminate button behind a confirmation', () => {
  const v = renderDigest(digest(), false);
  expect(checkMessage(v)).toBeUndefined();
  const text = JSON.stringify(v.blocks);
  expect(text).toMatch(/\*3 running\*, burning \*\$8\.88\/h\* · balance \*\$500\.00\*, runway \*2 days 8 h\*/);
  expect(text).toMatch(/Yesterday's spend: \*\$123\.45\*/);
  expect(text).toContain('*<@UA>*\\n`box-&lt;1&gt;` container · up 5h · lease ends <!date^');
  expect(text).toContain('· $2.96/h · spent $17.76');
  expect(text).toContain('*Outside gpu-bot*');
  const buttons = v.blocks.flatMap((b: any) => (b.accessory ? [b.accessory] : []));
  expect(buttons).toHaveLength(3);
  expect(buttons[0]).toMatchObject({ action_id: ACTION.terminateInPlace, value: `container:${inst(1, 'UA').id}`, confirm: { title: { text: 'Terminate this instance?' } } });
  expect(text).not.toMatch(/Sent late/);
});

test('a late digest says so; a big fleet stays one valid message', () => {
  const many = Array.from({ length: MAX_DIGEST_INSTANCES }, (_, k) => inst(k, `U${k % 7}`));
  const v = renderDigest(digest({ lateByMs: 2 * HOUR_MS + 15 * 60_000, instances: many, more: 960, running: 1000, failedTypes: ['vm'], yesterdayPartial: true }), true);
  expect(checkMessage(v)).toBeUndefined();
  expect(v.blocks.length).toBeLessThanOrEqual(50);
  const text = JSON.stringify(v.blocks);
  expect(text).toMatch(/Sent late: this digest was due <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-02-07T09:00:00.000Z> and I was not running then \(2h15m late\)/);
  expect(text).toMatch(/…and 960 more running/);
  expect(text).toMatch(/VMs list could not be read/);
  expect(text).toMatch(/Yesterday's spend: \*≥\$123\.45\*/);
});

test('the runway alert names the threshold, the figures and who burns most', () => {
  const v = renderRunwayAlert(
    { channel: 'CALERT', threshold: 1, crossed: [6, 1], balance: 2.5, burnCents: 350, runwayHours: 0.7, unpriced: 1, at: NOW,
      topBurners: [{ id: 'a', type: 'vm', name: 'big', ownerId: 'UB', priceCents: 210 }, { id: 'b', type: 'container', name: 'small', ownerId: null, priceCents: 140 }] },
    false,
  );
  expect(checkMessage(v)).toBeUndefined();
  const text = JSON.stringify(v.blocks);
  expect(text).toMatch(/🚨 \*Runway under 1 h\* \(crossed 6 h, 1 h at once\): the balance of \*\$2\.50\* lasts about \*42 min\* at the current burn of \*\$3\.50\/h\*/);
  expect(text).toMatch(/`big` VM · \$2\.10\/h · <@UB>/);
  expect(text).toMatch(/`small` container · \$1\.40\/h · outside gpu-bot/);
  expect(text).toMatch(/1 running instance\(s\) could not be priced/);
});
