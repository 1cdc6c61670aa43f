/**
 * `/gpu <text>` -> a typed command, or an error a user can act on (what was wrong, the usage line,
 * and the closest sub-command for typos). Pure and total: it never throws, whatever Slack sends.
 */
import { parseWorkloadType, type WorkloadType } from '../fluence/workload';
import { DURATION_EXAMPLES, parseDuration } from '../duration';
import { ON_EXPIRY, type OnExpiry, type PolicyPatch } from '../store/policies';
import { looksLikePrivateKey, PRIVATE_KEY_WARNING } from '../services/ssh-keys';
import { parseDigest, parseSpend } from './command-money';
import {
  KIND_BY_WORD,
  ParseError,
  ROLES,
  USAGE,
  USAGE_TEXT,
  closestKind,
  fail,
  q,
  type Command,
  type CommandKind,
  type ParseResult,
  type PlanFilters,
  type Role,
  type Subject,
} from './command-usage';
import { parseAlert, parsePlans, wholeNumber } from './command-plans';

export { USAGE, USAGE_TEXT, ROLES, editDistance } from './command-usage';
export type { Command, CommandKind, ParseResult, PlanFilters, Role, Subject } from './command-usage';

export const MAX_INPUT = 2000;
const MAX_LINES = 1000;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function parseCommand(text: string): ParseResult {
  try {
    if (typeof text !== 'string') return { ok: false, error: 'The command text is missing.', usage: USAGE_TEXT };
    if (text.length > MAX_INPUT) {
      return { ok: false, error: `That command is too long (${text.length} characters; the limit is ${MAX_INPUT}).`, usage: USAGE_TEXT };
    }
    // a private key pasted into a command: a warning, and no word of it repeated back
    if (looksLikePrivateKey(text)) return { ok: false, error: PRIVATE_KEY_WARNING, usage: USAGE.key };
    const words = text.split(/[\s\u200b\u2060]+/u).filter((w) => w.length > 0);
    const [first, ...args] = words;
    if (first === undefined) return { ok: true, command: { kind: 'help' } };
    const kind = KIND_BY_WORD.get(first.toLowerCase());
    if (!kind) {
      const suggestion = closestKind(first.toLowerCase());
      return {
        ok: false,
        error: `I don't know the command ${q(first)}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        usage: suggestion ? USAGE[suggestion as CommandKind] : USAGE_TEXT,
        ...(suggestion ? { suggestion } : {}),
      };
    }
    return { ok: true, command: parseArgs(kind, args) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.error, usage: e.usage };
    return { ok: false, error: 'I could not read that command.', usage: USAGE_TEXT };
  }
}

function parseArgs(kind: CommandKind, args: string[]): Command {
  const noMore = (from: number) => {
    const extra = args[from];
    if (extra !== undefined) fail(kind, `\`${kind}\` does not take ${q(extra)}.`);
  };
  switch (kind) {
    case 'help':
    case 'images':
    case 'balance':
      noMore(0);
      return { kind };
    case 'plans':
      return parsePlans(args);
    case 'alert':
      return parseAlert(args);
    case 'deploy': {
      noMore(1);
      if (args[0] === undefined) return { kind };
      const type = parseWorkloadType(args[0]);
      if (!type) fail(kind, `${q(args[0])} is not a workload type; use container, vm or baremetal.`);
      return { kind, type: type! };
    }
    case 'list': {
      noMore(1);
      const a = args[0]?.toLowerCase();
      if (a !== undefined && !['all', '--all', '-a'].includes(a)) fail(kind, `\`list\` takes only \`all\`, got ${q(args[0]!)}.`);
      return { kind, all: a !== undefined };
    }
    case 'status':
    case 'terminate':
    case 'update':
    case 'watch':
      noMore(1);
      return { kind, instance: instanceArg(kind, args[0]) };
    case 'logs':
    case 'events': {
      noMore(2);
      const instance = instanceArg(kind, args[0]);
      const raw = args[1]?.replace(/^(lines|n)=/i, '');
      const lines = raw === undefined ? 50 : wholeNumber(kind, 'lines', raw, 1, MAX_LINES);
      return { kind, instance, lines };
    }
    case 'rename': {
      noMore(2);
      const instance = instanceArg(kind, args[0]);
      const newName = args[1];
      if (newName === undefined) fail(kind, `\`rename\` needs the new name: ${USAGE.rename}`);
      if (!NAME_RE.test(newName!)) {
        fail(kind, `The new name must be 1–100 letters, digits, '-', '_' or '.', starting with a letter or digit; got ${q(newName!)}.`);
      }
      return { kind, instance, newName: newName! };
    }
    case 'access':
      return parseAccess(args);
    case 'budget':
      return parseBudget(args);
    case 'audit': {
      noMore(1);
      return { kind, n: args[0] === undefined ? 20 : wholeNumber(kind, 'n', args[0], 1, 100) };
    }
    case 'lease': {
      noMore(2);
      const instance = instanceArg(kind, args[0]);
      const raw = args[1];
      if (raw === undefined) fail(kind, `\`lease\` needs how long from now, like ${DURATION_EXAMPLES}, or \`off\` to keep it until terminated.`);
      if (OFF_WORDS.includes(raw!.toLowerCase())) return { kind, instance, durationMs: null };
      return { kind, instance, durationMs: duration(kind, raw!) };
    }
    case 'policy':
      return parsePolicy(args);
    case 'key':
      return parseKey(args);
    case 'spend':
      return parseSpend(args);
    case 'digest':
      return parseDigest(args, (w) => (parseSubject(w)?.kind === 'channel' ? parseSubject(w)!.id : undefined));
  }
}

/** What was typed after `key` is never quoted back: it may be a key (or worse) pasted in the wrong place. */
function parseKey(args: string[]): Command {
  const a = args[0]?.toLowerCase();
  if (a === undefined || a === 'show') {
    if (args.length > 1) fail('key', '`key` shows your saved key and takes nothing more; `key set` saves one.');
    return { kind: 'key', action: 'show' };
  }
  if (['set', 'add', 'save', 'replace'].includes(a)) {
    return args.length > 1 ? { kind: 'key', action: 'set', text: args.slice(1).join(' ') } : { kind: 'key', action: 'set' };
  }
  if (['clear', 'remove', 'delete', 'forget', 'off'].includes(a)) {
    if (args.length > 1) fail('key', '`key clear` takes nothing more.');
    return { kind: 'key', action: 'clear' };
  }
  // the key itself right after `key`
  if (/^(ssh-|ecdsa-|sk-)/.test(args[0]!)) return { kind: 'key', action: 'set', text: args.join(' ') };
  return fail('key', '`key` takes `set` (to save your SSH public key) or `clear` (to forget it), or nothing to show it.');
}

const OFF_WORDS = ['off', 'none', 'never', 'forever', 'unlimited'];
const POLICY_KEYS = 'lease=, max-lease=, on-expiry=';

function duration(kind: CommandKind, raw: string): number {
  const r = parseDuration(raw);
  if (!r.ok) fail(kind, `${r.error.charAt(0).toUpperCase()}${r.error.slice(1)}.`);
  return (r as { ms: number }).ms;
}

function parsePolicy(args: string[]): Command {
  if (args.length === 0) return { kind: 'policy' };
  let channelId: string | undefined;
  let rest = args;
  if (!args[0]!.includes('=') && !OFF_WORDS.includes(args[0]!.toLowerCase()) && args[0]!.toLowerCase() !== 'default') {
    const s = parseSubject(args[0]!);
    if (s?.kind !== 'channel') fail('policy', `${q(args[0]!)} is not a channel; mention it with #.`);
    channelId = s!.id;
    rest = args.slice(1);
  }
  const base = channelId ? { kind: 'policy' as const, channelId } : { kind: 'policy' as const };
  if (rest.length === 0) return base;
  if (rest.length === 1 && ['off', 'default', 'defaults', 'reset', 'remove'].includes(rest[0]!.toLowerCase())) return { ...base, remove: true };
  const patch: PolicyPatch = {};
  for (const arg of rest) {
    const eq = arg.indexOf('=');
    if (eq <= 0) fail('policy', `I don't understand ${q(arg)} in \`policy\`: use ${POLICY_KEYS} (or \`off\` alone to remove the policy).`);
    const key = arg.slice(0, eq).toLowerCase().replace(/_/g, '-');
    const value = arg.slice(eq + 1);
    const clears = ['default', 'none', 'off', ''].includes(value.toLowerCase());
    if (key === 'lease') patch.leaseMs = clears ? null : duration('policy', value);
    else if (key === 'max-lease' || key === 'maxlease' || key === 'max') patch.maxLeaseMs = clears ? null : duration('policy', value);
    else if (key === 'on-expiry' || key === 'onexpiry' || key === 'expiry') {
      const v = value.toLowerCase();
      if (!(ON_EXPIRY as readonly string[]).includes(v)) fail('policy', `on-expiry must be remind or terminate, got ${q(value)}.`);
      patch.onExpiry = v as OnExpiry;
    } else fail('policy', `Unknown policy setting ${q(key)}; the settings are ${POLICY_KEYS}.`);
  }
  return { ...base, patch };
}

function instanceArg(kind: CommandKind, word: string | undefined): string {
  if (word === undefined) fail(kind, `\`${kind}\` needs an instance: \`/gpu ${kind} <id, 8+ char id prefix, or name>\``);
  if (!NAME_RE.test(word!)) fail(kind, `${q(word!)} is not an instance id, id prefix or name (letters, digits, '-', '_', '.').`);
  return word!;
}

/**
 * `<@U123|alice>`, `<@U123>`, `<#C123|general>`, or a raw U…/W…/C…/G… id. The prefix must fit the
 * mention: users are U/W, channels C/G. Anything else (a DM id D…, a channel id written as a user)
 * is undefined; `subjectProblem` says why.
 */
export function parseSubject(word: string): Subject | undefined {
  const m = /^<([@#])([A-Z0-9]{2,40})(?:\|[^>]*)?>$/i.exec(word);
  const sigil = m ? m[1] : undefined;
  const id = (m ? (m[2] ?? '') : word).toUpperCase();
  if (!m && !/^[A-Z][A-Z0-9]{2,40}$/.test(word)) return undefined;
  if (/^[UW]/.test(id) && sigil !== '#') return { kind: 'user', id };
  if (/^[CG]/.test(id) && sigil !== '@') return { kind: 'channel', id };
  return undefined;
}

/** Why `word` is not a user or channel, in words that say what to type instead. */
export function subjectProblem(word: string): string {
  const m = /^<([@#])([A-Z0-9]{2,40})(?:\|[^>]*)?>$/i.exec(word);
  const id = (m ? (m[2] ?? '') : word).toUpperCase();
  if (/^D[A-Z0-9]{2,40}$/.test(id)) {
    return `${q(word)} is a direct-message conversation, not a user or channel: grants go to a person (@user) or a channel (#channel).`;
  }
  if (m?.[1] === '@' && /^[CG]/.test(id)) return `${q(word)} is a channel id written as a user: mention the channel with # (\`<#${id}>\`).`;
  if (m?.[1] === '#' && /^[UW]/.test(id)) return `${q(word)} is a user id written as a channel: mention the user with @ (\`<@${id}>\`).`;
  return `${q(word)} is not a user or channel; mention them with @ or #, or give a U…/W… user id or C…/G… channel id.`;
}

function subjectArg(word: string | undefined): Subject {
  if (word === undefined) fail('access', `Name a user or channel: ${USAGE.access}`);
  const s = parseSubject(word!);
  if (!s) fail('access', subjectProblem(word!));
  return s!;
}

function parseAccess(args: string[]): Command {
  const [action, who, role, extra] = args;
  const a = action?.toLowerCase();
  if (a === undefined || a === 'show' || a === 'list') {
    if (who !== undefined) fail('access', `\`access ${a}\` takes nothing more.`);
    return { kind: 'access', action: 'show' };
  }
  if (a === 'grant' || a === 'add') {
    const subject = subjectArg(who);
    const r = role?.toLowerCase();
    if (!r || !(ROLES as readonly string[]).includes(r)) fail('access', `The role must be viewer, deployer or admin${role ? `, got ${q(role)}` : ''}.`);
    if (extra !== undefined) fail('access', `\`access grant\` does not take ${q(extra)}.`);
    return { kind: 'access', action: 'grant', subject, role: r as Role };
  }
  if (a === 'revoke' || a === 'remove') {
    const subject = subjectArg(who);
    if (role !== undefined) fail('access', `\`access revoke\` does not take ${q(role)}.`);
    return { kind: 'access', action: 'revoke', subject };
  }
  return fail('access', `\`access\` takes show, grant or revoke, got ${q(action!)}.`);
}

function parseBudget(args: string[]): Command {
  let i = 0;
  let channelId: string | undefined;
  const first = args[0];
  if (first !== undefined && !/^\$?[\d.]/.test(first) && first.toLowerCase() !== 'off') {
    const s = parseSubject(first);
    if (s?.kind !== 'channel') fail('budget', s ? `${q(first)} is not a channel but a user; mention the channel with #.` : subjectProblem(first));
    channelId = s!.id;
    i = 1;
  }
  const amount = args[i];
  if (args[i + 1] !== undefined) fail('budget', `\`budget\` does not take ${q(args[i + 1]!)}.`);
  const base = channelId ? { kind: 'budget' as const, channelId } : { kind: 'budget' as const };
  if (amount === undefined) return base;
  if (amount.toLowerCase() === 'off' || amount.toLowerCase() === 'none') return { ...base, usdPerHour: null };
  const m = /^\$?(\d{1,6}(?:\.\d{1,2})?)(?:\/h)?$/i.exec(amount);
  const n = m?.[1] !== undefined ? Number(m[1]) : NaN;
  if (!(n > 0)) fail('budget', `The budget must be USD per hour like 25 or $2.50, or \`off\`; got ${q(amount)}.`);
  return { ...base, usdPerHour: n };
}

/** The button value for a plans page: the `plans` arguments themselves, re-parsed on click. */
export function encodePlansQuery(type: WorkloadType, filters: PlanFilters, page: number): string {
  const parts: string[] = [type];
  if (filters.gpu) parts.push(`gpu=${filters.gpu}`);
  if (filters.count !== undefined) parts.push(`count=${filters.count}`);
  if (filters.maxPrice !== undefined) parts.push(`max=${filters.maxPrice}`);
  if (filters.location) parts.push(`location=${filters.location}`);
  parts.push(`page=${page}`);
  return parts.join(' ');
}

export function decodePlansQuery(value: string): Extract<Command, { kind: 'plans' }> | undefined {
  const r = parseCommand(`plans ${value}`);
  return r.ok && r.command.kind === 'plans' ? r.command : undefined;
}
