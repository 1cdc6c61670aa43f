/**
 * Users' saved SSH public keys and the Fluence account's keys, as the forms offer them
 * (issue 12 §2). A saved key is stored only after it parses as a public key (ssh-keys.ts); the
 * account's keys come from the main API (GET /v1/ssh_keys, API.md §6.2), whose spec lists only JWT
 * security: when the API key is refused, or the call fails, the forms simply offer no account keys
 * (logged once at debug level, never shown to users). Logs name a key by fingerprint only.
 */
import type { FluenceApi } from '../fluence/api';
import { isFluenceError } from '../fluence/errors';
import type { Logger } from '../log';
import type { KeySources } from './ssh-key-choice';
import { describeKey, parsePublicKey, type KeyCheck, type PublicKey } from './ssh-keys';

/** What the store keeps per user: the public key line and what the bot read from it. */
export interface SavedKeyRow {
  userId: string;
  publicKey: string;
  fingerprint: string;
  algorithm: string;
  bits: number;
  updatedAt: number;
}

export interface SavedKeyRepository {
  get(userId: string): Promise<SavedKeyRow | undefined>;
  /** Insert or replace the user's key. */
  put(row: Omit<SavedKeyRow, 'updatedAt'>): Promise<void>;
  /** True when there was a key to delete. */
  delete(userId: string): Promise<boolean>;
}

export interface SshKeyBookOptions {
  repo: SavedKeyRepository;
  fluence: Pick<FluenceApi, 'listAccountSshKeys'>;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  now: () => number;
  /** How long a listed set of account keys is reused. Default 60 s. */
  accountTtlMs?: number;
  /** How long a refusal (401/403) is believed before asking again. Default 30 min. */
  refusedTtlMs?: number;
  /** How long any other failure is believed. Default 60 s. */
  failedTtlMs?: number;
}

type AccountKeys = KeySources['account'];

/** How long a form waits for the account's keys (the plans it also waits for take longer). */
export const ACCOUNT_WAIT_MS = 2000;

/** `work`'s value, or [] when it takes longer than `ms` (it still finishes). */
function atMost(work: Promise<AccountKeys>, ms: number): Promise<AccountKeys> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<AccountKeys>((resolve) => {
    timer = setTimeout(() => resolve([]), ms);
    timer.unref?.();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class SshKeyBook {
  private account: { at: number; keys: AccountKeys; ttl: number } | undefined;
  private inFlight: Promise<AccountKeys> | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly opts: SshKeyBookOptions) {}

  /** The user's saved key, or undefined (none, or one that no longer passes the rules). */
  async saved(userId: string): Promise<PublicKey | undefined> {
    const row = await this.opts.repo.get(userId);
    if (!row) return undefined;
    const parsed = parsePublicKey(row.publicKey);
    return parsed.ok ? parsed.key : undefined;
  }

  /** Checks and saves `text` as the user's key. A refused text (a private key too) is not kept anywhere. */
  async save(userId: string, text: string): Promise<KeyCheck> {
    const parsed = parsePublicKey(text);
    if (!parsed.ok) return parsed;
    await this.remember(userId, parsed.key);
    return parsed;
  }

  /** Saves a key already checked (the forms' "remember this key"). */
  async remember(userId: string, key: PublicKey): Promise<void> {
    await this.opts.repo.put({ userId, publicKey: key.text, fingerprint: key.fingerprint, algorithm: key.algorithm, bits: key.bits });
    this.opts.logger.info({ user: userId, key: describeKey(key) }, 'SSH key saved');
  }

  async clear(userId: string): Promise<boolean> {
    const had = await this.opts.repo.delete(userId);
    if (had) this.opts.logger.info({ user: userId }, 'SSH key cleared');
    return had;
  }

  /**
   * The keys a form offers this user. `account: false` skips the main API (a submission that did
   * not pick an account key); `maxAgeMs` lets a submission reuse what the form was rendered with.
   * The account's keys are optional: a form waits at most `waitMs` (default ACCOUNT_WAIT_MS) for
   * them, and a slower answer still fills the cache for the next form.
   */
  async sources(userId: string, opts: { account?: boolean; maxAgeMs?: number; waitMs?: number } = {}): Promise<KeySources> {
    const [saved, account] = await Promise.all([
      this.saved(userId),
      opts.account === false ? Promise.resolve<AccountKeys>([]) : atMost(this.accountKeys(opts.maxAgeMs), opts.waitMs ?? ACCOUNT_WAIT_MS),
    ]);
    return { ...(saved ? { saved } : {}), account };
  }

  /** The Fluence account's keys that parse; [] when the main API refuses or fails. Never throws. */
  async accountKeys(maxAgeMs?: number): Promise<AccountKeys> {
    const now = this.opts.now();
    const cached = this.account;
    if (cached && now - cached.at < Math.max(cached.ttl, maxAgeMs ?? 0)) return cached.keys;
    this.inFlight ??= this.fetchAccountKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchAccountKeys(): Promise<AccountKeys> {
    const at = this.opts.now();
    try {
      const listed = await this.opts.fluence.listAccountSshKeys();
      const keys: AccountKeys = [];
      for (const k of listed) {
        const parsed = parsePublicKey(k.publicKey);
        if (parsed.ok) keys.push({ id: k.id, name: k.name, key: parsed.key });
      }
      this.account = { at, keys, ttl: this.opts.accountTtlMs ?? 60_000 };
      this.lastFailure = undefined;
      return keys;
    } catch (err) {
      const kind = isFluenceError(err) ? err.kind : 'unexpected';
      const refused = kind === 'auth';
      this.account = { at, keys: [], ttl: refused ? (this.opts.refusedTtlMs ?? 30 * 60_000) : (this.opts.failedTtlMs ?? 60_000) };
      // silent for users; one debug line per change of reason
      if (this.lastFailure !== kind) this.opts.logger.debug({ kind }, 'account SSH keys not listed (main API GET /v1/ssh_keys): forms offer saved and pasted keys only');
      this.lastFailure = kind;
      if (!isFluenceError(err)) this.opts.logger.warn({ err }, 'listing the account SSH keys failed unexpectedly');
      return [];
    }
  }
}
