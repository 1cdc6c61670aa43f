/**
 * A small, closed taxonomy of everything that can go wrong talking to Fluence.
 * The Slack layer switches on `kind` to render one clear message per class; nothing above
 * the client ever sees an ofetch or zod error.
 */

export type FluenceErrorKind =
  | 'validation' // 422: one issue per `loc` + `msg`
  | 'business' // 400: the API's `detail` string, verbatim
  | 'auth' // 401/403: the API key was rejected
  | 'not_found' // 404
  | 'rate_limited' // 429
  | 'unavailable' // 5xx, timeout, connection refused/reset, DNS
  | 'bad_response'; // 2xx (or error) body that does not match the documented schema

export interface FieldIssue {
  /** e.g. ["body", "container_settings", "expose", 0, "port"] */
  loc: Array<string | number>;
  msg: string;
  type?: string;
}

export class FluenceError extends Error {
  override readonly name = 'FluenceError';
  constructor(
    readonly kind: FluenceErrorKind,
    message: string,
    readonly details: {
      status?: number;
      method?: string;
      path?: string;
      /** validation issues (422) */
      issues?: FieldIssue[];
      /** 400 (and 401/403) detail string, verbatim */
      detail?: string;
      /** seconds, from Retry-After (429/503) */
      retryAfterSeconds?: number;
      /** bad_response: the field path that failed to parse */
      field?: string;
      /** true when the request may have reached Fluence (timeout on a POST): the user must check before retrying */
      maybeApplied?: boolean;
    } = {},
  ) {
    super(message);
  }

  /** Worth retrying later (by the watcher's next cycle, or by the user). */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable';
  }
}

export function isFluenceError(e: unknown): e is FluenceError {
  return e instanceof FluenceError;
}
