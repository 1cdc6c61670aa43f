/**
 * Which values of a form are secret, and how a re-rendered form keeps them without sending them
 * back to Slack. A modal is re-rendered (views.update) when the user picks another plan or preset,
 * or when Fluence refuses the deploy after the ack; everything typed so far goes back as the
 * fields' initial values. Secret values must not: they would sit in Slack's copy of the view (and
 * in any debug log of the call). Instead the bot keeps them (sealed, keyed by the modal's request
 * id, see slack/handlers/deploy-drafts.ts) and the form shows where they are kept:
 *  - a secret environment line becomes `NAME=!` (marked secret, value left out); submitting
 *    `NAME=!` unchanged deploys the kept value, typing a new value replaces it;
 *  - the registry password and the SSH key fields come back empty, and empty means "the one
 *    you typed before" while one is kept.
 * Pure: no Slack, no store.
 */
import { isSecretEnvName, looksLikeCredential } from '../secrets';
import { SECRET_MARK, parseEnv, type EnvVar } from './form-fields';
import { looksLikePrivateKey } from './ssh-keys';

/** Secret values the user typed into one form, kept by the bot across re-renders. */
export interface KeptSecrets {
  /** Environment values by variable name. */
  env: Record<string, string>;
  registryPassword?: string;
  sshKey?: string;
}

/**
 * A switch word: no credential is literally `true` or `none`, while a credential-like name often
 * holds one (`TOKENIZERS_PARALLELISM=false`, `REQUIRE_AUTH=true`). Registered as a secret, the
 * word would be masked in every message and log line of every user from then on.
 */
const SWITCH_VALUE = /^(true|false|yes|no|on|off|none|null|enabled|disabled)$/i;

/** True when an environment variable's value is a secret: marked `NAME=!value`, a credential-like name (unless the value is a switch word), or a credential-like value. */
export function isSecretEnv(v: EnvVar, marked: readonly string[]): boolean {
  if (marked.includes(v.name)) return true;
  if (v.value === '') return false;
  return (isSecretEnvName(v.name) && !SWITCH_VALUE.test(v.value.trim())) || looksLikeCredential(v.value);
}

export function hasKept(kept: KeptSecrets | undefined): boolean {
  return Boolean(kept && (Object.keys(kept.env).length || kept.registryPassword || kept.sshKey));
}

/**
 * Takes the secrets out of what a re-render sends back to Slack: the environment text with each
 * secret value replaced by `NAME=!`, and the SSH key removed. Returns the values to render and
 * what to keep (what was kept before still holds for `NAME=!` lines left unchanged). A private key
 * pasted into the key field is never kept, not even sealed (`privateKeyDropped`: say so instead).
 */
export function withholdSecrets(
  typed: { env?: string | undefined; sshKey?: string | undefined; registryPassword?: string | undefined },
  previous: KeptSecrets | undefined,
): { env?: string; kept: KeptSecrets; privateKeyDropped?: true } {
  const kept: KeptSecrets = { env: {} };
  const privateKey = typed.sshKey !== undefined && looksLikePrivateKey(typed.sshKey);
  const sshKey = privateKey ? undefined : typed.sshKey?.trim() || previous?.sshKey;
  if (sshKey) kept.sshKey = sshKey;
  const password = typed.registryPassword || previous?.registryPassword;
  if (password) kept.registryPassword = password;
  const dropped = privateKey ? { privateKeyDropped: true as const } : {};
  if (typed.env === undefined) return { kept, ...dropped };
  const parsed = parseEnv(typed.env);
  // a text that does not parse is shown again as typed, except lines that look secret
  const marked = parsed.ok ? parsed.marked : [];
  const lines = typed.env.split(/\r?\n/).map((raw) => {
    const eq = raw.indexOf('=');
    if (eq < 0 || raw.trim().startsWith('#')) return raw;
    const name = raw.slice(0, eq).trim();
    const rawValue = raw.slice(eq + 1).trim();
    const value = rawValue.startsWith(SECRET_MARK) ? rawValue.slice(SECRET_MARK.length) : rawValue;
    const secret = rawValue.startsWith(SECRET_MARK) || isSecretEnv({ name, value }, marked);
    if (!secret) return raw;
    const keep = value !== '' ? value : previous?.env[name];
    if (keep !== undefined) kept.env[name] = keep;
    return `${name}=${SECRET_MARK}`;
  });
  return { env: lines.join('\n'), kept, ...dropped };
}

/**
 * Puts kept values back into a submitted environment: `NAME=!` (marked, empty) takes the value
 * kept for NAME. Returns the names that have no kept value (the user must type them again).
 */
export function restoreKeptEnv(env: EnvVar[], marked: readonly string[], kept: KeptSecrets | undefined): { env: EnvVar[]; missing: string[] } {
  const missing: string[] = [];
  const out = env.map((v) => {
    if (v.value !== '' || !marked.includes(v.name)) return v;
    const value = kept?.env[v.name];
    if (value === undefined) {
      missing.push(v.name);
      return v;
    }
    return { name: v.name, value };
  });
  return { env: out, missing };
}

/**
 * The secret values in an environment text as typed, read line by line even when the text as a
 * whole does not parse (it is registered with the redactor before validation runs).
 */
export function secretEnvValues(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const eq = raw.indexOf('=');
    if (eq < 0 || raw.trim().startsWith('#')) continue;
    const name = raw.slice(0, eq).trim();
    const rawValue = raw.slice(eq + 1).trim();
    const marked = rawValue.startsWith(SECRET_MARK);
    const value = marked ? rawValue.slice(SECRET_MARK.length) : rawValue;
    if (value && (marked || isSecretEnv({ name, value }, []))) out.push(value);
  }
  return out;
}
