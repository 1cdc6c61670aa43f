/**
 * Redaction by value. Field-name redaction (log.ts) catches `X-API-KEY` or `password` keys,
 * but a secret a user typed can come back anywhere: echoed in a 422 `input`, in a log line, in
 * an error message. Every place where text leaves the bot (Slack calls, logs, audit rows)
 * passes through one SecretRedactor that knows every secret value seen so far.
 */

const MASK = '••••••';
/** Values this short are not masked by value: "1" or "true" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

export class SecretRedactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers secret values (env values, registry passwords, tokens, the API key). */
  add(...values: Array<string | undefined | null>): void {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const s = v.trim();
      if (s.length < MIN_SECRET_LENGTH || this.values.has(s)) continue;
      // also the forms the value takes inside JSON text and inside a URL-encoded body
      for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]) this.values.add(form);
      changed = true;
    }
    if (changed) this.pattern = null;
  }

  get size(): number {
    return this.values.size;
  }

  /** Masks every known secret value inside `text`. */
  mask(text: string): string {
    if (this.values.size === 0 || !text) return text;
    if (!this.pattern) {
      // longest first, so a secret that contains another is masked whole
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /** Deep copy of `value` with every string masked. */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s)) as T;
  }
}

function walk(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn));
  if (value instanceof Error) {
    // message and stack are not enumerable: copy them explicitly so an echoed secret is masked there too
    const out: Record<string, unknown> = { name: value.name, message: fn(value.message), ...(value.stack ? { stack: fn(value.stack) } : {}) };
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, fn);
    return out;
  }
  if (value && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && !(value instanceof Map) && !(value instanceof Set)) {
    // plain objects and serializer outputs (pino's err serializer uses its own prototype)
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, fn);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const SECRET_MASK = MASK;
