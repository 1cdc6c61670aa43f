/**
 * Request-body validation as the Fluence GPU API (FastAPI + pydantic v2) answers it:
 * 422 `{detail:[{type, loc:["body",...], msg, input, ctx}]}` with every problem at once, and the
 * few body-only business rules as 400 `{detail:"..."}`. Rules come from src/fluence/rules.ts so the
 * bot and the simulator enforce the same documented limits. Plan, balance and state checks are in
 * state.ts, because they need the catalog and the account.
 */
import {
  ENV_MAX,
  EXPOSE_MAX,
  EXPOSE_MIN,
  HTTP_PORT,
  IMAGE_MAX,
  PROTOCOLS,
  REGISTRY_HOSTS,
  RESERVED_SSH_ENV,
  STARTUP_COMMAND_MAX,
  envNameProblem,
  imageProblem,
  isProtocol,
  isRegistryHost,
  nameProblem,
  portProblem,
} from '../fluence/rules';

export type Loc = Array<string | number>;
export interface Issue { type: string; loc: Loc; msg: string; input: unknown; ctx?: Record<string, unknown> }

export type Validated<T> =
  | { ok: true; value: T }
  | { ok: false; status: 422; body: { detail: Issue[] } }
  | { ok: false; status: 400; body: { detail: string } };

export interface ExposedPort { port: string; protocol: string }
export interface EnvVar { name: string; value: string }
export interface Credentials { host: string; username: string; password: string }
export interface ContainerConfig {
  image: string;
  environment: EnvVar[];
  startup_command: string | null;
  credentials: Credentials | null;
}
export interface CreateContainerInput {
  plan_id: string;
  name: string;
  expose: ExposedPort[];
  config: ContainerConfig;
  location: string | null;
  ssh_key: string | null;
}
export interface UpdateContainerInput { name: string; config: ContainerConfig; ssh_key: string | null }
export interface CreateVmInput { plan_id: string; name: string; ssh_key: string; os_image: string }
export interface RenameInput { name: string }

