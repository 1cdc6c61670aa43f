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
import { FluenceError } from './errors';
import { failureToError, formatPath, isRedirectRefusal, isRetryable, networkCode, type Failure, type HttpMethod } from './http-failure';

export { formatPath, type HttpMethod } from './http-failure';

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
      if (last) throw failureToError(failure, { method, path, origin: this.origin, timeoutMs: this.timeoutMs, maxBodyBytes: this.maxBodyBytes }, opts.what);
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

}
