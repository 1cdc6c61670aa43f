/**
 * One zod schema over the environment, read once at start. A bad or missing variable stops the
 * process with one line that names the variable and what is expected; its value is never
 * printed (it may be a secret).
 */
import { z } from 'zod';
import { HOUR_MS, parseDuration } from './duration';
import { isTimeZone, parseClockTime } from './services/zoned-time';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(def));

/**
 * A duration in milliseconds, written `45m`, `8h`, `3d`, `1w` (duration.ts) or, as before, a plain
 * number in `bareUnitMs` units (milliseconds for the *_MS variables, hours for DEFAULT_LEASE_HOURS).
 */
const durationMs = (defMs: number, minMs: number, bareUnitMs: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .union([z.string(), z.number()])
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return defMs;
        // a bare 0 is allowed where the minimum is 0 (e.g. no start grace); the parser wants positive
        if (minMs === 0 && /^\s*0+(\.0*)?\s*$/.test(String(v))) return 0;
        const r = parseDuration(v, { bareUnitMs });
        if (!r.ok || r.ms < minMs) {
          ctx.addIssue({ code: 'custom', message: `a duration like 45m, 8h, 3d or 1w (or a plain number${bareUnitMs === 1 ? ' of milliseconds' : bareUnitMs === 60_000 ? ' of minutes' : ' of hours'})${minMs > 0 ? `, at least ${minMs} ms` : ''}` });
          return z.NEVER;
        }
        return r.ms;
      }),
  );

const url = (def: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(def)
      .refine((v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'http:' || u.protocol === 'https:';
        } catch {
          return false;
        }
      }, 'an http(s) URL'),
  );

const slackUserIds = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v ?? []),
  z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'Slack user ids like U012ABCDEF, comma-separated')),
);

export const ConfigSchema = z
  .object({
    SLACK_BOT_TOKEN: z.preprocess(emptyToUndefined, z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional()),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: z.preprocess(emptyToUndefined, z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional()),
    SLACK_API_URL: url('https://slack.com/api/'),
    PORT: int(3000, 0, 65535),
    FLUENCE_API_URL: url('https://api.fluence.dev'),
    FLUENCE_API_KEY: optionalString,
    FLUENCE_TIMEOUT_MS: int(15000, 100),
    DATABASE_PATH: z.preprocess(emptyToUndefined, z.string().default('./data/gpu-bot.sqlite')),
    /** PostgreSQL (several replicas share it): postgres://user:password@host:5432/db. Unset: SQLite at DATABASE_PATH. */
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .superRefine((v, ctx) => {
          if (isPostgresUrlText(v)) return;
          // the scheme only (never the rest: the URL carries a password)
          const scheme = /^([a-z][a-z0-9+.-]{0,19}):\/\//i.exec(v.trim())?.[1];
          const got = scheme && !/^postgres(ql)?$/i.test(scheme) ? ` (got ${scheme}://, which is not supported)` : scheme ? ' with a host' : '';
          ctx.addIssue({ code: 'custom', message: `a postgres:// or postgresql:// URL like postgres://gpubot:PASSWORD@db:5432/gpubot${got}; unset it to use SQLite at DATABASE_PATH` });
        })
        .optional(),
    ),
    /** PostgreSQL: most connections one process opens (plus one for leadership). */
    DATABASE_POOL_SIZE: int(10, 1, 1000),
    WATCH_INTERVAL_MS: durationMs(15000, 10, 1),
    WATCH_TIMEOUT_MS: durationMs(30 * 60_000, 10, 1),
    WATCH_HARD_LIMIT_MS: durationMs(6 * 60 * 60_000, 10, 1),
    WATCH_START_GRACE_MS: durationMs(5 * 60_000, 0, 1),
    /** The lease a deploy gets when its channel has no policy, in hours: `8h`, `45m` (0.75), `3d`, or plain hours (`8`). */
    DEFAULT_LEASE_HOURS: durationMs(8 * HOUR_MS, 60_000, HOUR_MS).transform((ms) => ms / HOUR_MS),
    /** A lease's reminder goes out this long before its end, in minutes: `30m`, `1h`, or plain minutes (`30`). */
    LEASE_REMINDER_MIN: durationMs(30 * 60_000, 60_000, 60_000).transform((ms) => ms / 60_000),
    /** on-expiry=remind repeats its notice this often while the instance runs, in hours: `4h`, `30m`, or plain hours. */
    LEASE_NAG_HOURS: durationMs(4 * HOUR_MS, 60_000, HOUR_MS).transform((ms) => ms / HOUR_MS),
    /** Plan alerts (issue 12 §3): how often offers are checked (one plan-list call per type), how long an alert lives. */
    PLAN_ALERT_INTERVAL_MS: durationMs(5 * 60_000, 1000, 1),
    PLAN_ALERT_TTL_DAYS: int(7, 1, 365),
    // sandbox only: how much faster than the real GPU Cloud the built-in simulator runs (1 = 2–3 min deploys)
    SIMULATOR_SPEED: z.preprocess(emptyToUndefined, z.coerce.number().positive().max(10_000).default(1)),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    GPU_BOT_ADMINS: slackUserIds,
    MAX_HOURLY_USD: z.preprocess(emptyToUndefined, z.coerce.number().positive().optional()),
    AUDIT_CHANNEL: z.preprocess(emptyToUndefined, z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a channel id like C012ABCDEF').optional()),
    /** Where approval requests of deploys started in a DM with the bot go (admins are not in that DM). */
    APPROVALS_CHANNEL: z.preprocess(emptyToUndefined, z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a channel id like C012ABCDEF').optional()),
    // ---- money (issue 11 §3, §4): daily digest and runway alerts
    /** When the daily digest goes out, 24 h local time in DIGEST_TZ. */
    DIGEST_TIME: z.preprocess(emptyToUndefined, z.string().default('09:00').refine((v) => parseClockTime(v) !== null, 'a time like 09:00 (24 h)')),
    DIGEST_TZ: z.preprocess(emptyToUndefined, z.string().default('UTC').refine(isTimeZone, 'an IANA time zone like UTC or Europe/Berlin')),
    /** Where the digest goes every day (channels can also opt in with `/gpu digest #chan on`). */
    DIGEST_CHANNEL: z.preprocess(emptyToUndefined, z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a channel id like C012ABCDEF').optional()),
    /** Runway thresholds in hours: one alert each time balance ÷ burn drops under one. */
    RUNWAY_ALERT_HOURS: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' ? v.split(/[\s,]+/).filter(Boolean) : undefined),
      z.array(z.coerce.number().positive().max(24 * 365)).min(1).max(10).default([24, 6, 1]).transform((a) => [...new Set(a)].sort((x, y) => y - x)),
    ),
    /** Where runway alerts go; unset: AUDIT_CHANNEL; neither: none are sent. */
    ALERT_CHANNEL: z.preprocess(emptyToUndefined, z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a channel id like C012ABCDEF').optional()),
    // seals pending approvals and kept form secrets (services/sealed.ts); unset: a random key per process
    GPU_BOT_SEAL_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'a random secret of at least 32 characters (openssl rand -base64 32)').optional()),
  })
  .superRefine((c, ctx) => {
    // HTTP mode (no app token) with a real bot token needs the signing secret to verify requests.
    if (c.SLACK_BOT_TOKEN && !c.SLACK_APP_TOKEN && !c.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'required in HTTP mode (set it, or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    // A real key travels in a header on every call: only over TLS, except to a simulator on this machine.
    if (c.FLUENCE_API_KEY && !isHttpsOrLoopback(c.FLUENCE_API_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['FLUENCE_API_URL'],
        message: 'an https:// URL when FLUENCE_API_KEY is set (plain http is only accepted for localhost / 127.0.0.1 / ::1)',
      });
    }
    if (c.WATCH_HARD_LIMIT_MS < c.WATCH_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['WATCH_HARD_LIMIT_MS'], message: 'must be at least WATCH_TIMEOUT_MS' });
    }
  });

