/**
 * Durations as people write them in Slack and in the environment: `45m`, `8h`, `3d`, `1w`, and
 * combinations such as `1d12h` or `2h 30m`. One parser and one formatter for commands, channel
 * policies, the deploy modal and config, so a value the bot prints can be typed back in.
 * Pure and total: the parser never throws, whatever it is given.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Largest unit first: the formatter walks this list. */
const UNITS: ReadonlyArray<{ unit: string; ms: number; words: readonly string[] }> = [
  { unit: 'w', ms: WEEK_MS, words: ['w', 'wk', 'wks', 'week', 'weeks'] },
  { unit: 'd', ms: DAY_MS, words: ['d', 'day', 'days'] },
  { unit: 'h', ms: HOUR_MS, words: ['h', 'hr', 'hrs', 'hour', 'hours'] },
  { unit: 'm', ms: MINUTE_MS, words: ['m', 'min', 'mins', 'minute', 'minutes'] },
  { unit: 's', ms: SECOND_MS, words: ['s', 'sec', 'secs', 'second', 'seconds'] },
];
const UNIT_BY_WORD = new Map(UNITS.flatMap((u) => u.words.map((w) => [w, u] as const)));

/** Anything longer is a typo, not a plan: ten years. */
export const MAX_DURATION_MS = 520 * WEEK_MS;
const MAX_TEXT = 40;

export type DurationParse = { ok: true; ms: number } | { ok: false; error: string };

export interface ParseDurationOptions {
  /**
   * What a bare number means (config values that were plain numbers before, e.g. `8` hours or
   * `15000` ms). Without it a bare number is refused: in a command `8` could mean anything.
   */
  bareUnitMs?: number;
}

export const DURATION_EXAMPLES = '`45m`, `8h`, `3d`, `1w` (or combined, like `1d12h`)';

/**
 * `45m` -> 2,700,000. Parts may repeat units in any order (`1h30m`, `30m 1h`, `1.5h`); the total must
 * be a positive whole number of milliseconds no longer than MAX_DURATION_MS.
 */
export function parseDuration(input: unknown, opts: ParseDurationOptions = {}): DurationParse {
  if (typeof input !== 'string' && typeof input !== 'number') return { ok: false, error: 'a duration is missing' };
  const text = String(input).trim().toLowerCase();
  if (text.length === 0) return { ok: false, error: 'a duration is missing' };
  if (text.length > MAX_TEXT) return { ok: false, error: `${quote(text)} is too long for a duration` };
  let total: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    if (opts.bareUnitMs === undefined) {
      return { ok: false, error: `${quote(text)} has no unit: write it like ${DURATION_EXAMPLES}` };
    }
    total = Number(text) * opts.bareUnitMs;
  } else {
    const parts = /^(?:\s*(\d+(?:\.\d+)?)\s*([a-z]+))+\s*$/.test(text) ? [...text.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)] : [];
    if (parts.length === 0) return { ok: false, error: `${quote(text)} is not a duration: write it like ${DURATION_EXAMPLES}` };
    total = 0;
    for (const [, amount, word] of parts) {
      const unit = UNIT_BY_WORD.get(word!);
      if (!unit) return { ok: false, error: `${quote(word!)} is not a unit: use m (minutes), h (hours), d (days) or w (weeks)` };
      total += Number(amount) * unit.ms;
    }
  }
  total = Math.round(total);
  if (!(total > 0)) return { ok: false, error: `${quote(text)} is not a positive duration` };
  if (total > MAX_DURATION_MS) return { ok: false, error: `${quote(text)} is longer than ${formatDuration(MAX_DURATION_MS)}` };
  return { ok: true, ms: total };
}

/**
 * The compact form the parser reads back: 2,700,000 -> `45m`, 129,600,000 -> `1d12h`, 604,800,000 ->
 * `1w`. Below a second rounds to `0s`; seconds show only when the duration has no larger part
 * than minutes (nobody needs `1d0h0m5s`).
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < SECOND_MS) return '0s';
  let rest = Math.round(ms / SECOND_MS) * SECOND_MS;
  const out: string[] = [];
  for (const u of UNITS) {
    if (u.unit === 's' && ms >= HOUR_MS) break;
    const n = Math.floor(rest / u.ms);
    if (n > 0) {
      out.push(`${n}${u.unit}`);
      rest -= n * u.ms;
    }
  }
  return out.join('') || '0s';
}

/**
 * The words for a choice in a menu: `2 hours`, `24 hours`, `3 days`, `1 week`, `45 minutes`, and the
 * compact form for anything that is not a whole number of one unit (`1d12h`).
 */
export function describeDuration(ms: number): string {
  const whole = (unitMs: number) => ms % unitMs === 0;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (ms >= WEEK_MS && whole(WEEK_MS)) return plural(ms / WEEK_MS, 'week');
  // 24/48 hours read better as hours than as days; 3 days and more as days
  if (ms >= 3 * DAY_MS && whole(DAY_MS)) return plural(ms / DAY_MS, 'day');
  if (ms >= HOUR_MS && whole(HOUR_MS)) return plural(ms / HOUR_MS, 'hour');
  if (ms >= MINUTE_MS && ms < HOUR_MS && whole(MINUTE_MS)) return plural(ms / MINUTE_MS, 'minute');
  return formatDuration(ms);
}

function quote(s: string): string {
  const t = s.length > 24 ? `${s.slice(0, 23)}…` : s;
  return `'${t.replace(/[`<>&*_~]/g, '')}'`;
}