/** pydantic's way of quoting enum choices: "'a', 'b' or 'c'". */
function choices(xs: readonly string[]): string {
  const q = xs.map((x) => `'${x}'`);
  return q.length < 2 ? q.join('') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects issues while reading a body, pydantic-style. */
class Reader {
  readonly issues: Issue[] = [];

  add(type: string, loc: Loc, msg: string, input: unknown, ctx?: Record<string, unknown>): void {
    this.issues.push(ctx ? { type, loc, msg, input, ctx } : { type, loc, msg, input });
  }
  valueError(loc: Loc, message: string, input: unknown): void {
    this.add('value_error', loc, `Value error, ${message}`, input, { error: {} });
  }
  object(parent: unknown, loc: Loc): Record<string, unknown> | undefined {
    if (isObj(parent)) return parent;
    this.add('model_attributes_type', loc, 'Input should be a valid dictionary or object to extract fields from', parent);
    return undefined;
  }
  /** A required (or, with `optional`, nullable) string field, with an optional max length. */
  string(obj: Record<string, unknown>, key: string, loc: Loc, opts: { optional?: boolean; max?: number } = {}): string | undefined {
    const v = obj[key];
    const at = [...loc, key];
    if (v === undefined || (v === null && opts.optional)) {
      if (!opts.optional) this.add('missing', at, 'Field required', obj);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add('string_type', at, 'Input should be a valid string', v);
      return undefined;
    }
    if (opts.max !== undefined && v.length > opts.max) {
      this.add('string_too_long', at, `String should have at most ${opts.max} characters`, v, { max_length: opts.max });
      return undefined;
    }
    return v;
  }
  list(obj: Record<string, unknown>, key: string, loc: Loc, opts: { optional?: boolean; min?: number; max?: number }): unknown[] | undefined {
    const v = obj[key];
    const at = [...loc, key];
    if (v === undefined || (v === null && opts.optional)) {
      if (!opts.optional) this.add('missing', at, 'Field required', obj);
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add('list_type', at, 'Input should be a valid list', v);
      return undefined;
    }
    const s = (n: number) => (n === 1 ? 'item' : 'items');
    if (opts.min !== undefined && v.length < opts.min) {
      this.add('too_short', at, `List should have at least ${opts.min} ${s(opts.min)} after validation, not ${v.length}`, v,
        { field_type: 'List', min_length: opts.min, actual_length: v.length });
      return undefined;
    }
    if (opts.max !== undefined && v.length > opts.max) {
      this.add('too_long', at, `List should have at most ${opts.max} ${s(opts.max)} after validation, not ${v.length}`, v,
        { field_type: 'List', max_length: opts.max, actual_length: v.length });
      return undefined;
    }
    return v;
  }
  name(obj: Record<string, unknown>, loc: Loc): string | undefined {
    const name = this.string(obj, 'name', loc);
    if (name === undefined) return undefined;
    const problem = nameProblem(name);
    if (problem) this.valueError([...loc, 'name'], problem, name);
    return problem ? undefined : name;
  }
}

function readExpose(r: Reader, settings: Record<string, unknown>, loc: Loc): ExposedPort[] | undefined {
  const items = r.list(settings, 'expose', loc, { min: EXPOSE_MIN, max: EXPOSE_MAX });
  if (!items) return undefined;
  const out: ExposedPort[] = [];
  items.forEach((item, i) => {
    const at = [...loc, 'expose', i];
    const o = r.object(item, at);
    if (!o) return;
    const port = r.string(o, 'port', at);
    const protocol = r.string(o, 'protocol', at, { optional: true }) ?? 'tcp';
    let ok = port !== undefined;
    if (port !== undefined) {
      const problem = portProblem(port);
      if (problem) {
        r.valueError([...at, 'port'], problem, port);
        ok = false;
      }
    }
    if (!isProtocol(protocol)) {
      r.add('enum', [...at, 'protocol'], `Input should be ${choices(PROTOCOLS)}`, protocol, { expected: choices(PROTOCOLS) });
      ok = false;
    } else if (ok && protocol === 'http' && port !== HTTP_PORT) {
      r.valueError(at, `Only port ${HTTP_PORT} can use the http protocol`, item);
      ok = false;
    }
    if (ok && port !== undefined) out.push({ port, protocol });
  });
  return out.length === items.length ? out : undefined;
}

function readEnvironment(r: Reader, settings: Record<string, unknown>, loc: Loc): EnvVar[] {
  const items = r.list(settings, 'environment', loc, { optional: true, max: ENV_MAX }) ?? [];
  const out: EnvVar[] = [];
  items.forEach((item, i) => {
    const at = [...loc, 'environment', i];
    const o = r.object(item, at);
    if (!o) return;
    const name = r.string(o, 'name', at);
    const value = r.string(o, 'value', at);
    if (name === undefined || value === undefined) return;
    const problem = envNameProblem(name);
    if (problem) r.valueError([...at, 'name'], problem, name);
    else out.push({ name, value });
  });
  return out;
}

function readCredentials(r: Reader, settings: Record<string, unknown>, loc: Loc): Credentials | null {
  const raw = settings['credentials'];
  if (raw === undefined || raw === null) return null;
  const at = [...loc, 'credentials'];
  const o = r.object(raw, at);
  if (!o) return null;
  const host = r.string(o, 'host', at);
  const username = r.string(o, 'username', at);
  const password = r.string(o, 'password', at);
  if (host !== undefined && !isRegistryHost(host)) {
    r.add('enum', [...at, 'host'], `Input should be ${choices(REGISTRY_HOSTS)}`, host, { expected: choices(REGISTRY_HOSTS) });
    return null;
  }
  return host !== undefined && username !== undefined && password !== undefined ? { host, username, password } : null;
}

/** container_settings minus expose: shared by create and the full-replacement PUT. */
function readConfig(r: Reader, settings: Record<string, unknown>, loc: Loc): ContainerConfig | undefined {
  const image = r.string(settings, 'image', loc, { max: IMAGE_MAX });
  // the OCI reference grammar: the repository is lowercase, a tag may be `V1` (API.md §4.1 "lowercase")
  const imageError = image === undefined ? null : imageProblem(image);
  if (image !== undefined && imageError) r.valueError([...loc, 'image'], imageError, image);
  const environment = readEnvironment(r, settings, loc);
  const startup = r.string(settings, 'startup_command', loc, { optional: true, max: STARTUP_COMMAND_MAX });
  const credentials = readCredentials(r, settings, loc);
  if (image === undefined || imageError) return undefined;
  return { image, environment, startup_command: startup ?? null, credentials };
}

function finish<T>(r: Reader, value: T | undefined): Validated<T> {
  if (r.issues.length > 0 || value === undefined) {
    return { ok: false, status: 422, body: { detail: r.issues } };
  }
  return { ok: true, value };
}

/** FastAPI's answer when a required body is absent. */
function missingBody<T>(body: unknown): Validated<T> | undefined {
  if (body !== undefined) return undefined;
  return { ok: false, status: 422, body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] } };
}