/** postgres:// or postgresql:// with a host (the store's open.ts routes on the same scheme test). */
function isPostgresUrlText(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Where the store lives: the PostgreSQL URL when set, else the SQLite file. */
export function storeLocation(c: Pick<RawConfig, 'DATABASE_URL' | 'DATABASE_PATH'>): string {
  return c.DATABASE_URL ?? c.DATABASE_PATH;
}

function isHttpsOrLoopback(value: string): boolean {
  try {
    const u = new URL(value);
    if (u.protocol === 'https:') return true;
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(u.hostname));
  } catch {
    return false; // reported by the URL rule already
  }
}

export type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config extends RawConfig {
  /** No FLUENCE_API_KEY: the built-in simulator runs in-process and every message says so. */
  sandbox: boolean;
  /** Socket Mode when an app token is set, HTTP otherwise. */
  slackMode: 'socket' | 'http' | 'offline';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line per bad variable (names only, never values). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? 'environment');
      // zod's own messages can quote the input; build ours from the variable name and the rule only
      const expected = i.code === 'custom' || i.code === 'invalid_format' ? i.message : describeIssue(i);
      return `Invalid configuration: ${name}: expected ${expected}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const c = parsed.data;
  return {
    ...c,
    sandbox: !c.FLUENCE_API_KEY,
    slackMode: c.SLACK_APP_TOKEN ? 'socket' : c.SLACK_BOT_TOKEN ? 'http' : 'offline',
  };
}

/** For process entry points: a bad environment prints one line per variable and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

function describeIssue(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case 'too_small':
      if ((i as { origin?: unknown }).origin === 'string') return `at least ${String((i as { minimum?: unknown }).minimum)} characters`;
      return `a number >= ${String((i as { minimum?: unknown }).minimum)}`;
    case 'too_big':
      return `a number <= ${String((i as { maximum?: unknown }).maximum)}`;
    case 'invalid_type':
      return `${String((i as { expected?: unknown }).expected)}`;
    case 'invalid_value':
      return `one of ${((i as { values?: unknown[] }).values ?? []).map(String).join(', ')}`;
    default:
      return i.message;
  }
}
