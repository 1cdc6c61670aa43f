/**
 * The plan filter grammar, shared by `/gpu plans` and `/gpu alert add` (one grammar, one parser):
 * a type word, a GPU model (`h100`), a count (`4x`), and `gpu=`, `count=`, `max=`, `location=`
 * as key=value. Errors name the sub-command that was typed, so its usage line is shown under them.
 */
import { WORKLOADS, parseWorkloadType, type WorkloadType } from '../fluence/workload';
import { fail, q, type Command, type CommandKind, type PlanFilters } from './command-usage';

type FilterKind = Extract<CommandKind, 'plans' | 'alert'>;

export function wholeNumber(kind: CommandKind, what: string, raw: string, min: number, max: number): number {
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) fail(kind, `${what} must be a whole number from ${min} to ${max}, got ${q(raw)}`);
  return n;
}

export interface PlanQuery {
  type: WorkloadType;
  filters: PlanFilters;
  page: number;
}

/** `page=` only where there are pages to turn (`plans`). */
export function parsePlanQuery(kind: FilterKind, args: string[]): PlanQuery {
  const keys = kind === 'plans' ? 'gpu, count, max, location, page' : 'gpu, count, max, location';
  let type: WorkloadType | undefined;
  let page = 1;
  const filters: PlanFilters = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      const key = arg.slice(0, eq).toLowerCase();
      const value = arg.slice(eq + 1);
      if (key === 'gpu' || key === 'model') filters.gpu = gpuModel(kind, value);
      else if (key === 'count' || key === 'gpus' || key === 'n') filters.count = wholeNumber(kind, 'count', value, 1, 64);
      else if (key === 'max' || key === 'maxprice' || key === 'price') filters.maxPrice = price(kind, value);
      else if (key === 'location' || key === 'loc') filters.location = location(kind, value);
      else if (key === 'page' && kind === 'plans') page = wholeNumber(kind, 'page', value, 1, 10000);
      else if (key === 'type') type = workloadType(kind, type, value);
      else fail(kind, `Unknown filter ${q(key)}; the filters are ${keys}.`);
      continue;
    }
    const countMatch = /^(?:(\d{1,3})x|x(\d{1,3}))$/i.exec(arg);
    if (countMatch) {
      filters.count = wholeNumber(kind, 'count', countMatch[1] ?? countMatch[2] ?? '', 1, 64);
    } else if (parseWorkloadType(arg)) {
      type = workloadType(kind, type, arg);
    } else if (/^[a-z]{1,6}-?\d{2,5}[a-z0-9]{0,6}$/i.test(arg)) {
      filters.gpu = arg.toLowerCase();
    } else {
      const what = kind === 'plans' ? '`plans`' : '`alert add`';
      fail(kind, `I don't understand ${q(arg)} in ${what}: use a type (containers, vms, baremetal), a GPU model like h100, 4x for a GPU count, or ${keys} as key=value.`);
    }
  }
  return { type: type ?? 'container', filters, page };
}

export function parsePlans(args: string[]): Command {
  return { kind: 'plans', ...parsePlanQuery('plans', args) };
}

const ADD = ['add', 'new', 'create', 'set'];
const LIST = ['list', 'ls', 'show'];
const REMOVE = ['remove', 'rm', 'delete', 'del', 'off', 'cancel'];

/** `alert` / `alert list`, `alert add <filters>`, `alert remove <id>`. */
export function parseAlert(args: string[]): Command {
  const [first, ...rest] = args;
  const action = first?.toLowerCase();
  if (action === undefined || LIST.includes(action)) {
    if (rest[0] !== undefined) fail('alert', `\`alert list\` takes nothing more, got ${q(rest[0])}.`);
    return { kind: 'alert', action: 'list' };
  }
  if (ADD.includes(action)) {
    const { type, filters } = parsePlanQuery('alert', rest);
    if (filters.gpu === undefined && filters.count === undefined && filters.maxPrice === undefined && filters.location === undefined) {
      fail('alert', 'Say what to watch for: a GPU model like h100, a count like 4x, max=<usd/h> and/or location=<code>, e.g. `/gpu alert add h100 max=2`.');
    }
    return { kind: 'alert', action: 'add', type, filters };
  }
  if (REMOVE.includes(action)) {
    const raw = rest[0];
    if (raw === undefined) fail('alert', '`alert remove` needs the alert\'s number, as `/gpu alert list` shows it: `/gpu alert remove 12`.');
    if (rest[1] !== undefined) fail('alert', `\`alert remove\` takes one alert number, got also ${q(rest[1])}.`);
    const id = wholeNumber('alert', 'The alert number', raw!.replace(/^#/, ''), 1, 9_999_999);
    return { kind: 'alert', action: 'remove', id };
  }
  return fail('alert', `\`alert\` takes add, list or remove, got ${q(first!)}. To be told about a plan: \`/gpu alert add h100 max=2\`.`);
}

function workloadType(kind: FilterKind, previous: WorkloadType | undefined, word: string): WorkloadType {
  const type = parseWorkloadType(word);
  if (!type) return fail(kind, `${q(word)} is not a workload type; use containers, vms or baremetal.`);
  if (previous && previous !== type) fail(kind, `Pick one type: ${WORKLOADS[previous].plural} or ${WORKLOADS[type].plural}.`);
  return type;
}

function gpuModel(kind: FilterKind, v: string): string {
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(v)) fail(kind, `gpu must be a GPU model like h100 or rtx4090, got ${q(v)}`);
  return v.toLowerCase();
}

function location(kind: FilterKind, v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v)) fail(kind, `location must be a country code like US or a datacenter slug, got ${q(v)}`);
  return v;
}

function price(kind: FilterKind, v: string): number {
  const m = /^\$?(\d{1,6}(?:\.\d{0,6})?|\.\d{1,6})(?:\/h(?:r|our)?)?$/i.exec(v);
  const n = m?.[1] !== undefined ? Number(m[1]) : NaN;
  if (!(n > 0)) fail(kind, `max must be a price in USD per hour like 2.50 or $2.50, got ${q(v)}`);
  return n;
}
