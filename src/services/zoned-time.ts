/**
 * Wall-clock time in an IANA time zone (DIGEST_TZ) without a dependency: Intl gives the local
 * date and time of an instant; the instant of a local time is found by correcting for the zone's
 * offset (twice, so a DST change between the guess and the answer is handled). Pure.
 */
import { DAY_MS } from '../duration';

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True for a zone name Intl knows ("UTC", "Europe/Berlin"); config.ts validates DIGEST_TZ with it. */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function localParts(ms: number, tz: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** "2026-02-07": the local calendar day of an instant, the key of "once per day". */
export function localDate(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a local wall-clock time. A time skipped by a DST jump resolves to the instant
 * just after the jump; a repeated one to its first occurrence.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetAt(wall, tz);
  guess = wall - offsetAt(guess, tz);
  const back = localParts(guess, tz);
  if (back.hour !== hour || back.minute !== minute) {
    // skipped by a DST jump: the other offset lands after it
    const alt = wall - offsetAt(guess + 3 * 3_600_000, tz);
    if (alt > guess) guess = alt;
  }
  return guess;
}

/** Local midnight starting the day of `ms`. */
export function startOfLocalDay(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return zonedInstant(p.year, p.month, p.day, 0, 0, tz);
}

/** Local midnight starting the day before the day of `ms`. */
export function startOfPreviousLocalDay(ms: number, tz: string): number {
  return startOfLocalDay(startOfLocalDay(ms, tz) - 1, tz);
}

/** Local midnight of the 1st of the month of `ms`. */
export function startOfLocalMonth(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  return zonedInstant(p.year, p.month, 1, 0, 0, tz);
}

/** The instant of `hh:mm` local time on the local day of `ms`. */
export function localTimeOnDayOf(ms: number, hhmm: { hour: number; minute: number }, tz: string): number {
  const p = localParts(ms, tz);
  return zonedInstant(p.year, p.month, p.day, hhmm.hour, hhmm.minute, tz);
}

/** The latest instant at or before `ms` that is `hh:mm` local time (today's, or yesterday's). */
export function latestLocalTime(ms: number, hhmm: { hour: number; minute: number }, tz: string): number {
  const today = localTimeOnDayOf(ms, hhmm, tz);
  if (today <= ms) return today;
  return localTimeOnDayOf(startOfLocalDay(ms, tz) - DAY_MS / 2, hhmm, tz);
}

/** "09:00" -> {hour: 9, minute: 0}; null when it is not a 24 h time. */
export function parseClockTime(text: string): { hour: number; minute: number } | null {
  const m = /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}
