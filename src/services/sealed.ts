/**
 * Sealing of pending-approval payloads: a deploy waiting for an admin still holds the environment
 * values and registry password the user typed, and they must never sit in the database in clear.
 *
 * AES-256-GCM, a fresh 96-bit IV per payload, the key derived with HKDF-SHA256 from a secret the
 * database does NOT hold (SLACK_SIGNING_SECRET, else FLUENCE_API_KEY, else SLACK_BOT_TOKEN). A copy
 * of the SQLite file alone therefore opens nothing. The sealed text carries a short key id (a
 * second HKDF output, not the key) so that a payload sealed under another secret is reported as
 * "the key changed" rather than "corrupt": after rotating that secret, pending approvals cannot be
 * opened and must be requested again.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const SALT = 'gpu-bot/sealed/v1';
const KEY_INFO = 'approval payload key';
const ID_INFO = 'approval payload key id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Which configured secret the key comes from (named in messages and logs; never its value). */
export type SealKeySource = 'SLACK_SIGNING_SECRET' | 'FLUENCE_API_KEY' | 'SLACK_BOT_TOKEN' | 'ephemeral';

export type OpenResult =
  | { ok: true; value: string }
  /** Sealed under another secret (the source secret was changed since). */
  | { ok: false; reason: 'key_changed' }
  /** Not a sealed payload, or tampered with. */
  | { ok: false; reason: 'corrupt' };

export class Sealer {
  private readonly key: Buffer;
  /** Short public id of the key: tells "other key" from "damaged" without revealing anything. */
  readonly keyId: string;

  constructor(
    secret: string,
    readonly source: SealKeySource,
  ) {
    if (!secret) throw new Error('Sealer needs a non-empty secret');
    this.key = Buffer.from(hkdfSync('sha256', secret, SALT, KEY_INFO, 32));
    this.keyId = Buffer.from(hkdfSync('sha256', secret, SALT, ID_INFO, 6)).toString('base64url');
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The version and key id are authenticated too: they cannot be swapped onto another payload.
    cipher.setAAD(Buffer.from(`${VERSION}.${this.keyId}`));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.keyId, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): OpenResult {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: 'corrupt' };
    const [version, keyId, ivText, tagText, bodyText] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) return { ok: false, reason: 'key_changed' };
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return { ok: false, reason: 'corrupt' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(`${version}.${keyId}`));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]);
      return { ok: true, value: plain.toString('utf8') };
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T = unknown>(sealed: string): { ok: true; value: T } | Extract<OpenResult, { ok: false }> {
    const r = this.open(sealed);
    if (!r.ok) return r;
    try {
      return { ok: true, value: JSON.parse(r.value) as T };
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
  }
}

export interface SealerConfig {
  SLACK_SIGNING_SECRET?: string | undefined;
  FLUENCE_API_KEY?: string | undefined;
  SLACK_BOT_TOKEN?: string | undefined;
}

/**
 * The sealer for this configuration: the first of SLACK_SIGNING_SECRET, FLUENCE_API_KEY,
 * SLACK_BOT_TOKEN that is set. With none of them (an offline demo) the key is random for this
 * process, so pending approvals do not survive a restart.
 */
export function sealerFromConfig(config: SealerConfig): Sealer {
  const sources = ['SLACK_SIGNING_SECRET', 'FLUENCE_API_KEY', 'SLACK_BOT_TOKEN'] as const;
  for (const name of sources) {
    const value = config[name];
    if (value) return new Sealer(value, name);
  }
  return new Sealer(randomBytes(32).toString('hex'), 'ephemeral');
}
