/**
 * Issue 10 §6: CI fails on a known high-severity advisory in production dependencies when the
 * registry can answer, and says clearly when it cannot. `.ci/audit.mjs` runs the real
 * `npm audit` against a local fake registry (this machine's registry proxy answers the audit
 * endpoint with 405, which is itself one of the cases).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { closedPort } from '../fluence/stub-server';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number;
  out: string;
}

function audit(registry: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, '.ci', 'audit.mjs'), `--registry=${registry}`], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: stdout });
    });
  });
}

/** Answers the bulk advisory endpoint with `answer` (status + body); everything else 404. */
async function fakeRegistry(answer: { status: number; body?: unknown }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.includes('/-/npm/v1/security/advisories/bulk')) {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

const advisory = (severity: string) => ({
  ofetch: [{ id: 1_099_999, url: 'https://example.invalid/GHSA-test', title: 'Test advisory in a production dependency', severity, vulnerable_versions: '<99.0.0', cwe: [], cvss: { score: 8.1, vectorString: null } }],
});

let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});
async function registry(answer: { status: number; body?: unknown }): Promise<string> {
  const r = await fakeRegistry(answer);
  servers.push(r.server);
  return r.url;
}

test('a high advisory in a production dependency fails, naming the package and the advisory', async () => {
  const run = await audit(await registry({ status: 200, body: advisory('high') }));
  expect(run.code).toBe(1);
  expect(run.out).toMatch(/^audit: FAILED: 1 production dependency has a known high or critical advisory/);
  expect(run.out).toContain('ofetch (high');
  expect(run.out).toContain('Test advisory in a production dependency');
}, 60_000);

test('no advisory, or only a low one, passes and says so', async () => {
  expect(await audit(await registry({ status: 200, body: {} }))).toMatchObject({ code: 0, out: expect.stringMatching(/^audit: clean/) });
  const low = await audit(await registry({ status: 200, body: advisory('low') }));
  expect(low.code).toBe(0);
  expect(low.out).toMatch(/^audit: clean: .*1 lower-severity/);
}, 60_000);

test('an audit endpoint that does not answer is UNAVAILABLE, not a pass, and not confused with an unreachable registry', async () => {
  const refused = await audit(await registry({ status: 405 }));
  expect(refused.code).toBe(0);
  expect(refused.out).toMatch(/^audit: UNAVAILABLE: the registry answered, but its audit endpoint did not \(HTTP 405/);
  expect(refused.out).toMatch(/not a pass/);

  const unreachable = await audit(`http://127.0.0.1:${await closedPort()}/`);
  expect(unreachable.out).toMatch(/^audit: UNAVAILABLE: the registry is unreachable \(ECONNREFUSED\)/);

  // pipelines that must have the answer make "unavailable" fatal, with its own exit code
  expect((await audit(await registry({ status: 503 }), { AUDIT_REQUIRED: '1' })).code).toBe(2);
}, 90_000);
