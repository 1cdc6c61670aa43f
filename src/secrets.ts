/**
 * What is a secret, and how it is kept out of what leaves the bot.
 *
 * A secret is explicit: the bot's own tokens, registry passwords, the SSH key field, environment
 * values the user marks secret (`NAME=!value`, see form-fields.ts), and values that look like
 * credentials (`looksLikeCredential`). Plain settings such as `true`, `8000` or `prod` are not
 * secrets: masking them would mangle every message that happens to contain the same word.
 *
 * Redaction is by value: a secret a user typed can come back anywhere (echoed in a 422 `input`,
 * in a log line, in an error message). One SecretRedactor knows every secret value seen so far.
 * Logs are masked as text (`mask`, `maskDeep`); Slack payloads only in their text leaves
 * (`maskPayload`), never in their structure (`type`, ids, booleans), so a payload stays valid
 * Block Kit whatever a secret's value is.
 */

const MASK = '••••••';
/** Values this short are not masked by value even when marked secret: "1" would mangle every message. */
const MIN_SECRET_LENGTH = 4;

export class SecretRedactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  /** Registers secret values (marked or credential-looking env values, registry passwords, tokens, the API key). */
  add(...values: Array<string | undefined | null>): void {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string') continue;
      const s = v.trim();
      if (s.length < MIN_SECRET_LENGTH || this.values.has(s)) continue;
      // also the forms the value takes inside JSON text, a URL-encoded log line, and Slack text
      // (views escape & < > before the masking fetch sees it)
      const slackEscaped = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), slackEscaped]) this.values.add(form);
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

  /** Deep copy of `value` with every string masked (log records, audit rows). */
  maskDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s), () => true) as T;
  }

  /**
   * Deep copy of a Slack payload (message, view, ack) with the secrets masked in its text leaves
   * only. Identifiers, `type`s, button values, metadata and non-string leaves are never touched.
   */
  maskPayload<T>(value: T): T {
    if (this.values.size === 0) return value;
    return walk(value, (s) => this.mask(s), (key) => !STRUCTURAL_KEYS.has(key)) as T;
  }
}

/**
 * Keys of Slack payloads whose string values are structure, not text a person reads: masking one
 * would make Slack reject the call (`invalid_blocks`) or break our own listeners.
 */
export const STRUCTURAL_KEYS: ReadonlySet<string> = new Set([
  'type', 'action_id', 'block_id', 'callback_id', 'external_id', 'view_id', 'hash', 'trigger_id', 'id',
  'channel', 'channel_id', 'user', 'user_id', 'users', 'team', 'team_id', 'ts', 'thread_ts', 'message_ts',
  'response_action', 'response_type', 'style', 'private_metadata', 'value', 'url', 'image_url', 'token',
  'unfurl_links', 'unfurl_media', 'mrkdwn', 'reply_broadcast', 'replace_original', 'delete_original',
  'dispatch_action', 'emoji', 'verbatim', 'initial_user', 'initial_channel', 'initial_date', 'initial_time',
]);

function walk(value: unknown, fn: (s: string) => string, maskKey: (key: string) => boolean): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, fn, maskKey));
  if (value instanceof Error) {
    // message and stack are not enumerable: copy them explicitly so an echoed secret is masked there too
    const out: Record<string, unknown> = { name: value.name, message: fn(value.message), ...(value.stack ? { stack: fn(value.stack) } : {}) };
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, fn, maskKey);
    return out;
  }
  if (value && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && !(value instanceof Map) && !(value instanceof Set)) {
    // plain objects and serializer outputs (pino's err serializer uses its own prototype)
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' && !maskKey(k) ? v : walk(v, fn, maskKey);
    return out;
  }
  return value;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const SECRET_MASK = MASK;

// ---- what looks like a credential ----------------------------------------------------------

/** Prefixes of well-known token formats (Hugging Face, GitHub, GitLab, OpenAI/Stripe, Slack, AWS, Google, JWT). */
const TOKEN_PREFIX = /^(hf_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|sk-|sk_live_|rk_live_|xox[abpore]-|xapp-|AKIA|ASIA|AIza|eyJ)/;
/** Environment names that say their value is a credential. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;
/** Long random strings: at least this long and this many bits of entropy per character. */
const RANDOM_MIN_LENGTH = 16;
const RANDOM_MIN_BITS_PER_CHAR = 3.5;

/**
 * True for values that look like credentials: a well-known token prefix, a URL with a password
 * (`postgres://u:p@host`), or a long random-looking string (letters and digits mixed, high
 * entropy). `true`, `8000`, `prod`, `/usr/bin/python3` and `https://example.com/x` are not.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (v.length < 8 || /\s/.test(v)) return false;
  if (TOKEN_PREFIX.test(v) && v.length >= 16) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(v)) return true;
  if (v.length < RANDOM_MIN_LENGTH || /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('/')) return false;
  const hasLetter = /[A-Za-z]/.test(v);
  const hasDigit = /\d/.test(v);
  if (!hasLetter || !hasDigit) return false;
  // random tokens (hex, base64) are full of digits and capitals; slugs like prod-eu-west-1-cluster are not
  const mixed = (v.match(/[A-Z0-9]/g) ?? []).length / v.length;
  return mixed >= 0.2 && bitsPerChar(v) >= RANDOM_MIN_BITS_PER_CHAR;
}

/** True when an environment variable's name says it holds a credential (`HF_TOKEN`, `DB_PASSWORD`). */
export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Shannon entropy of the characters of `s`, in bits per character. */
function bitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  const n = [...s].length;
  for (const c of counts.values()) bits -= (c / n) * Math.log2(c / n);
  return bits;
}
