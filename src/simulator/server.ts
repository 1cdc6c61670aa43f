/**
 * HTTP layer of the simulator (node:http, no framework): routing with the documented paths from
 * WORKLOADS, X-API-KEY, FastAPI-style 307 slash redirects / 404 / 405 / 422 json_invalid, fault
 * injection and the request log. Business behaviour lives in state.ts, bodies in render.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { WORKLOADS, WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';
import { DEFAULT_IMAGES, groupVmOffers } from './catalog';
import type { SimAccountKeys } from './account-keys';
import { garbageBody, type FaultInjector } from './faults';
import { detail, events, listItem, logs } from './render';
import { SimRejection, type SimState } from './state';
import { validateCreateContainer, validateCreateVm, validateRename, validateUpdateContainer, type Validated } from './validation';

export interface RequestRecord { method: string; path: string; status: number; at: number }

export interface ServerDeps {
  state: SimState;
  faults: FaultInjector;
  apiKey: string;
  requests: RequestRecord[];
  accountKeys: SimAccountKeys;
  logger?: { info(...a: unknown[]): void };
}

interface Reply { status: number; body?: unknown; headers?: Record<string, string> }
interface Ctx { id: string; query: URLSearchParams; body: () => Promise<unknown> }
interface Route { method: string; match: (path: string) => string | null; handle: (c: Ctx) => Reply | Promise<Reply> }

const MAX_BODY = 1_000_000;
const GPU = '/gpu';

class BadJson extends Error {}

const exact = (p: string) => (path: string) => (path === p ? '' : null);
/** `/gpu/instances/vms/{id}`: one non-empty segment after the prefix. */
const withId = (prefix: string, suffix = '') => (path: string) => {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return null;
  const id = path.slice(prefix.length, path.length - suffix.length);
  return id && !id.includes('/') ? decodeURIComponent(id) : null;
};

const json = (status: number, body: unknown): Reply => ({ status, body });
const noContent: Reply = { status: 204 };

function fromValidation<T>(v: Validated<T>, then: (value: T) => Reply): Reply {
  return v.ok ? then(v.value) : json(v.status, v.body);
}

