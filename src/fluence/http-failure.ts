/**
 * How a failed Fluence request is described: the failure kinds the transport tells apart, which of
 * them are retried, and the one message a user sees for each (texts are shown in Slack). Kept apart
 * from the transport (http.ts) so the wording and the "may have gone through" rules read in one place.
 */
import { FluenceError, type FieldIssue } from './errors';
import { ErrorBodySchema } from './schemas';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Where the failed request went: the error message names it. */
export interface FailureContext {
  method: HttpMethod;
  path: string;
  origin: string;
  timeoutMs: number;
  maxBodyBytes: number;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(whole body)';
}

/** 422 `loc` without the leading "body"/"query" marker: `container_settings.expose[0].port`. */
function formatLoc(loc: ReadonlyArray<string | number>): string {
  const rest = loc[0] === 'body' || loc[0] === 'query' || loc[0] === 'path' ? loc.slice(1) : loc;
  return rest.length ? formatPath(rest) : 'request';
}

/** One failed attempt, before deciding whether to retry. */
export type Failure =
  | { kind: 'status'; status: number; text: string; retryAfterMs: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string }
  /** A 3xx: not followed, so the key never goes to another origin. */
  | { kind: 'redirect' }
  /** The body was larger than maxBodyBytes; the rest was not read. */
  | { kind: 'too_large'; status: number };

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (DNS is not answering)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection was closed unexpectedly',
};

/** Finds the system error code (ECONNREFUSED, ENOTFOUND...) somewhere in a fetch error's cause chain. */
export function networkCode(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    const errors = (cur as { errors?: unknown }).errors; // AggregateError (happy eyeballs)
    if (Array.isArray(errors) && errors.length) cur = errors[0];
    else cur = (cur as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

/** undici's error for `redirect: 'error'` (TypeError "fetch failed", cause "unexpected redirect"). */
export function isRedirectRefusal(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++, cur = (cur as { cause?: unknown }).cause) {
    if (/redirect/i.test(String((cur as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}
export function isRetryable(f: Failure): boolean {
  if (f.kind === 'redirect' || f.kind === 'too_large') return false;
  if (f.kind !== 'status') return true;
  return f.status === 429 || f.status === 408 || f.status >= 500;
}
/** Maps the last failure to the one error users see. Message texts are shown in Slack. */
export function failureToError(f: Failure, at: FailureContext, what = 'what was asked for'): FluenceError {
  const { method, path } = at;
const base = { method, path };
  // A write that may have reached Fluence must not be blindly repeated (a deploy charges money).
  const maybeApplied = method !== 'GET';
  const checkFirst = method === 'POST'
    ? 'It may or may not have gone through: check `/gpu list` before trying again, or you may deploy (and pay) twice.'
    : 'It may or may not have gone through: check `/gpu list` before trying again.';
  if (f.kind === 'timeout') {
    const secs = Math.round(at.timeoutMs / 100) / 10;
    return maybeApplied
      ? new FluenceError('unavailable', `Fluence did not answer within ${secs} s. ${checkFirst}`, { ...base, maybeApplied: true })
      : new FluenceError('unavailable', `Fluence did not answer within ${secs} s. Try again in a minute.`, base);
  }
  if (f.kind === 'redirect') {
    return new FluenceError(
      'bad_response',
      `Fluence at ${at.origin} answered ${method} ${path} with a redirect. gpu-bot does not follow redirects, so the API key only ever goes to FLUENCE_API_URL: check that it is the API's own https address.`,
      base,
    );
  }
  if (f.kind === 'too_large') {
    const mb = Math.round((at.maxBodyBytes / (1024 * 1024)) * 10) / 10;
    return new FluenceError(
      'bad_response',
      `Fluence sent more than ${mb} MB for ${method} ${path} (HTTP ${f.status}); gpu-bot stopped reading it. ${method === 'GET' ? 'Ask for less (for logs, fewer lines) or try again later.' : checkFirst}`,
      { ...base, status: f.status, ...(maybeApplied ? { maybeApplied: true } : {}) },
    );
  }
  if (f.kind === 'network') {
    const words = NETWORK_WORDS[f.code] ?? `the connection failed (${f.code})`;
    // Refused or unresolved: the request never left; a reset mid-request may have been applied.
    const neverSent = f.code === 'ECONNREFUSED' || f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN';
    if (maybeApplied && !neverSent) {
      return new FluenceError('unavailable', `Could not reach Fluence at ${at.origin}: ${words}. ${checkFirst}`, { ...base, maybeApplied: true });
    }
    return new FluenceError('unavailable', `Could not reach Fluence at ${at.origin}: ${words}. Try again in a minute.`, base);
  }
  const { status } = f;
  const body = errorBody(f.text);
  const withStatus = { ...base, status };
  if (status === 422) {
    const issues = body.issues ?? [];
    const list = issues.map((i) => `${formatLoc(i.loc)}: ${i.msg}`).join('; ');
    const message = list ? `Fluence did not accept the request: ${list}` : `Fluence did not accept the request${body.text ? `: ${body.text}` : ''}.`;
    return new FluenceError('validation', message, { ...withStatus, issues });
  }
  if (status === 401 || status === 403) {
    return new FluenceError(
      'auth',
      `Fluence rejected the API key (HTTP ${status}). Check FLUENCE_API_KEY: GPU Cloud needs a key that is not limited to read-only scopes.`,
      // Fluence's reason (an expired key, a missing scope) tells the admin what to fix
      { ...withStatus, ...(body.text ? { detail: body.text } : {}) },
    );
  }
  if (status === 404) {
    return new FluenceError('not_found', `Fluence has no ${what}. It may have been removed, or the ID is wrong.`, withStatus);
  }
  if (status === 429) {
    const retryAfterSeconds = f.retryAfterMs !== undefined ? Math.ceil(f.retryAfterMs / 1000) : undefined;
    const when = retryAfterSeconds !== undefined ? `in ${retryAfterSeconds} s` : 'in a minute';
    return new FluenceError('rate_limited', `Fluence is limiting how fast we can call it. Try again ${when}.`, {
      ...withStatus,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (status >= 500 || status === 408) {
    const retryAfterSeconds = f.retryAfterMs !== undefined ? Math.ceil(f.retryAfterMs / 1000) : undefined;
    // 502/504 come from a gateway: the write may have reached the API behind it.
    const gateway = maybeApplied && (status === 502 || status === 504 || status === 408);
    return new FluenceError(
      'unavailable',
      `Fluence is having trouble right now (HTTP ${status}). ${gateway ? checkFirst : 'Try again in a minute.'}`,
      { ...withStatus, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}), ...(gateway ? { maybeApplied: true } : {}) },
    );
  }
  // 400 and any other 4xx (409 conflict...): the API's own words, verbatim.
  if (body.text) return new FluenceError('business', body.text, { ...withStatus, detail: body.text });
  return new FluenceError('business', `Fluence refused the request (HTTP ${status}).`, withStatus);
}
/** Reads an error body of any shape: {detail: issues[]}, {detail: string}, {error}, HTML, nothing. */
function errorBody(text: string): { issues?: FieldIssue[]; text?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = ErrorBodySchema.safeParse(data);
  if (!parsed.success) return {};
  const b = parsed.data;
  if ('detail' in b && Array.isArray(b.detail)) {
    return {
      issues: b.detail.map((i) => ({ loc: i.loc, msg: i.msg, ...(i.type !== undefined ? { type: i.type } : {}) })),
    };
  }
  if ('detail' in b && typeof b.detail === 'string') return { text: b.detail };
  if ('error' in b && typeof b.error === 'string') return { text: b.error };
  return {};
}
