/**
 * The container form fields that are plain text with rules of their own: ports, environment
 * variables, the image reference and its registry. Pure string parsing, no form state and no
 * Slack: deploy-form.ts decides which block an error goes under. The documented limits live in
 * fluence/rules.ts.
 */
import * as rules from '../fluence/rules';
import { idLikeNameProblem } from './instances';

/**
 * An instance name: Fluence's rules, plus no name that reads like an id prefix (the resolver takes
 * those as ids). `current` is the instance's name now: keeping an older such name is not refused.
 */
export function instanceNameProblem(name: string, current?: string): string | null {
  return rules.nameProblem(name) ?? (name === current ? null : idLikeNameProblem(name));
}

export interface EnvVar {
  name: string;
  value: string;
}
type Parsed<T> = ({ ok: true } & T) | { ok: false; error: string };

/** `22/tcp, 80/http, 8000` (commas, spaces or new lines between; tcp when no protocol is given). */
export function parsePorts(text: string): Parsed<{ expose: Array<{ port: string; protocol: rules.Protocol }> }> {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  if (tokens.length < rules.EXPOSE_MIN) return { ok: false, error: 'Expose at least one port, e.g. 22/tcp for SSH.' };
  const expose: Array<{ port: string; protocol: rules.Protocol }> = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    if (/^\d+-\d+(\/\w+)?$/.test(token)) return { ok: false, error: `${token}: port ranges are not supported, list the ports one by one.` };
    const m = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(token);
    if (!m) return { ok: false, error: `"${token}" is not a port. Write a number with an optional protocol: 8000 or 8000/udp.` };
    const port = String(Number(m[1]));
    const protocol = (m[2] ?? 'tcp').toLowerCase();
    const portError = rules.portProblem(port);
    if (portError) return { ok: false, error: `${token}: ${portError}.` };
    if (!rules.isProtocol(protocol)) return { ok: false, error: `${token}: unknown protocol "${protocol}". Use ${rules.PROTOCOLS.join(', ')}.` };
    if (protocol === 'http' && port !== rules.HTTP_PORT) {
      return { ok: false, error: `${token}: only port ${rules.HTTP_PORT} can be http. Use ${port}/tcp.` };
    }
    // http is served over tcp: 80/http and 80/tcp are the same port
    const key = `${port}/${protocol === 'udp' ? 'udp' : 'tcp'}`;
    if (seen.has(key)) return { ok: false, error: `Port ${key} is listed twice.` };
    seen.add(key);
    expose.push({ port, protocol });
  }
  if (expose.length > rules.EXPOSE_MAX) {
    return { ok: false, error: `At most ${rules.EXPOSE_MAX} ports can be exposed (you listed ${expose.length}).` };
  }
  return { ok: true, expose };
}

/** Written before a value (`NAME=!value`) to mark it secret; the mark is not part of the value. */
export const SECRET_MARK = '!';

/**
 * `KEY=value` lines; blank lines and `# comments` are skipped; the value may contain `=`.
 * `KEY=!value` marks the value secret (`marked` lists those names): the `!` is dropped, so a
 * value that really starts with `!` is written `KEY=!!value` (and is then secret too).
 */
export function parseEnv(text: string): Parsed<{ env: EnvVar[]; marked: string[] }> {
  const env: EnvVar[] = [];
  const marked: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const at = `Line ${i + 1}`;
    const eq = line.indexOf('=');
    // never echo the line: it may be a secret value pasted without its name
    if (eq < 0) return { ok: false, error: `${at} has no "=": write one NAME=value per line.` };
    const name = line.slice(0, eq).trim();
    if (!name) return { ok: false, error: `${at}: the variable name before "=" is missing.` };
    const nameError = rules.envNameProblem(name);
    if (nameError) return { ok: false, error: `${at}: ${nameError}` };
    if (env.some((v) => v.name === name)) return { ok: false, error: `${at}: ${name} is set twice.` };
    const value = line.slice(eq + 1);
    if (value.startsWith(SECRET_MARK)) marked.push(name);
    env.push({ name, value: value.startsWith(SECRET_MARK) ? value.slice(SECRET_MARK.length) : value });
  }
  if (env.length > rules.ENV_MAX) {
    return { ok: false, error: `At most ${rules.ENV_MAX} variables are allowed (you have ${env.length}).` };
  }
  return { ok: true, env, marked };
}

/** The registry an image reference lives on; no host (`nginx`, `org/app:1`) means docker.io. */
export function registryHost(image: string): string {
  const first = image.split('/')[0] ?? '';
  if (!image.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost')) return 'docker.io';
  const host = first.toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** The OCI reference grammar the API follows (rules.ts): `ghcr.io/org/app:V1` is fine, `Org/App` is not. */
export const imageProblem = rules.imageProblem;

/** `KEY=` (empty) on an update keeps the value the instance has now: values are never shown in Slack. */
export function mergeKeptValues(typed: EnvVar[], current: ReadonlyArray<{ name: string; value: string }>): EnvVar[] {
  const now = new Map(current.map((v) => [v.name, v.value]));
  return typed.map((v) => (v.value === '' && now.has(v.name) ? { name: v.name, value: now.get(v.name) ?? '' } : v));
}
