/**
 * Which SSH key a deploy or update form sends: the user's saved key (`/gpu key set`), one of the
 * Fluence account's keys (main API GET /v1/ssh_keys, when the API key may list them), or one
 * pasted into the form. The form shows a select of those choices above the paste field; a key
 * typed into the paste field always wins (the user just typed it). Pure: no Slack, no store.
 */
import { describeKey, parsePublicKey, type PublicKey } from './ssh-keys';

/** Option values of the key select (account keys are `account:<id>`). */
export const KEY_CHOICE = {
  saved: 'saved',
  paste: 'paste',
  none: 'none',
  /** Update form: send the key the instance has now (or none, if it has none). */
  keep: 'keep',
} as const;
const ACCOUNT_PREFIX = 'account:';
/** Slack's option value limit. */
const OPTION_VALUE_MAX = 75;

/** Public keys a form may offer. Only keys that parse are listed. */
export interface KeySources {
  saved?: PublicKey;
  account: Array<{ id: string; name: string; key: PublicKey }>;
}

export const NO_KEY_SOURCES: KeySources = { account: [] };

export interface KeyOption {
  value: string;
  /** At most 75 characters (Slack's option text). */
  label: string;
  /** The full algorithm and fingerprint when the label has no room for it. */
  description?: string;
}

export interface KeyFormMode {
  form: 'deploy' | 'update';
  /** The machine cannot be reached without a key (VM, bare metal): no "No SSH key" choice. */
  required: boolean;
  /** Update form: the instance has a key now. */
  hasCurrentKey?: boolean;
}

export function accountChoice(id: string): string {
  return `${ACCOUNT_PREFIX}${id}`;
}

/**
 * The select's options and the one picked at first, or undefined when there is nothing to pick
 * (no saved key, no account key): the form then shows the paste field alone, as it always did.
 * A deploy starts on the saved key. An update starts on the instance's current key: replacing it
 * by default could lock out whoever holds it; with no current key it starts on the saved key.
 */
export function keyOptions(sources: KeySources, mode: KeyFormMode): { options: KeyOption[]; initial: string } | undefined {
  const account = sources.account.filter((a) => accountChoice(a.id).length <= OPTION_VALUE_MAX);
  if (!sources.saved && account.length === 0) return undefined;
  const options: KeyOption[] = [];
  if (mode.form === 'update') {
    options.push({ value: KEY_CHOICE.keep, label: mode.hasCurrentKey ? 'Keep the current key' : 'No key (as now)' });
  }
  if (sources.saved) options.push(savedOption(sources.saved));
  for (const a of account) {
    options.push({
      value: accountChoice(a.id),
      label: clamp(`Fluence account key: ${oneLine(a.name) || 'unnamed'}`, 75),
      description: describeKey(a.key),
    });
  }
  if (mode.form === 'deploy' && !mode.required) options.push({ value: KEY_CHOICE.none, label: 'No SSH key' });
  options.push({ value: KEY_CHOICE.paste, label: 'Paste another key (below)' });
  const initial =
    mode.form === 'update'
      ? mode.hasCurrentKey || !sources.saved ? KEY_CHOICE.keep : KEY_CHOICE.saved
      : sources.saved ? KEY_CHOICE.saved : KEY_CHOICE.paste;
  // 100 options at most in a select: the account keys are cut first
  return { options: options.length > 100 ? [...options.slice(0, 98), ...options.slice(-2)] : options, initial };
}

function savedOption(key: PublicKey): KeyOption {
  const full = `My saved key (${describeKey(key)})`;
  return full.length <= 75 ? { value: KEY_CHOICE.saved, label: full } : { value: KEY_CHOICE.saved, label: 'My saved key', description: describeKey(key) };
}

export interface KeyFields {
  /** The select's value; undefined when the form has no select. */
  choice?: string | undefined;
  /** The paste field as typed (or the key the bot kept from an earlier render). */
  pasted: string;
  /** "Remember this key" ticked. */
  remember: boolean;
}

export type KeyResolution =
  | {
      ok: true;
      /** The key to send; undefined: none (deploy) or keep the current one (update, `keep`). */
      key?: PublicKey;
      keep?: true;
      /** A pasted key to save as the user's key (only when "remember" was ticked). */
      remember?: PublicKey;
    }
  /** `field`: where the error goes (the select or the paste field). `privateKey`: drop the input. */
  | { ok: false; field: 'choice' | 'paste'; error: string; privateKey?: true };

export function resolveKey(fields: KeyFields, sources: KeySources, mode: KeyFormMode): KeyResolution {
  const pasted = fields.pasted.trim();
  if (pasted) {
    const parsed = parsePublicKey(pasted);
    if (!parsed.ok) return { ok: false, field: 'paste', error: parsed.error, ...(parsed.privateKey ? { privateKey: true as const } : {}) };
    const same = sources.saved?.fingerprint === parsed.key.fingerprint;
    return { ok: true, key: parsed.key, ...(fields.remember && !same ? { remember: parsed.key } : {}) };
  }
  const choice = fields.choice;
  if (choice === KEY_CHOICE.saved) {
    return sources.saved
      ? { ok: true, key: sources.saved }
      : { ok: false, field: 'choice', error: 'Your saved key was cleared meanwhile. Pick another key, or paste one below.' };
  }
  if (choice?.startsWith(ACCOUNT_PREFIX)) {
    const found = sources.account.find((a) => accountChoice(a.id) === choice);
    return found
      ? { ok: true, key: found.key }
      : { ok: false, field: 'choice', error: 'That Fluence account key is no longer listed. Pick another key, or paste one below.' };
  }
  if (choice === KEY_CHOICE.keep && mode.form === 'update') return { ok: true, keep: true };
  if (mode.required) {
    return choice === KEY_CHOICE.none
      ? { ok: false, field: 'choice', error: 'This machine needs an SSH key: it is the only way in. Pick one, or paste one below.' }
      : { ok: false, field: 'paste', error: 'An SSH public key is required: it is the only way into the machine. Paste yours (the .pub file).' };
  }
  return { ok: true };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function clamp(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
