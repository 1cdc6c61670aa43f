/** HTTP behaviour around the API: auth, unknown paths, slash redirects, the balance endpoint, fault knobs, speed. */
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ seed: 42 });
});
afterEach(() => h.sim.stop());

describe('auth and routing', () => {
  it('403 without or with a wrong X-API-KEY, on /gpu and /v2', async () => {
    for (const path of ['/gpu/plans/', '/gpu/instances/vms', '/v2/users/balances']) {
      const none = await fetch(h.sim.url + path);
      expect(none.status).toBe(403);
      expect(await none.json()).toEqual({ detail: expect.any(String) });
      expect((await h.call('GET', path, undefined, { 'x-api-key': 'wrong' })).status).toBe(403);
      expect((await h.call('GET', path)).status).toBe(200);
    }
  });

  it('404 {"detail":"Not Found"} for unknown paths and ids', async () => {
    for (const path of ['/gpu/nope', '/elsewhere', '/gpu/instances/vms/unknown-id', '/gpu/instances/unknown-id/events']) {
      const r = await h.call('GET', path);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ detail: 'Not Found' });
    }
  });

  it('307 to the documented path on a trailing-slash mismatch, keeping the query', async () => {
    const cases: Array<[string, string]> = [
      ['/gpu/plans', '/gpu/plans/'],
      ['/gpu/default-images', '/gpu/default-images/'],
      ['/gpu/instances', '/gpu/instances/'],
      ['/gpu/plans/vms/', '/gpu/plans/vms'],
      ['/gpu/instances/baremetal/', '/gpu/instances/baremetal'],
    ];
    for (const [from, to] of cases) {
      const r = await h.call('GET', from);
      expect(r.status).toBe(307);
      expect(new URL(r.headers.get('location')!).pathname).toBe(to);
    }
    const q = await h.call('GET', '/gpu/instances/abc/logs/?last=3');
    expect(q.status).toBe(307);
    expect(q.headers.get('location')).toBe(`${h.sim.url}/gpu/instances/abc/logs?last=3`);
    // fetch follows it (same method) and lands on the real endpoint
    const followed = await fetch(`${h.sim.url}/gpu/plans`, { headers: { 'x-api-key': h.sim.apiKey } });
    expect(followed.status).toBe(200);
  });

  it('405 for a known path with the wrong method', async () => {
    expect((await h.call('DELETE', '/gpu/plans/')).status).toBe(405);
  });

  it('/v2/users/balances answers the main-API shape with decimal strings', async () => {
    h.sim.control.setBalance(123.45);
    const r = await h.call('GET', '/v2/users/balances');
    expect(r.json).toEqual([
      {
        balance: '123.45', usage: '0.00', estimatedUsage: '0.00', overage: '0', totalDepositedAmount: '123.45',
        usageDaysLeft: null, userId: expect.any(String), featureKey: 'gpu',
      },
    ]);
    expect((await h.call('GET', '/v2/users/balances?entitlementKey=other')).json).toEqual([]);
  });

  it('records every request without its query string, with its status', async () => {
    h.sim.control.resetRequests();
    await h.call('GET', '/gpu/instances/x/logs?last=5');
    await h.call('GET', '/gpu/plans/');
    expect(h.sim.control.requests.map(({ method, path, status }) => [method, path, status])).toEqual([
      ['GET', '/gpu/instances/x/logs', 404],
      ['GET', '/gpu/plans/', 200],
    ]);
    expect(h.sim.control.requests[0]!.at).toBe(h.clock.t);
  });
});

describe('fault knobs', () => {
  it('latencyMs delays answers', async () => {
    h.sim.control.setFaults({ latencyMs: 150 });
    const t = performance.now();
    expect((await h.call('GET', '/gpu/plans/')).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
  });

  it('errorRate answers that share with 500s, reproducibly for a seed', async () => {
    const run = async () => {
      h.sim.control.setFaults({ errorRate: 0.3, seed: 7 });
      const out: number[] = [];
      for (let k = 0; k < 60; k++) out.push((await h.call('GET', '/gpu/plans/vms')).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const errors = a.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(6);
    expect(errors).toBeLessThan(36);
    expect(a.every((s) => s === 500 || s === 200)).toBe(true);
  });

  it('rateLimitRate answers 429 with Retry-After', async () => {
    h.sim.control.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 });
    const r = await h.call('GET', '/gpu/plans/');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    h.sim.control.clearFaults();
    expect((await h.call('GET', '/gpu/plans/')).status).toBe(200);
  });

  it('hangNext leaves requests unanswered until the client gives up; stop() still closes', async () => {
    h.sim.control.setFaults({ hangNext: 1 });
    const hung = fetch(`${h.sim.url}/gpu/plans/`, { headers: { 'x-api-key': h.sim.apiKey }, signal: AbortSignal.timeout(200) });
    await expect(hung).rejects.toThrow();
    expect((await h.call('GET', '/gpu/plans/')).status).toBe(200); // only the next one hangs
    h.sim.control.setFaults({ hangNext: 1 });
    const pending = fetch(`${h.sim.url}/gpu/plans/`, { headers: { 'x-api-key': h.sim.apiKey } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await h.sim.stop();
    expect((await pending) as Error).toMatchObject({ name: 'TypeError', message: 'fetch failed' }); // connection closed, no answer
  });

  it('garbageNext serves HTML, truncated JSON and wrong types as 200, then recovers', async () => {
    h.sim.control.setFaults({ garbageNext: { count: 1, kind: 'html' } });
    const html = await h.call('GET', '/gpu/plans/');
    expect([html.status, html.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    h.sim.control.setFaults({ garbageNext: { count: 1, kind: 'truncated' } });
    const cut = await h.call('GET', '/gpu/plans/');
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text)).toThrow();
    h.sim.control.setFaults({ garbageNext: { count: 1, kind: 'wrong-types' } });
    const wrong = await h.call('GET', '/gpu/plans/');
    expect(typeof wrong.json[0].plan.id).toBe('number');
    expect(typeof wrong.json[0].plan.pricing.hour).toBe('string');
    expect(typeof (await h.call('GET', '/gpu/plans/')).json[0].plan.id).toBe('string');
  });

  it('onlyPaths limits faults to matching paths', async () => {
    h.sim.control.setFaults({ errorRate: 1, onlyPaths: /^\/gpu\/instances/ });
    expect((await h.call('GET', '/gpu/plans/')).status).toBe(200);
    expect((await h.call('GET', '/gpu/instances/')).status).toBe(500);
  });
});

describe('scale', () => {
  // Speed is measured by bench/ (timed assertions flake on a loaded CI machine); this checks the content.
  it('seeds and lists 10,000 instances', async () => {
    const ids = h.sim.control.seedInstances(10_000, 'container');
    expect(new Set(ids).size).toBe(10_000);
    const r = await h.call('GET', '/gpu/instances/');
    expect(r.json).toHaveLength(10_000);
    expect(r.json[9_999]).toMatchObject({ id: ids[9_999], instance_status: 'ACTIVE', domain: 'provider.a100.pub' });
    // seeded instances do not touch the balance
    expect(h.sim.control.balance()).toBe(1000);
  });

  it('seeds VMs in a chosen status', async () => {
    const [id] = h.sim.control.seedInstances(1, 'vm', { status: 'FAILED' });
    const d = (await h.call('GET', `/gpu/instances/vms/${id}`)).json;
    expect(d.status).toBe('FAILED');
  });
});
