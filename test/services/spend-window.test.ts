import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/duration';
import { centsInWindow, chargeCount, chargesInWindow, spendWindow, yesterdayWindow } from '../../src/services/spend-window';
import { latestLocalTime, localDate, startOfLocalDay, startOfLocalMonth, zonedInstant } from '../../src/services/zoned-time';

const at = (iso: string) => Date.parse(iso);

describe('zoned time', () => {
  test('local midnight, month start and a local time in UTC and in a zone with DST', () => {
    const t = at('2026-03-29T10:30:00Z'); // Berlin switched to CEST (UTC+2) at 01:00 UTC that day
    expect(new Date(startOfLocalDay(t, 'UTC')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(startOfLocalDay(t, 'Europe/Berlin')).toISOString()).toBe('2026-03-28T23:00:00.000Z'); // 00:00 CET
    expect(new Date(startOfLocalMonth(t, 'Europe/Berlin')).toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect(new Date(zonedInstant(2026, 3, 29, 9, 0, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T07:00:00.000Z'); // 09:00 CEST
    expect(new Date(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // skipped: after the jump
    expect(new Date(zonedInstant(2026, 2, 7, 9, 0, 'America/New_York')).toISOString()).toBe('2026-02-07T14:00:00.000Z');
    expect(localDate(at('2026-02-07T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-02-08');
  });

  test('the latest 09:00 at or before now: today once it has passed, else yesterday', () => {
    const nine = { hour: 9, minute: 0 };
    expect(new Date(latestLocalTime(at('2026-02-07T09:00:00Z'), nine, 'UTC')).toISOString()).toBe('2026-02-07T09:00:00.000Z');
    expect(new Date(latestLocalTime(at('2026-02-07T08:59:00Z'), nine, 'UTC')).toISOString()).toBe('2026-02-06T09:00:00.000Z');
  });
});

describe('spend inside a window, from a total', () => {
  const created = at('2026-02-06T10:30:00Z');

  test('an instance is charged at deploy and at every UTC hour start, as the simulator and Fluence bill', () => {
    expect(chargeCount(created, created)).toBe(1);
    expect(chargeCount(created, at('2026-02-06T10:59:59Z'))).toBe(1);
    expect(chargeCount(created, at('2026-02-06T11:00:00Z'))).toBe(2);
    expect(chargeCount(created, at('2026-02-07T09:15:00Z'))).toBe(24);
  });

  test('today = the hours charged since midnight; the whole life is exactly the total', () => {
    const now = at('2026-02-07T09:15:00Z');
    const today = spendWindow('today', now, 'UTC');
    // 24 charges of $2.96: 14 yesterday (10:30 … 23:00), 10 today (00:00 … 09:00)
    expect(chargesInWindow(created, now, today.from, today.to)).toBe(10);
    expect(centsInWindow(24 * 296, created, now, today)).toBe(10 * 296);
    const y = yesterdayWindow(now, 'UTC');
    expect(centsInWindow(24 * 296, created, now, y)).toBe(14 * 296);
    expect(centsInWindow(24 * 296, created, now, spendWindow('7d', now, 'UTC'))).toBe(24 * 296);
    expect(centsInWindow(24 * 296, created, now, spendWindow('month', now, 'UTC'))).toBe(24 * 296);
  });

  test('the parts of adjacent windows add up to the total, whatever the boundaries', () => {
    const end = created + 3 * DAY_MS + 17 * MINUTE_MS;
    const total = 123_457;
    for (const cut of [created - HOUR_MS, created, created + 1, at('2026-02-07T00:00:00Z'), at('2026-02-08T13:20:00Z'), end, end + 1]) {
      const before = centsInWindow(total, created, end, { from: 0, to: cut });
      const after = centsInWindow(total, created, end, { from: cut, to: Infinity });
      expect(Math.abs(before + after - total)).toBeLessThanOrEqual(1);
    }
  });

  test('an instance that ended before the window has nothing in it', () => {
    const end = at('2026-02-06T12:10:00Z');
    expect(centsInWindow(888, created, end, { from: at('2026-02-07T00:00:00Z'), to: Infinity })).toBe(0);
  });

  test('month and today follow DIGEST_TZ', () => {
    const now = at('2026-02-01T03:00:00Z'); // still January 31 in New York
    expect(new Date(spendWindow('month', now, 'America/New_York').from).toISOString()).toBe('2026-01-01T05:00:00.000Z');
    expect(new Date(spendWindow('today', now, 'America/New_York').from).toISOString()).toBe('2026-01-31T05:00:00.000Z');
  });
});
