/**
 * Fault injection for the simulator: latency, a share of 500s and 429s, hung requests and garbage
 * bodies. Random choices come from a seeded PRNG so a failing test or benchmark replays exactly.
 */

export type GarbageKind = 'html' | 'truncated' | 'wrong-types';

export interface Faults {
  latencyMs?: number;
  /** Share (0..1) of requests answered 500. */
  errorRate?: number;
  /** Share (0..1) of requests answered 429 with Retry-After. */
  rateLimitRate?: number;
  retryAfterSeconds?: number;
  /** The next n (matching) requests are never answered. */
  hangNext?: number;
  /** The next `count` (matching) requests get a 200 with a broken body (the request itself is processed). */
  garbageNext?: { count: number; kind: GarbageKind };
  /**
   * The next `count` (matching) requests are processed (a POST creates its instance) but the answer
   * is lost: `status` 0 never answers (the client times out), otherwise that status is sent instead.
   */
  lostAnswerNext?: { count: number; status: number };
  /** Fluence changed its prices: plan/option id -> USD per hour in the plan lists from now on. */
  prices?: Record<string, number>;
  /** Called after a matching request was processed, before its answer is sent (tests take locks here). */
  onHandled?: (method: string, path: string) => void;
  /** Faults apply only to paths matching this (query string excluded). */
  onlyPaths?: RegExp;
  /** Reseeds the PRNG. */
  seed?: number;
}

/** What to do with one request before (and after) it is handled. */
export type FaultDecision =
  | { kind: 'hang' }
  | { kind: 'error'; latencyMs: number }
  | { kind: 'rate_limited'; latencyMs: number; retryAfterSeconds: number }
  | { kind: 'pass'; latencyMs: number; garbage: GarbageKind | null; lostAnswer: number | null };

/** mulberry32: tiny, fast, good enough for choosing which requests fail. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private faults: Faults = {};
  private random: () => number;

  constructor(private readonly seed = 1) {
    this.random = prng(seed);
  }

  set(f: Faults): void {
    // hang/garbage counters are consumed as requests arrive; a new setFaults replaces the whole set.
    this.faults = {
      ...f,
      garbageNext: f.garbageNext ? { ...f.garbageNext } : undefined,
      lostAnswerNext: f.lostAnswerNext ? { ...f.lostAnswerNext } : undefined,
    };
    if (f.seed !== undefined) this.random = prng(f.seed);
  }

  clear(): void {
    this.faults = {};
    this.random = prng(this.seed);
  }

  current(): Readonly<Faults> {
    return this.faults;
  }

  decide(path: string): FaultDecision {
    const f = this.faults;
    if (f.onlyPaths && !f.onlyPaths.test(path)) return { kind: 'pass', latencyMs: 0, garbage: null, lostAnswer: null };
    if (f.hangNext && f.hangNext > 0) {
      f.hangNext -= 1;
      return { kind: 'hang' };
    }
    const latencyMs = f.latencyMs ?? 0;
    const errorRate = f.errorRate ?? 0;
    const rateLimitRate = f.rateLimitRate ?? 0;
    if (errorRate > 0 || rateLimitRate > 0) {
      const r = this.random();
      if (r < errorRate) return { kind: 'error', latencyMs };
      if (r < errorRate + rateLimitRate) {
        return { kind: 'rate_limited', latencyMs, retryAfterSeconds: f.retryAfterSeconds ?? 1 };
      }
    }
    let garbage: GarbageKind | null = null;
    if (f.garbageNext && f.garbageNext.count > 0) {
      f.garbageNext.count -= 1;
      garbage = f.garbageNext.kind;
    }
    let lostAnswer: number | null = null;
    if (f.lostAnswerNext && f.lostAnswerNext.count > 0) {
      f.lostAnswerNext.count -= 1;
      lostAnswer = f.lostAnswerNext.status;
    }
    return { kind: 'pass', latencyMs, garbage, lostAnswer };
  }

  /** A plan list with the `prices` knob applied (every object with a matching `id` and `pricing`). */
  reprice<T>(body: T): T {
    const prices = this.faults.prices;
    if (!prices) return body;
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (!v || typeof v !== 'object') return v;
      const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) as Record<string, unknown>;
      const price = typeof o.id === 'string' ? prices[o.id] : undefined;
      if (price !== undefined && o.pricing && typeof o.pricing === 'object') o.pricing = { ...(o.pricing as object), hour: price };
      return o;
    };
    return walk(body) as T;
  }

  /** After a request was processed: runs the test's `onHandled` hook for matching paths. */
  handled(method: string, path: string): void {
    const f = this.faults;
    if (f.onHandled && (!f.onlyPaths || f.onlyPaths.test(path))) f.onHandled(method, path);
  }
}

/** Every string becomes a number and every number a string: a body of the right shape with wrong types. */
function wrongTypes(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v.length;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(wrongTypes);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wrongTypes(x)]));
  }
  return v;
}

/** The broken body that replaces a real JSON answer. Always served as 200. */
export function garbageBody(kind: GarbageKind, json: string): { contentType: string; body: string } {
  switch (kind) {
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        body: '<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>We will be back soon</h1></body></html>',
      };
    case 'truncated': {
      const text = json.length > 2 ? json : '{"detail": "truncated"}';
      return { contentType: 'application/json', body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    }
    case 'wrong-types': {
      let parsed: unknown = {};
      try {
        parsed = json ? JSON.parse(json) : {};
      } catch {
        parsed = {};
      }
      return { contentType: 'application/json', body: JSON.stringify(wrongTypes(parsed)) };
    }
  }
}
