import { DAY_MS, HOUR_MS, MAX_DURATION_MS, MINUTE_MS, WEEK_MS, describeDuration, formatDuration, parseDuration } from '../src/duration';

const ms = (text: unknown, bareUnitMs?: number) => {
  const r = parseDuration(text, bareUnitMs === undefined ? {} : { bareUnitMs });
  return r.ok ? r.ms : r.error;
};

describe('durations', () => {
  it.each([
    ['45m', 45 * MINUTE_MS],
    ['8h', 8 * HOUR_MS],
    ['3d', 3 * DAY_MS],
    ['1w', WEEK_MS],
    ['1d12h', 36 * HOUR_MS],
    ['2h 30m', 150 * MINUTE_MS],
    ['30m1h', 90 * MINUTE_MS],
    ['1.5h', 90 * MINUTE_MS],
    [' 8H ', 8 * HOUR_MS],
    ['2 hours', 2 * HOUR_MS],
    ['1 week', WEEK_MS],
    ['90s', 90_000],
  ])('reads %j', (text, expected) => {
    expect(ms(text)).toBe(expected);
  });

  it.each(['', '8', 'h', '8x', '-1h', '0m', '1h-', 'eight hours', '1e3h', '8h; rm -rf', '9999w', 'x'.repeat(100), '<!here>h'])(
    'refuses %j with a sentence that says how to write it',
    (text) => {
      const r = parseDuration(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(/duration|unit|long|positive/);
        expect(r.error).not.toMatch(/[<>]/); // user text cannot become a mention or link
      }
    },
  );

  it('reads a bare number only when told its unit (config kept plain numbers)', () => {
    expect(ms('8', HOUR_MS)).toBe(8 * HOUR_MS);
    expect(ms('15000', 1)).toBe(15000);
    expect(ms(15000, 1)).toBe(15000);
    expect(ms('8')).toMatch(/has no unit/);
  });

  it('refuses anything but a string or number, and more than ten years', () => {
    expect(parseDuration(undefined).ok).toBe(false);
    expect(parseDuration({}).ok).toBe(false);
    expect(parseDuration('521w').ok).toBe(false);
    expect(parseDuration('520w')).toEqual({ ok: true, ms: MAX_DURATION_MS });
  });

  it('formats compactly, in a form the parser reads back to the same value', () => {
    expect(formatDuration(45 * MINUTE_MS)).toBe('45m');
    expect(formatDuration(8 * HOUR_MS)).toBe('8h');
    expect(formatDuration(36 * HOUR_MS)).toBe('1d12h');
    expect(formatDuration(WEEK_MS + DAY_MS)).toBe('1w1d');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(HOUR_MS + 5_000)).toBe('1h');
    expect(formatDuration(0)).toBe('0s');
    for (const v of [MINUTE_MS, 45 * MINUTE_MS, 8 * HOUR_MS, 3 * DAY_MS, WEEK_MS, 9 * DAY_MS + 7 * HOUR_MS + 3 * MINUTE_MS]) {
      expect(parseDuration(formatDuration(v))).toEqual({ ok: true, ms: v });
    }
  });

  it('describes menu choices in words', () => {
    expect([2 * HOUR_MS, 8 * HOUR_MS, 24 * HOUR_MS, 3 * DAY_MS, WEEK_MS, 45 * MINUTE_MS, 36 * HOUR_MS, HOUR_MS].map(describeDuration)).toEqual([
      '2 hours', '8 hours', '24 hours', '3 days', '1 week', '45 minutes', '36 hours', '1 hour',
    ]);
    expect(describeDuration(HOUR_MS + 30 * MINUTE_MS)).toBe('1h30m');
  });
});
