/**
 * pino JSON logs with secrets removed twice: by path (keys that always hold secrets) and by
 * value (SecretRedactor: whatever secret values the bot has seen, wherever they appear).
 * pino-pretty is used only when stdout is a terminal; CI, Docker and log shippers get JSON.
 */
import pino, { type Logger } from 'pino';
import type { SecretRedactor } from './secrets';

export type { Logger };

/** Keys that hold secrets wherever they appear (pino fast-redact paths). */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'password',
  'ssh_key',
  'sshKey',
  'authorization',
  'headers["x-api-key"]',
  'headers["X-API-KEY"]',
  'headers.authorization',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.ssh_key',
  '*.sshKey',
  '*.headers["x-api-key"]',
  '*.headers["X-API-KEY"]',
  '*.headers.authorization',
  'environment[*].value',
  '*.environment[*].value',
  '*.*.environment[*].value',
  'credentials.password',
  '*.credentials.password',
  '*.*.credentials.password',
];

export interface LoggerOptions {
  level?: string;
  redactor?: SecretRedactor;
  /** Where to write; defaults to stdout (pretty when it is a TTY). Tests pass a capture stream. */
  destination?: NodeJS.WritableStream;
  pretty?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const redactor = opts.redactor;
  // pino-pretty is a dev dependency: a production image (npm ci --omit=dev) logs JSON even on a TTY
  const pretty = (opts.pretty ?? (!opts.destination && process.stdout.isTTY === true)) && canResolve('pino-pretty');
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { app: 'gpu-bot' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log: (obj) => (redactor ? redactor.maskDeep(obj) : obj),
    },
    hooks: redactor
      ? {
          logMethod(args, method) {
            const masked = args.map((a) => (typeof a === 'string' ? redactor.mask(a) : a)) as Parameters<typeof method>;
            return method.apply(this, masked);
          },
        }
      : {},
    serializers: {
      err: (e: unknown) => {
        const s = pino.stdSerializers.err(e as Error);
        return redactor ? redactor.maskDeep(s) : s;
      },
    },
  };
  if (pretty) {
    return pino(options, pino.transport({ target: 'pino-pretty', options: { colorize: true } }));
  }
  return pino(options, (opts.destination ?? process.stdout) as pino.DestinationStream);
}

function canResolve(mod: string): boolean {
  try {
    require.resolve(mod);
    return true;
  } catch {
    return false;
  }
}
