/**
 * Sealing of what the bot must keep but never hold in clear: a deploy waiting for an admin's
 * approval (its environment values, registry password, SSH key) and the secret values of a deploy
 * form that was re-rendered (form drafts).
 *
 * AES-256-GCM, a fresh 96-bit IV per payload, the key derived with HKDF-SHA256 from
 * GPU_BOT_SEAL_KEY and from nothing else: a copy of the SQLite file opens nothing, and no other
 * setting (a Slack or Fluence credential that may be shared or rotated for its own reasons)
 * decides whether sealed payloads can be read. Without GPU_BOT_SEAL_KEY the key is random for
 * the process: sealed payloads do not survive a restart (the offline demo, or a bot without
 * spend limits, loses nothing by that).
 *
 * Every payload is sealed for one purpose and one row (`context`, e.g. `approval:<id>`): the
 * context is part of the AEAD associated data, so a payload copied onto another approval's row
 * does not open. The sealed text carries a short key id (a second HKDF output, not the key) so
 * that a payload sealed under another key is reported as "the key changed", not "corrupt".
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v2';
const SALT = 'gpu-bot/sealed/v2';
const KEY_INFO = 'sealed payload key';
const ID_INFO = 'sealed payload key id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** GPU_BOT_SEAL_KEY is at least this long (config.ts checks it): `openssl rand -base64 32` gives 44. */
export const SEAL_KEY_MIN_LENGTH = 32;

/** Where the key comes from (named in messages and logs; never its value). */
export type SealKeySource = 'GPU_BOT_SEAL_KEY' | 'ephemeral';

export type OpenResult =
  | { ok: true; value: string }
  /** Sealed under another key (GPU_BOT_SEAL_KEY changed, or the process restarted without one). */
  | { ok: false; reason: 'key_changed' }
  /** Not a sealed payload, sealed for another context, or tampered with. */
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

  /** Seals `plain` for `context` (what and which row it belongs to): it opens only for the same context. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The version, key id and context are authenticated too: none can be swapped.
    cipher.setAAD(aad(VERSION, this.keyId, context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.keyId, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): OpenResult {
    const parts = sealed.split('.');
    // v1 payloads were sealed under a key derived from the Slack or Fluence credentials
    if (parts.length === 5 && parts[0] === 'v1') return { ok: false, reason: 'key_changed' };
    if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, reason: 'corrupt' };
    const [version, keyId, ivText, tagText, bodyText] = parts as [string, string, string, string, string];
    if (keyId !== this.keyId) return { ok: false, reason: 'key_changed' };
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return { ok: false, reason: 'corrupt' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(aad(version, keyId, context));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]);
      return { ok: true, value: plain.toString('utf8') };
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
  }

  sealJson(value: unknown, context: string): string {
    return this.seal(JSON.stringify(value), context);
  }

  openJson<T = unknown>(sealed: string, context: string): { ok: true; value: T } | Extract<OpenResult, { ok: false }> {
    const r = this.open(sealed, context);
    if (!r.ok) return r;
    try {
      return { ok: true, value: JSON.parse(r.value) as T };
    } catch {
      return { ok: false, reason: 'corrupt' };
    }
  }
}

function aad(version: string, keyId: string, context: string): Buffer {
  return Buffer.from(`${version}.${keyId}.${context}`);
}

/** The associated data of a pending approval's payload: its id. */
export function approvalContext(approvalId: string): string {
  return `approval:${approvalId}`;
}

/** The associated data of a deploy form's kept secrets: the modal's request id. */
export function formDraftContext(requestId: string): string {
  return `form-draft:${requestId}`;
}

/** The sealer for this configuration: GPU_BOT_SEAL_KEY, else a random key for this process only. */
export function sealerFromConfig(config: { GPU_BOT_SEAL_KEY?: string | undefined }): Sealer {
  if (config.GPU_BOT_SEAL_KEY) return new Sealer(config.GPU_BOT_SEAL_KEY, 'GPU_BOT_SEAL_KEY');
  return new Sealer(randomBytes(32).toString('hex'), 'ephemeral');
}
