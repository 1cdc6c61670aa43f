/**
 * The transport under FluenceClient: one place that sends a request to Fluence, retries what is
 * safe to retry, and turns every failure (HTTP status, network, timeout, unexpected body) into a
 * `FluenceError`. Nothing above it sees ofetch, undici or zod errors.
 *
 * Peers are not trusted with more than they need: redirects are never followed (a 302 to another
 * origin would otherwise receive the X-API-KEY), and a response body over `maxBodyBytes` (5 MB)
 * is refused unread instead of being buffered whole (a 200 MiB log body was).
 *
 * Retry policy: only GETs are retried (429, 5xx, 408, network errors, timeouts), with exponential
 * backoff + jitter or the server's `Retry-After`. POST/PUT/DELETE are never retried: a deploy
 * charges three hours of rent up front, and a retried POST could deploy (and charge) twice.
 */
import { createFetch, type FetchResponse } from 'ofetch';
import type { z } from 'zod';
import type { Logger } from '../log';
import { FluenceError, type FieldIssue } from './errors';
import { ErrorBodySchema } from './schemas';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface FluenceHttpOptions {
  /** Origin like https://api.fluence.dev; a value ending in /gpu or /gpu/ is accepted (stripped). */
  baseUrl: string;
  /** Sent as X-API-KEY; never logged, never put in an error message. */
  apiKey: string;
  /** Per attempt, default 15000. */
  timeoutMs?: number;
  /** GET retries, default 3 (at most 4 attempts). */
  retries?: number;
  /** Base of the exponential backoff, default 250 ms; each wait capped at 10 s. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  logger?: Pick<Logger, 'warn' | 'debug'>;
  fetch?: typeof fetch;
  /** Jitter source in [0, 1); injectable so tests can pin the backoff. */
  random?: () => number;
  /** Clock for `Retry-After: <HTTP date>`. */
  now?: () => number;
  /** Largest response body read, default 5 MB (MAX_RESPONSE_BYTES). */
  maxBodyBytes?: number;
  /** Told about every attempt once it has ended (metrics: duration by endpoint and status class). */
  observe?: (attempt: FluenceAttempt) => void;
}

/** One attempt as the metrics see it: the concrete path (the observer templates it), status or failure, duration. */
export interface FluenceAttempt {
  method: HttpMethod;
  path: string;
  status?: number;
  failure?: 'timeout' | 'network' | 'redirect';
  seconds: number;
  /** No retry follows: this attempt's result is the request's. */
  last: boolean;
}

export interface RequestOptions<T> {
  /** Schema of a 2xx body. Omitted: the body is ignored (204 on PUT/DELETE, tolerated 200). */
  schema?: z.ZodType<T>;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** What a 404 means to a user, e.g. "container 3fa8…" (default "what was asked for"). */
  what?: string;
}

