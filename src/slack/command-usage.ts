/**
 * The `/gpu` command vocabulary: the typed commands, their usage lines, the words users may type
 * for each, and the "did you mean" suggestion for typos. Split from command.ts to keep each file
 * to one concern: this one says WHAT can be typed, command.ts reads it.
 */
import type { PlanFilters } from '../services/plans';
import type { WorkloadType } from '../fluence/workload';
import type { PolicyPatch } from '../store/policies';
import type { DigestCommand, SpendCommand } from './command-money';

export type { PlanFilters };
export type Subject = { kind: 'user' | 'channel'; id: string };
export type Role = 'viewer' | 'deployer' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'deployer', 'admin'];

export type Command =
  | { kind: 'help' }
  | { kind: 'plans'; type: WorkloadType; filters: PlanFilters; page: number }
  | { kind: 'images' }
  | { kind: 'deploy'; type?: WorkloadType }
  | { kind: 'list'; all: boolean }
  | { kind: 'status' | 'terminate' | 'update' | 'watch'; instance: string }
  | { kind: 'logs' | 'events'; instance: string; lines: number }
  | { kind: 'rename'; instance: string; newName: string }
  | { kind: 'balance' }
  | { kind: 'access'; action: 'show' }
  | { kind: 'access'; action: 'grant'; subject: Subject; role: Role }
  | { kind: 'access'; action: 'revoke'; subject: Subject }
  | { kind: 'budget'; channelId?: string; usdPerHour?: number | null }
  | { kind: 'audit'; n: number }
  /** `durationMs: null`: until terminated (`off`). */
  | { kind: 'lease'; instance: string; durationMs: number | null }
  /** No channel and no patch: show all. `remove`: back to the defaults. */
  | { kind: 'policy'; channelId?: string; patch?: PolicyPatch; remove?: true }
  /** `text`: a key given right in the command (`/gpu key set ssh-ed25519 AAAA…`); never echoed. */
  | { kind: 'key'; action: 'show' | 'set' | 'clear'; text?: string }
  | SpendCommand
  | DigestCommand
  /** Plan alerts (issue 12 §3): the `plans` filter grammar; `max` is the price to be told at. */
  | { kind: 'alert'; action: 'add'; type: WorkloadType; filters: PlanFilters }
  | { kind: 'alert'; action: 'list' }
  | { kind: 'alert'; action: 'remove'; id: number };

export type CommandKind = Command['kind'];
export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; error: string; usage: string; suggestion?: string };

/** One line per sub-command, shown by help and under every parse error. */
export const USAGE: Readonly<Record<CommandKind, string>> = {
  help: '`/gpu help` — what I can do',
  plans: '`/gpu plans [containers|vms|baremetal] [h100] [4x] [gpu=<model>] [count=<n>] [max=<usd/h>] [location=<code>] [page=<n>]`',
  images: '`/gpu images` — ready-made container images',
  deploy: '`/gpu deploy [container|vm|baremetal]` — open the deploy form',
  list: '`/gpu list [all]` — your instances (`all` includes ended ones)',
  status: '`/gpu status <id, 8+ char id prefix, or name>`',
  terminate: '`/gpu terminate <id, 8+ char id prefix, or name>`',
  update: '`/gpu update <id, 8+ char id prefix, or name>` — change a container',
  watch: '`/gpu watch <id, 8+ char id prefix, or name>` — tell me when it is ready',
  logs: '`/gpu logs <instance> [lines, 1–1000, default 50]`',
  events: '`/gpu events <instance> [lines, 1–1000, default 50]`',
  rename: '`/gpu rename <instance> <new-name>`',
  balance: '`/gpu balance` — account balance',
  access: '`/gpu access [grant @user|#channel viewer|deployer|admin | revoke @user|#channel]`',
  budget: '`/gpu budget [#channel] [usd/h | off]`',
  audit: '`/gpu audit [n, 1–100, default 20]`',
  lease: '`/gpu lease <instance> <45m|8h|3d|1w|off>` — when it should stop (from now); `off`: until terminated',
  policy: '`/gpu policy [#channel [lease=8h] [max-lease=72h|none] [on-expiry=remind|terminate] | #channel off]`',
  key: '`/gpu key [set [<public key>] | clear]` — your saved SSH public key (deploy forms start with it)',
  spend: '`/gpu spend [today|7d|30d|month] [by=user|channel|instance]` — who spent what (default: 7d, by user)',
  digest: '`/gpu digest [#channel on|off]` — the daily spend digest: where it goes (admins switch channels on/off)',
  alert: '`/gpu alert add [containers|vms|baremetal] [h100] [4x] [gpu=<model>] [count=<n>] [max=<usd/h>] [location=<code>]` — tell me when such a plan appears · `/gpu alert list` · `/gpu alert remove <n>`',
};
export const USAGE_TEXT = Object.values(USAGE).join('\n');

/** Every word a user may type for each sub-command (first = canonical). */
const ALIASES: Readonly<Record<CommandKind, readonly string[]>> = {
  help: ['help', 'h', '?', '--help', '-h'],
  plans: ['plans', 'plan', 'offers'],
  images: ['images', 'image', 'imgs'],
  deploy: ['deploy', 'new', 'create', 'launch'],
  list: ['list', 'ls', 'instances'],
  status: ['status', 'show', 'info', 'get'],
  terminate: ['terminate', 'delete', 'rm', 'destroy'],
  update: ['update', 'edit'],
  watch: ['watch'],
  logs: ['logs', 'log'],
  events: ['events', 'event'],
  rename: ['rename', 'mv'],
  balance: ['balance', 'bal', 'credit'],
  access: ['access', 'acl', 'permissions'],
  budget: ['budget', 'budgets'],
  audit: ['audit', 'history'],
  lease: ['lease', 'extend'],
  policy: ['policy', 'policies'],
  key: ['key', 'keys', 'ssh-key', 'sshkey'],
  spend: ['spend', 'spending', 'cost', 'costs'],
  digest: ['digest'],
  alert: ['alert', 'alerts'],
};
export const KIND_BY_WORD = new Map<string, CommandKind>(
  (Object.entries(ALIASES) as Array<[CommandKind, readonly string[]]>).flatMap(([k, ws]) => ws.map((w) => [w, k] as const)),
);

export class ParseError extends Error {
  constructor(readonly error: string, readonly usage: string, readonly suggestion?: string) {
    super(error);
  }
}
export function fail(kind: CommandKind, error: string): never {
  throw new ParseError(error, USAGE[kind]);
}
/** Quotes user text in an error without letting it grow the message or break mrkdwn. */
export const q = (s: string) => `'${s.length > 40 ? s.slice(0, 39) + '…' : s}'`.replace(/[`<>&]/g, '');

/** Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i]![j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The canonical sub-command closest to a typo, or a prefix match ("term" -> terminate). */
export function closestKind(word: string): string | undefined {
  if (word.length > 30) return undefined;
  let best: { kind: CommandKind; dist: number } | undefined;
  for (const [alias, kind] of KIND_BY_WORD) {
    if (alias.length < 3) continue;
    const dist = word.length >= 3 && alias.startsWith(word) ? 0.5 : editDistance(word, alias);
    if (!best || dist < best.dist) best = { kind, dist };
  }
  const allowed = word.length <= 4 ? 1 : 2;
  return best && best.dist <= allowed ? best.kind : undefined;
}

