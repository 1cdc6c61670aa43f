/**
 * Issue 10 §4: Fluence is a peer too. Reproduced before: a 302 to another origin received the
 * X-API-KEY; a 200 MiB log body was read whole; a real key could be sent over plain http.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from '../../src/config';
import { FluenceClient } from '../../src/fluence/client';
import { FluenceError } from '../../src/fluence/errors';
import { MAX_RESPONSE_BYTES } from '../../src/fluence/http';
import { startStub, type Stub } from './stub-server';

const KEY = 'fk_live_peer_limits_key_0123456789';

let stub: Stub;
let elsewhere: Stub;
beforeEach(async () => {
  stub = await startStub();
  elsewhere = await startStub();
});
afterEach(async () => {
  await stub.stop();
  await elsewhere.stop();
});

const client = (baseUrl = stub.url) => new FluenceClient({ baseUrl, apiKey: KEY, timeoutMs: 5000, sleep: async () => {} });

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

test('a redirect to another origin is not followed: the key stays home and the error says why', async () => {
  elsewhere.script({ status: 200, body: [] });
  stub.script({ status: 302, headers: { location: `${elsewhere.url}/gpu/instances/containers` } });
  const err = await failure(client().listInstances('container'));
  expect(elsewhere.seen).toHaveLength(0);
  expect(err.message).toMatch(/redirect/);
  expect(err.message).toMatch(/FLUENCE_API_URL/);
  expect(stub.seen).toHaveLength(1); // not retried: a redirect is configuration, not a blip
});

test('a redirect on a POST is refused the same way and the body never reaches the other origin', async () => {
  stub.script({ status: 307, headers: { location: `${elsewhere.url}/gpu/instances/containers` } });
  await failure(client().terminateInstance('container', '3fa85f64-5717-4562-b3fc-2c963f66afa6'));
  expect(elsewhere.seen).toHaveLength(0);
});

describe('response bodies are capped', () => {
  let big: Server;
  let url: string;
  let sentBytes = 0;
  let declareLength = true;
  const TOTAL = 3 * MAX_RESPONSE_BYTES; // 15 MB: the cap must stop well before this
  beforeAll(async () => {
    big = createServer((_req, res) => {
      sentBytes = 0;
      res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(TOTAL) } : {}) });
      const line = Buffer.from(`"${'log line '.repeat(100)}",`);
      const pump = () => {
        while (sentBytes < TOTAL) {
          sentBytes += line.length;
          if (!res.write(line)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(big.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    big.closeAllConnections();
    await new Promise<void>((r) => big.close(() => r()));
  });

  test.each([
    ['with a Content-Length over the cap', true],
    ['streamed without a Content-Length', false],
  ])('a huge log body %s is refused with a clear error, not read whole', async (_label, declared) => {
    declareLength = declared;
    const err = await failure(client(url).getLogs('3fa85f64-5717-4562-b3fc-2c963f66afa6', 20));
    expect(err.kind).toBe('bad_response');
    expect(err.message).toMatch(/more than 5 MB/);
    // what the server managed to push before we hung up: the cap plus socket buffers, not 15 MB
    expect(sentBytes).toBeLessThan(TOTAL);
  });
});

describe('config: a real key only over https', () => {
  test.each(['http://api.fluence.dev', 'http://10.0.0.5:8080'])('FLUENCE_API_KEY with %s is refused, naming the variable', (u) => {
    const env = { FLUENCE_API_KEY: 'k-real', FLUENCE_API_URL: u };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/FLUENCE_API_URL: expected an https:\/\/ URL when FLUENCE_API_KEY is set/);
  });

  test.each(['https://api.fluence.dev', 'http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010'])('%s is accepted with a key', (u) => {
    expect(loadConfig({ FLUENCE_API_KEY: 'k-real', FLUENCE_API_URL: u }).FLUENCE_API_URL).toBe(u);
  });

  test('without a key (sandbox) any http URL is fine', () => {
    expect(loadConfig({ FLUENCE_API_URL: 'http://fluence.internal' }).sandbox).toBe(true);
  });
});