/** Defining SSH_PUBKEY yourself and passing ssh_key makes the deploy fail (API.md §1.6); we reject it upfront. */
function sshEnvConflict(env: EnvVar[], sshKey: string | null): Validated<never> | undefined {
  if (sshKey && env.some((e) => e.name === RESERVED_SSH_ENV)) {
    return { ok: false, status: 400, body: { detail: `${RESERVED_SSH_ENV} environment variable cannot be set together with ssh_key` } };
  }
  return undefined;
}

export function validateCreateContainer(body: unknown): Validated<CreateContainerInput> {
  const missing = missingBody<CreateContainerInput>(body);
  if (missing) return missing;
  const r = new Reader();
  const o = r.object(body, ['body']);
  if (!o) return finish<CreateContainerInput>(r, undefined);
  const plan_id = r.string(o, 'plan_id', ['body']);
  const name = r.name(o, ['body']);
  let expose: ExposedPort[] | undefined;
  let config: ContainerConfig | undefined;
  if (o['container_settings'] === undefined) r.add('missing', ['body', 'container_settings'], 'Field required', o);
  else {
    const s = r.object(o['container_settings'], ['body', 'container_settings']);
    if (s) {
      config = readConfig(r, s, ['body', 'container_settings']);
      expose = readExpose(r, s, ['body', 'container_settings']);
    }
  }
  let location: string | null = null;
  if (o['constraints'] !== undefined && o['constraints'] !== null) {
    const c = r.object(o['constraints'], ['body', 'constraints']);
    if (c) location = r.string(c, 'location', ['body', 'constraints'], { optional: true }) ?? null;
  }
  const ssh_key = r.string(o, 'ssh_key', ['body'], { optional: true }) ?? null;
  const value = plan_id !== undefined && name !== undefined && expose && config
    ? { plan_id, name, expose, config, location, ssh_key }
    : undefined;
  const result = finish(r, value);
  return (result.ok && sshEnvConflict(result.value.config.environment, ssh_key)) || result;
}

export function validateUpdateContainer(body: unknown): Validated<UpdateContainerInput> {
  const missing = missingBody<UpdateContainerInput>(body);
  if (missing) return missing;
  const r = new Reader();
  const o = r.object(body, ['body']);
  if (!o) return finish<UpdateContainerInput>(r, undefined);
  const name = r.name(o, ['body']);
  let config: ContainerConfig | undefined;
  if (o['container_settings'] === undefined) r.add('missing', ['body', 'container_settings'], 'Field required', o);
  else {
    const s = r.object(o['container_settings'], ['body', 'container_settings']);
    // `expose` is not part of the update body; like pydantic's default, an extra one is ignored.
    if (s) config = readConfig(r, s, ['body', 'container_settings']);
  }
  const ssh_key = r.string(o, 'ssh_key', ['body'], { optional: true }) ?? null;
  const result = finish(r, name !== undefined && config ? { name, config, ssh_key } : undefined);
  return (result.ok && sshEnvConflict(result.value.config.environment, ssh_key)) || result;
}

export function validateCreateVm(body: unknown): Validated<CreateVmInput> {
  const missing = missingBody<CreateVmInput>(body);
  if (missing) return missing;
  const r = new Reader();
  const o = r.object(body, ['body']);
  if (!o) return finish<CreateVmInput>(r, undefined);
  const plan_id = r.string(o, 'plan_id', ['body']);
  const name = r.name(o, ['body']);
  const ssh_key = r.string(o, 'ssh_key', ['body']);
  const os_image = r.string(o, 'os_image', ['body']);
  return finish(r, plan_id !== undefined && name !== undefined && ssh_key !== undefined && os_image !== undefined
    ? { plan_id, name, ssh_key, os_image }
    : undefined);
}

export function validateRename(body: unknown): Validated<RenameInput> {
  const missing = missingBody<RenameInput>(body);
  if (missing) return missing;
  const r = new Reader();
  const o = r.object(body, ['body']);
  if (!o) return finish<RenameInput>(r, undefined);
  const name = r.name(o, ['body']);
  return finish(r, name !== undefined ? { name } : undefined);
}