/** `?last=N` (API.md §4.6/4.7): absent means everything. */
function lastN(lines: string[], query: URLSearchParams): Reply {
  const raw = query.get('last');
  if (raw === null) return json(200, lines);
  if (!/^\d+$/.test(raw.trim())) {
    return json(422, { detail: [{ type: 'int_parsing', loc: ['query', 'last'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: raw }] });
  }
  const n = Number(raw);
  return json(200, n === 0 ? [] : lines.slice(-n));
}

function routes(deps: ServerDeps): Route[] {
  const { state } = deps;
  const out: Route[] = [];
  const get = (type: WorkloadType, id: string) => state.get(type, id);
  // Collections first, so `/gpu/instances/vms` is never read as container id "vms".
  for (const type of WORKLOAD_TYPES) {
    const w = WORKLOADS[type];
    out.push({
      method: 'GET',
      match: exact(GPU + w.plansPath),
      handle: () => json(200, deps.faults.reprice(type === 'container' ? state.market.containerPlans() : groupVmOffers(state.market.machineOffers(type)))),
    });
    out.push({ method: 'GET', match: exact(GPU + w.instancesPath), handle: () => {
      const t = state.now();
      return json(200, state.list(type).map((i) => listItem(state, i, t)));
    } });
    out.push({ method: 'POST', match: exact(GPU + w.instancesPath), handle: async (c) => {
      const body = await c.body();
      if (type === 'container') {
        return fromValidation(validateCreateContainer(body), (v) => json(200, { instance_id: state.createContainer(v).id }));
      }
      return fromValidation(validateCreateVm(body), (v) => json(200, { instance_id: state.createVm(type, v).id }));
    } });
  }
  for (const type of WORKLOAD_TYPES) {
    const prefix = GPU + WORKLOADS[type].instancePath('');
    const match = withId(prefix);
    out.push({ method: 'GET', match, handle: (c) => json(200, detail(state, get(type, c.id), state.now())) });
    out.push({ method: 'DELETE', match, handle: (c) => (state.terminate(type, c.id), noContent) });
    out.push({ method: 'PUT', match, handle: async (c) => {
      const body = await c.body();
      get(type, c.id); // unknown id: 404 before the body is judged
      if (type === 'container') {
        return fromValidation(validateUpdateContainer(body), (v) => (state.updateContainer(c.id, v), noContent));
      }
      return fromValidation(validateRename(body), (v) => (state.rename(type, c.id, v.name), noContent));
    } });
    if (WORKLOADS[type].hasLogs) {
      out.push({ method: 'GET', match: withId(prefix, '/logs'), handle: (c) => lastN(logs(state, get(type, c.id), state.now()), c.query) });
      out.push({ method: 'GET', match: withId(prefix, '/events'), handle: (c) => lastN(events(state, get(type, c.id), state.now()), c.query) });
    }
  }
  out.push({ method: 'GET', match: exact(`${GPU}/default-images/`), handle: () => json(200, DEFAULT_IMAGES) });
  out.push({ method: 'GET', match: exact('/v2/users/balances'), handle: (c) => {
    const key = c.query.get('entitlementKey');
    const totals = state.totals();
    const entry = {
      balance: state.balance().toFixed(2),
      usage: totals.spent.toFixed(2),
      estimatedUsage: (totals.hourly * 24).toFixed(2),
      overage: '0',
      totalDepositedAmount: totals.deposited.toFixed(2),
      usageDaysLeft: null,
      userId: '00000000-0000-4000-8000-00000000051a',
      featureKey: 'gpu',
    };
    return json(200, key && key !== entry.featureKey ? [] : [entry]);
  } });
  out.push({ method: 'GET', match: exact('/v1/ssh_keys'), handle: (c) => deps.accountKeys.answer(c.query) });
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new SimRejection(400, 'Request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createHandler(deps: ServerDeps): {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Responses held open by the `hangNext` fault; stop() ends them. */
  hung: Set<ServerResponse>;
} {
  const table = routes(deps);
  const hung = new Set<ServerResponse>();

  const find = (method: string, path: string): { route?: Route; id: string; pathMatched: boolean } => {
    let pathMatched = false;
    for (const r of table) {
      const id = r.match(path);
      if (id === null) continue;
      pathMatched = true;
      if (r.method === method) return { route: r, id, pathMatched };
    }
    return { id: '', pathMatched };
  };

  async function dispatch(req: IncomingMessage, path: string, query: URLSearchParams): Promise<Reply> {
    const method = req.method ?? 'GET';
    const guarded = ['/v1', '/v2', GPU].some((p) => path === p || path.startsWith(`${p}/`));
    if (!guarded) return json(404, { detail: 'Not Found' });
    if (req.headers['x-api-key'] !== deps.apiKey) return json(403, { detail: 'Invalid or missing API key' });
    const found = find(method, path);
    if (found.route) {
      const ctx: Ctx = {
        id: found.id,
        query,
        body: async () => {
          const text = await readBody(req);
          if (text.trim() === '') return undefined;
          try {
            return JSON.parse(text) as unknown;
          } catch {
            throw new BadJson();
          }
        },
      };
      return found.route.handle(ctx);
    }
    if (found.pathMatched) return json(405, { detail: 'Method Not Allowed' });
    // FastAPI's redirect_slashes: the same path with/without the trailing slash exists -> 307.
    const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    if (find(method, other).route) {
      const q = query.toString();
      const location = `http://${req.headers.host ?? '127.0.0.1'}${other}${q ? `?${q}` : ''}`;
      return { status: 307, headers: { location } };
    }
    return json(404, { detail: 'Not Found' });
  }

  function send(res: ServerResponse, record: RequestRecord, status: number, body: string | null, headers: Record<string, string>): void {
    record.status = status;
    deps.logger?.info({ method: record.method, path: record.path, status }, 'simulator request');
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, body === null ? headers : { 'content-type': 'application/json', ...headers });
    res.end(body ?? undefined);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const record: RequestRecord = { method: req.method ?? 'GET', path, status: 0, at: deps.state.now() };
    deps.requests.push(record);
    const decision = deps.faults.decide(path);
    if (decision.kind === 'hang') {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    void (async () => {
      if (decision.latencyMs > 0) await delay(decision.latencyMs);
      if (decision.kind === 'error') {
        return send(res, record, 500, 'Internal Server Error', { 'content-type': 'text/plain; charset=utf-8' });
      }
      if (decision.kind === 'rate_limited') {
        return send(res, record, 429, JSON.stringify({ detail: 'Too Many Requests' }), { 'retry-after': String(decision.retryAfterSeconds) });
      }
      let reply: Reply;
      try {
        reply = await dispatch(req, path, url.searchParams);
      } catch (e) {
        if (e instanceof SimRejection) reply = json(e.status, { detail: e.detail });
        else if (e instanceof BadJson) {
          reply = json(422, { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'Expecting value' } }] });
        } else {
          deps.logger?.info({ err: String(e) }, 'simulator handler crashed');
          reply = { status: 500, body: { detail: 'Internal Server Error' } };
        }
      }
      deps.faults.handled(record.method, path);
      if (decision.lostAnswer === 0) {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (decision.lostAnswer !== null) {
        return send(res, record, decision.lostAnswer, 'Bad Gateway', { 'content-type': 'text/plain; charset=utf-8' });
      }
      const text = reply.body === undefined ? null : JSON.stringify(reply.body);
      if (decision.garbage) {
        const g = garbageBody(decision.garbage, text ?? '');
        return send(res, record, 200, g.body, { ...reply.headers, 'content-type': g.contentType });
      }
      send(res, record, reply.status, text, reply.headers ?? {});
    })();
  }

  return { handle, hung };
}
