/** Formatting a user reads everywhere: money, sizes, GPU labels, ids, dates, escaping. */
import {
  decodeRef, encodeRef, escapeClamp, formatHourly, formatMoney, formatSize, gpuLabel, shortId, slackDate, statusIcon,
} from '../../../src/slack/views/format';

test('money: 2 decimals, at least 3 below $0.10', () => {
  expect(formatHourly(1.22)).toBe('$1.22/h');
  expect(formatHourly(21.6)).toBe('$21.60/h');
  expect(formatMoney(0.045)).toBe('$0.045');
  expect(formatMoney(0.0012)).toBe('$0.0012');
  expect(formatMoney(0)).toBe('$0.00');
});

test('sizes and GPU labels', () => {
  expect(formatSize({ count: 512, units: 'Gi' })).toBe('512 GiB');
  expect(formatSize({ count: 2048, units: 'Gi' })).toBe('2 TiB');
  expect(formatSize({ count: 80, units: 'GB' })).toBe('80 GB');
  expect(gpuLabel({ model: 'h100', vram: '80Gi', interface: 'sxm' })).toBe('H100 80GB SXM');
  expect(gpuLabel({ model: 'rtx4090', vram: '24Gi', interface: 'pcie' })).toBe('RTX4090 24GB PCIE');
});

test('status icons, short ids, refs and dates', () => {
  expect([statusIcon('active'), statusIcon('provisioning'), statusIcon('failed'), statusIcon('ended')]).toEqual(['🟢', '🟡', '🔴', '⚫']);
  expect(shortId('b54672e2-0a8b-490f-81ee-7d5a868471fc')).toBe('b54672e2');
  expect(decodeRef(encodeRef('vm', 'a:b'))).toEqual({ type: 'vm', id: 'a:b' });
  expect(decodeRef('spaceship:1')).toBeUndefined();
  expect(decodeRef('vm:')).toBeUndefined();
  expect(slackDate('2026-02-07T15:00:00Z')).toBe('<!date^1770476400^{date_short_pretty} {time}|2026-02-07T15:00:00.000Z>');
  expect(slackDate('not a date')).toBe('not a date');
});

test('escapeClamp escapes mrkdwn and never cuts an entity or exceeds the limit', () => {
  expect(escapeClamp('a & <b>', 100)).toBe('a &amp; &lt;b&gt;');
  for (let max = 1; max < 30; max++) {
    const out = escapeClamp('&&&&&&<<<<>>>> 👍👍👍', max);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
});