export const MAX_BACKOFF_MS = 10_000;
export const MAX_RETRY_AFTER_MS = 30_000;
/** Far above any documented answer (a plan list is tens of KiB; logs are asked for with `?last=N`). */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** Strips trailing slashes and a trailing `/gpu`: both "https://api.fluence.dev" and ".../gpu/" work. */
export function normaliseOrigin(baseUrl: string): string {
  let s = baseUrl.trim().replace(/\/+$/, '');
  if (/\/gpu$/i.test(s)) s = s.slice(0, -'/gpu'.length).replace(/\/+$/, '');
  return s;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A zod issue path as users and logs read it: `[0].resources.gpu_model.vram`. */
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
type Failure =
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
function networkCode(e: unknown): string {
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
function isRedirectRefusal(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 6; depth++, cur = (cur as { cause?: unknown }).cause) {
    if (/redirect/i.test(String((cur as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}

class BodyTooLarge extends Error {}

/** Reads a response body up to `limit` bytes; throws BodyTooLarge (and cancels the stream) beyond it. */
async function readCapped(body: ReadableStream<Uint8Array> | null | undefined, declaredLength: string | null, limit: number): Promise<string> {
  if (!body) return '';
  if (declaredLength !== null && Number(declaredLength) > limit) {
    await body.cancel().catch(() => undefined);
    throw new BodyTooLarge();
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function isRetryable(f: Failure): boolean {
  if (f.kind === 'redirect' || f.kind === 'too_large') return false;
  if (f.kind !== 'status') return true;
  return f.status === 429 || f.status === 408 || f.status >= 500;
}

export class FluenceHttp {
  readonly origin: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly logger: Pick<Logger, 'warn' | 'debug'> | undefined;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly maxBodyBytes: number;
  private readonly observe: ((attempt: FluenceAttempt) => void) | undefined;
  private readonly $fetch: ReturnType<typeof createFetch>;

  constructor(opts: FluenceHttpOptions) {
    this.origin = normaliseOrigin(opts.baseUrl);
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retries = Math.max(0, opts.retries ?? 3);
    this.backoffMs = opts.backoffMs ?? 250;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.logger = opts.logger;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
    this.observe = opts.observe;
    this.$fetch = createFetch({ fetch: opts.fetch ?? ((input, init) => globalThis.fetch(input, init)) });
  }

  /** Sends one request (GETs retried), parses a 2xx body with `schema`, throws only FluenceError. */
  async request<T = void>(method: HttpMethod, path: string, opts: RequestOptions<T> = {}): Promise<T> {
    const attempts = method === 'GET' ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const outcome = await this.attempt(method, path, opts);
      const last = outcome.kind === 'ok' || attempt >= attempts || !isRetryable(outcome.failure);
      this.report(method, path, outcome, started, last);
      if (outcome.kind === 'ok') return this.parse(method, path, outcome.status, outcome.text, opts.schema);
      const failure = outcome.failure;
      if (last) throw this.toError(method, path, failure, opts.what);
      const waitMs = this.waitBefore(attempt, failure);
      this.logger?.warn(
        { method, path, attempt, waitMs, ...(failure.kind === 'status' ? { status: failure.status } : { reason: failure.kind === 'network' ? failure.code : failure.kind }) },
        'Fluence request failed; retrying',
      );
      await this.sleep(waitMs);
    }
  }

  private report(method: HttpMethod, path: string, outcome: Awaited<ReturnType<FluenceHttp['attempt']>>, started: number, last: boolean): void {
    if (!this.observe) return;
    const seconds = (performance.now() - started) / 1000;
    const f = outcome.kind === 'fail' ? outcome.failure : undefined;
    const status = outcome.kind === 'ok' ? outcome.status : f && (f.kind === 'status' || f.kind === 'too_large') ? f.status : undefined;
    const failure = f?.kind === 'timeout' || f?.kind === 'network' || f?.kind === 'redirect' ? f.kind : undefined;
    try {
      this.observe({ method, path, seconds, last, ...(status !== undefined ? { status } : {}), ...(failure ? { failure } : {}) });
    } catch {
      // an observer never breaks a request
    }
  }

  /** Retry-After when the server sent one (capped at 30 s), else base * 2^(n-1) with jitter, capped at 10 s. */
  private waitBefore(attempt: number, failure: Failure): number {
    if (failure.kind === 'status' && failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, MAX_RETRY_AFTER_MS);
    const exp = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (attempt - 1));
    // "equal jitter": at least half the step, so waits still grow, but spread so clients don't sync up
    return Math.round(exp / 2 + (exp / 2) * this.random());
  }

  private async attempt(
    method: HttpMethod,
    path: string,
    opts: RequestOptions<unknown>,
  ): Promise<{ kind: 'ok'; status: number; text: string } | { kind: 'fail'; failure: Failure }> {
    // Our own abort covers the whole exchange, body included (ofetch's `timeout` stops at the headers).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('Fluence request timed out'));
    }, this.timeoutMs);
    try {
      const res: FetchResponse<ReadableStream<Uint8Array>> = await this.$fetch.raw<ReadableStream<Uint8Array>, 'stream'>(this.origin + path, {
        method,
        headers: { 'X-API-KEY': this.apiKey, accept: 'application/json' },
        ...(opts.body !== undefined ? { body: opts.body as Record<string, unknown> } : {}),
        ...(opts.query ? { query: opts.query } : {}),
        // never follow: the key must only go to the configured origin
        redirect: 'error',
        // read here, with a cap, instead of ofetch buffering whatever arrives
        responseType: 'stream',
        retry: false,
        ignoreResponseError: true,
        signal: controller.signal,
      });
      this.logger?.debug({ method, path, status: res.status }, 'Fluence response');
      let text: string;
      try {
        text = await readCapped(res._data ?? res.body, res.headers.get('content-length'), this.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) return { kind: 'fail', failure: { kind: 'too_large', status: res.status } };
        throw e;
      }
      if (res.status >= 200 && res.status < 300) return { kind: 'ok', status: res.status, text };
      return {
        kind: 'fail',
        failure: { kind: 'status', status: res.status, text, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()) },
      };
    } catch (e) {
      if (timedOut) return { kind: 'fail', failure: { kind: 'timeout' } };
      if (isRedirectRefusal(e)) return { kind: 'fail', failure: { kind: 'redirect' } };
      return { kind: 'fail', failure: { kind: 'network', code: networkCode(e) } };
    } finally {
      clearTimeout(timer);
    }
  }

  private parse<T>(method: HttpMethod, path: string, status: number, text: string, schema: z.ZodType<T> | undefined): T {
    if (!schema) return undefined as T;
    const where = `${method} ${path}`;
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      const what = text.trim() ? 'the body is not valid JSON' : 'the body is empty';
      throw new FluenceError('bad_response', `Fluence sent an unexpected response for ${where}: ${what} (HTTP ${status}).`, {
        status,
        method,
        path,
      });
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = formatPath(issue?.path ?? []);
    const msg = (issue?.message ?? 'does not match').replace(/^Invalid input: /, '');
    throw new FluenceError('bad_response', `Fluence sent an unexpected response for ${where}: ${field}: ${msg}`, {
      status,
      method,
      path,
      field,
    });
  }

  /** Maps the last failure to the one error users see. Message texts are shown in Slack. */
  private toError(method: HttpMethod, path: string, f: Failure, what = 'what was asked for'): FluenceError {
    const base = { method, path };
    // A write that may have reached Fluence must not be blindly repeated (a deploy charges money).
    const maybeApplied = method !== 'GET';
    const checkFirst = method === 'POST'
      ? 'It may or may not have gone through: check `/gpu list` before trying again, or you may deploy (and pay) twice.'
      : 'It may or may not have gone through: check `/gpu list` before trying again.';
    if (f.kind === 'timeout') {
      const secs = Math.round(this.timeoutMs / 100) / 10;
      return maybeApplied
        ? new FluenceError('unavailable', `Fluence did not answer within ${secs} s. ${checkFirst}`, { ...base, maybeApplied: true })
        : new FluenceError('unavailable', `Fluence did not answer within ${secs} s. Try again in a minute.`, base);
    }
    if (f.kind === 'redirect') {
      return new FluenceError(
        'bad_response',
        `Fluence at ${this.origin} answered ${method} ${path} with a redirect. gpu-bot does not follow redirects, so the API key only ever goes to FLUENCE_API_URL: check that it is the API's own https address.`,
        base,
      );
    }
    if (f.kind === 'too_large') {
      const mb = Math.round((this.maxBodyBytes / (1024 * 1024)) * 10) / 10;
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
        return new FluenceError('unavailable', `Could not reach Fluence at ${this.origin}: ${words}. ${checkFirst}`, { ...base, maybeApplied: true });
      }
      return new FluenceError('unavailable', `Could not reach Fluence at ${this.origin}: ${words}. Try again in a minute.`, base);
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
