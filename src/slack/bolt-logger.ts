/**
 * Bolt, @slack/web-api and @slack/socket-mode log through @slack/logger's interface; this adapts
 * it to our pino logger so their lines are JSON, carry a `component`, and pass through the same
 * secret redaction as ours. Bolt calls setLevel()/setName() on the logger it is given (App sets
 * its own default level; every WebClient renames it): that must never change the level of the
 * shared pino logger, so the adapter keeps its own threshold on a pino child.
 *
 * That threshold never goes below INFO, whatever LOG_LEVEL says: the libraries' debug lines carry
 * raw payloads (the Socket Mode client logs every envelope it receives, a view submission with
 * the environment values and registry password typed into it; the Web API client logs every
 * request body, views.update included). Those values are not known secrets yet when the line is
 * written, so no redaction by value can catch them: the lines are not written at all.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../log';

const ORDER: Record<LogLevel, number> = { [LogLevel.DEBUG]: 0, [LogLevel.INFO]: 1, [LogLevel.WARN]: 2, [LogLevel.ERROR]: 3 };

/** The most the Slack libraries may log: their DEBUG lines hold raw payloads (see above). */
export const SLACK_LIBRARY_MIN_LEVEL = LogLevel.INFO;

function capped(level: LogLevel): LogLevel {
  return ORDER[level] < ORDER[SLACK_LIBRARY_MIN_LEVEL] ? SLACK_LIBRARY_MIN_LEVEL : level;
}

/** The Slack level matching a pino level (trace -> debug, fatal -> error, silent -> error). */
export function boltLevelFor(pinoLevel: string): LogLevel {
  switch (pinoLevel) {
    case 'trace':
    case 'debug':
      return LogLevel.DEBUG;
    case 'info':
      return LogLevel.INFO;
    case 'warn':
      return LogLevel.WARN;
    default:
      return LogLevel.ERROR;
  }
}

export function boltLogger(logger: Logger, component = 'slack'): BoltLogger {
  const child = logger.child({ component });
  let level = capped(boltLevelFor(logger.level));
  let name = component;

  const write = (at: LogLevel, msg: unknown[]) => {
    if (ORDER[at] < ORDER[level]) return;
    const err = msg.find((m): m is Error => m instanceof Error);
    const text = msg
      .filter((m) => m !== err)
      .map((m) => (typeof m === 'string' ? m : safeJson(m)))
      .join(' ');
    const fields = { slackLogger: name, ...(err ? { err } : {}) };
    child[at](fields, text || (err ? err.message : ''));
  };

  return {
    debug: (...msg) => write(LogLevel.DEBUG, msg),
    info: (...msg) => write(LogLevel.INFO, msg),
    warn: (...msg) => write(LogLevel.WARN, msg),
    error: (...msg) => write(LogLevel.ERROR, msg),
    setLevel: (l) => {
      level = capped(l);
    },
    getLevel: () => level,
    setName: (n) => {
      name = n;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
