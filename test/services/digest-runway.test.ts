import { HOUR_MS, MINUTE_MS } from '../../src/duration';
import { dueDigest, LATE_LIMIT_MS } from '../../src/services/digest';
import { decideRunway } from '../../src/services/runway';

const at = (iso: string) => Date.parse(iso);
const schedule = { at: { hour: 9, minute: 0 }, tz: 'Europe/Berlin', lateAfterMs: 2 * MINUTE_MS };

describe('when the digest is due', () => {
  test('from 09:00 local time on, for that local day; on time within the grace, late after it', () => {
    expect(dueDigest(at('2026-02-07T07:59:00Z'), schedule)).toBeNull(); // 08:59 in Berlin: yesterday's is 24 h old
    expect(dueDigest(at('2026-02-06T19:00:00Z'), schedule)?.date).toBe('2026-02-06'); // 20:00: today's, late
    const onTime = dueDigest(at('2026-02-07T08:01:00Z'), schedule)!;
    expect(onTime).toEqual({ date: '2026-02-07', dueAt: at('2026-02-07T08:00:00Z'), lateByMs: null });
    expect(dueDigest(at('2026-02-07T10:30:00Z'), schedule)!.lateByMs).toBe(2.5 * HOUR_MS);
  });

  test('more than 12 h late it is not sent: the next day’s comes first', () => {
    expect(dueDigest(at('2026-02-07T08:00:00Z') + LATE_LIMIT_MS + 1, schedule)).toBeNull();
    expect(dueDigest(at('2026-02-07T08:00:00Z') + LATE_LIMIT_MS, schedule)?.date).toBe('2026-02-07');
  });
});

describe('runway thresholds', () => {
  const T = [24, 6, 1];
  test('fires each threshold once as the runway drops, several at once as one decision', () => {
    expect(decideRunway(30, T, new Set())).toEqual({ fire: [], rearm: [] });
    expect(decideRunway(20, T, new Set())).toEqual({ fire: [24], rearm: [] });
    expect(decideRunway(19, T, new Set([24]))).toEqual({ fire: [], rearm: [] });
    expect(decideRunway(0.5, T, new Set([24]))).toEqual({ fire: [6, 1], rearm: [] });
  });

  test('re-arms what the runway is back above (a top-up), and everything when nothing burns', () => {
    expect(decideRunway(10, T, new Set([24, 6, 1]))).toEqual({ fire: [], rearm: [6, 1] });
    expect(decideRunway(24, T, new Set([24]))).toEqual({ fire: [], rearm: [24] });
    expect(decideRunway(null, T, new Set([24, 6]))).toEqual({ fire: [], rearm: [24, 6] });
  });
});
