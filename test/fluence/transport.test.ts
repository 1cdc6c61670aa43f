/**
 * The client against a stub server we script: every error class a user can meet, the retry
 * policy (GETs only, Retry-After honoured, a POST never repeated), and the X-API-KEY header.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FluenceClient, type FluenceClientOptions } from '../../src/fluence/client';
import { FluenceError } from '../../src/fluence/errors';
import { MAX_BACKOFF_MS, parseRetryAfter } from '../../src/fluence/http';
import { closedPort, startStub, type Stub } from './stub-server';

const KEY = 'fk_live_test_key_0123456789';
const EXAMPLES = path.join(__dirname, '../../../shared/fluence/examples');
const example = (name: string): any => JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8'));

const CREATE_VM = { plan_id: 'd8312018-c50c-4278-89db-69e40013414d', name: 'train-1', ssh_key: 'ssh-ed25519 AAAA user@host', os_image: 'Ubuntu Server 22.04' };

let stub: Stub;
let sleeps: number[];
let warnings: unknown[][];

function client(extra: Partial<FluenceClientOptions> = {}): FluenceClient {
  return new FluenceClient({
    baseUrl: stub.url,
    apiKey: KEY,
    timeoutMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    logger: { warn: (...a: unknown[]) => void warnings.push(a), debug: () => {} } as unknown as FluenceClientOptions['logger'],
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<FluenceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FluenceError);
    expect((e as Error).message).not.toContain(KEY);
    return e as FluenceError;
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  stub = await startStub();
  sleeps = [];
  warnings = [];
});
afterEach(async () => {
  await stub.stop();
  // the key never reaches the logs either
  expect(JSON.stringify(warnings)).not.toContain(KEY);
});

describe('requests', () => {
  it('sends X-API-KEY and the documented path', async () => {
    stub.script({ status: 200, body: example('plans-containers.response.json') });
    const plans = await client().listPlans('container');
    expect(plans.map((p) => p.name)).toContain('h200-141gi-sxm-1gpu-16cpu-128gi-120gi');
    expect(stub.seen).toHaveLength(1);
    expect(stub.seen[0]).toMatchObject({ method: 'GET', url: '/gpu/plans/' });
    expect(stub.seen[0]!.headers['x-api-key']).toBe(KEY);
  });

  it.each(['', '/gpu', '/gpu/', '/'])('accepts a base URL ending in "%s"', async (suffix) => {
    stub.script({ status: 200, body: [] });
    await client({ baseUrl: stub.url + suffix }).listInstances('vm');
    expect(stub.seen.map((r) => r.url)).toEqual(['/gpu/instances/vms']);
  });

  it('POSTs JSON and reads the instance id from any 2xx', async () => {
    stub.script({ status: 201, body: { instance_id: 'abc-1' } });
    await expect(client().createInstance('vm', CREATE_VM)).resolves.toEqual({ instanceId: 'abc-1' });
    expect(stub.seen[0]).toMatchObject({ method: 'POST', url: '/gpu/instances/vms' });
    expect(stub.seen[0]!.headers['content-type']).toContain('application/json');
    expect(JSON.parse(stub.seen[0]!.body)).toEqual(CREATE_VM);
  });

  it('tolerates 200 instead of 204 on DELETE', async () => {
    stub.script({ status: 200, body: { ok: true } });
    await expect(client().terminateInstance('baremetal', 'x/1')).resolves.toBeUndefined();
    expect(stub.seen[0]).toMatchObject({ method: 'DELETE', url: '/gpu/instances/baremetal/x%2F1' });
  });

  it('a malformed create body is refused locally, before anything is sent', async () => {
    const err = await failure(client().createInstance('vm', { ...CREATE_VM, os_image: undefined } as never));
    expect(err.kind).toBe('validation');
    expect(err.details.issues?.[0]?.loc).toEqual(['body', 'os_image']);
    expect(stub.seen).toHaveLength(0);
  });
});

describe('error mapping', () => {
  it('422 -> validation with one issue per loc/msg, readable field names', async () => {
    stub.script({ status: 422, body: example('error-422-validation.json') });
    const err = await failure(client().createInstance('vm', CREATE_VM));
    expect(err.kind).toBe('validation');
    expect(err.details.issues).toEqual([
      { loc: ['body', 'container_settings', 'expose', 0, 'port'], msg: 'Value error, Port must be between 1 and 65535', type: 'value_error' },
    ]);
    expect(err.message).toBe('Fluence did not accept the request: container_settings.expose[0].port: Value error, Port must be between 1 and 65535');
    expect(err.message).not.toContain('999999999'); // the rejected input is not echoed (it may be a secret)
  });

  it('400 -> business with the detail verbatim', async () => {
    const detail = 'Provided OS image Ubuntu Server 2.04 is not supported for the selected offer. Available OS images: Ubuntu Server 22.04';
    stub.script({ status: 400, body: { detail } });
    const err = await failure(client().createInstance('vm', CREATE_VM));
    expect(err.kind).toBe('business');
    expect(err.message).toBe(detail);
    expect(err.details).toMatchObject({ status: 400, detail });
  });

  it.each([
    [401, { detail: 'Not authenticated' }],
    [403, { detail: 'Invalid API key' }],
    [403, { error: 'Auth failed. No such API Key' }],
    [403, undefined],
  ])('%i with body %j -> auth, telling the user what to fix', async (status, body) => {
    stub.script({ status, body });
    const err = await failure(client().listPlans('vm'));
    expect(err.kind).toBe('auth');
    expect(err.message).toBe(
      `Fluence rejected the API key (HTTP ${status}). Check FLUENCE_API_KEY: GPU Cloud needs a key that is not limited to read-only scopes.`,
    );
    expect(stub.seen).toHaveLength(1); // not retried
  });

  it('404 -> not_found naming the instance', async () => {
    stub.script({ status: 404, body: { detail: 'Not Found' } });
    const err = await failure(client().getInstance('vm', 'gone-1'));
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain('VM with ID gone-1');
  });

  it('200 with an HTML page -> bad_response', async () => {
    stub.script({ status: 200, raw: '<html><body>Welcome to nginx</body></html>' });
    const err = await failure(client().listPlans('container'));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toBe('Fluence sent an unexpected response for GET /gpu/plans/: the body is not valid JSON (HTTP 200).');
  });

  it('truncated JSON -> bad_response', async () => {
    stub.script({ status: 200, raw: JSON.stringify(example('instances-list-containers.response.json')).slice(0, 200) });
    const err = await failure(client().listInstances('container'));
    expect(err.kind).toBe('bad_response');
    expect(stub.seen).toHaveLength(1); // a broken 2xx is not retried
  });

  it('wrong types -> bad_response naming the field path', async () => {
    const body = example('instances-list-containers.response.json');
    body[0].resources.gpu_model.vram = 80;
    stub.script({ status: 200, body });
    const err = await failure(client().listInstances('container'));
    expect(err.kind).toBe('bad_response');
    expect(err.details.field).toBe('[0].resources.gpu_model.vram');
    expect(err.message).toMatch(/^Fluence sent an unexpected response for GET \/gpu\/instances\/: \[0\]\.resources\.gpu_model\.vram: expected string/);
  });

  it('HTML 502 page -> unavailable (after the GET retries), not a crash', async () => {
    stub.script({ status: 502, raw: '<html><h1>502 Bad Gateway</h1></html>' });
    const err = await failure(client().listPlans('baremetal'));
    expect(err.kind).toBe('unavailable');
    expect(err.details.status).toBe(502);
    expect(err.transient).toBe(true);
    expect(stub.seen).toHaveLength(4);
  });

  it('connection refused -> unavailable', async () => {
    const port = await closedPort();
    const err = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).listPlans('vm'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('the connection was refused');
    expect(sleeps).toHaveLength(3);
  });

  it('a dropped connection on a POST -> unavailable, maybe applied', async () => {
    stub.script('destroy');
    const err = await failure(client().createInstance('vm', CREATE_VM));
    expect(err.kind).toBe('unavailable');
    expect(err.details.maybeApplied).toBe(true);
    expect(stub.seen).toHaveLength(1);
  });
});

describe('retries', () => {
  it('429 with Retry-After, then 200: succeeds after waiting what the server asked', async () => {
    stub.script({ status: 429, body: { detail: 'slow down' }, headers: { 'retry-after': '7' } }, { status: 200, body: [] });
    await expect(client().listInstances('container')).resolves.toEqual([]);
    expect(sleeps).toEqual([7000]);
    expect(stub.seen).toHaveLength(2);
  });

  it('Retry-After may be an HTTP date', () => {
    const now = Date.UTC(2026, 1, 7, 12, 0, 0);
    expect(parseRetryAfter('Sat, 07 Feb 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
  });

  it('429 that never ends -> rate_limited with the seconds to wait; long waits capped at 30 s', async () => {
    stub.script({ status: 429, body: { detail: 'slow down' }, headers: { 'retry-after': '120' } });
    const err = await failure(client().listPlans('container'));
    expect(err.kind).toBe('rate_limited');
    expect(err.details.retryAfterSeconds).toBe(120);
    expect(sleeps).toEqual([30000, 30000, 30000]);
    expect(stub.seen).toHaveLength(4);
  });

  it('500 twice then 200 on a GET: succeeds, with growing backoff', async () => {
    stub.script({ status: 500, body: { detail: 'boom' } }, { status: 500, raw: 'Internal Server Error' }, { status: 200, body: ['a', 'b'] });
    await expect(client().getLogs('c1', 2)).resolves.toEqual(['a', 'b']);
    expect(stub.seen.map((r) => r.url)).toEqual(Array(3).fill('/gpu/instances/c1/logs?last=2'));
    // base 250, equal jitter with random 0.5: 250*(0.5+0.25), then 500*(0.75)
    expect(sleeps).toEqual([188, 375]);
    expect(warnings).toHaveLength(2);
  });

  it('backoff waits never exceed 10 s', async () => {
    stub.script({ status: 503, body: { detail: 'down' } });
    await failure(client({ backoffMs: 60_000, random: () => 0.999999 }).listPlans('vm'));
    expect(sleeps).toHaveLength(3);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
  });

  it('500 on a POST is not retried: a deploy charges money', async () => {
    stub.script({ status: 500, body: { detail: 'boom' } }, { status: 200, body: { instance_id: 'x' } });
    const err = await failure(client().createInstance('vm', CREATE_VM));
    expect(err.kind).toBe('unavailable');
    expect(stub.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a hung GET times out, is retried, then -> unavailable', async () => {
    stub.script('hang');
    const err = await failure(client({ timeoutMs: 400 }).listPlans('vm'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('did not answer');
    expect(err.details.maybeApplied).toBeUndefined();
    expect(stub.seen).toHaveLength(4);
  });

  it('a hung POST times out once -> unavailable, maybeApplied, check /gpu list', async () => {
    stub.script('hang');
    // 400 ms, not less: on a loaded machine the request must have reached the stub before the timeout
    const err = await failure(client({ timeoutMs: 400 }).createInstance('vm', CREATE_VM));
    expect(err.kind).toBe('unavailable');
    expect(err.details.maybeApplied).toBe(true);
    expect(err.message).toContain('/gpu list');
    expect(stub.seen).toHaveLength(1);
  });

  it('retries: 0 means a single attempt', async () => {
    stub.script({ status: 503, body: { detail: 'down' } });
    await failure(client({ retries: 0 }).listPlans('vm'));
    expect(stub.seen).toHaveLength(1);
  });
});
