import { endpointTemplate, markOutcome, Metrics, observedLeadership, statusClass, withOutcome, type SlackOutcome } from '../src/metrics';
import { countingNotifier } from '../src/slack/request-metrics';
import type { WatchNotifier } from '../src/watch/notifier';
import { parseSamples, sampleValue } from './support/prometheus';

const page = async (m: Metrics) => (await m.render()).body;

describe('endpointTemplate: a Fluence path as a label, ids and names never kept', () => {
  it.each([
    ['/gpu/plans/', '/gpu/plans/'],
    ['/gpu/plans/vms', '/gpu/plans/vms'],
    ['/gpu/instances/', '/gpu/instances/'],
    ['/gpu/instances/3fa85f64-5717-4562-b3fc-2c963f66afa6', '/gpu/instances/{id}'],
    ['/gpu/instances/vms/vm-7f3a9c', '/gpu/instances/vms/{id}'],
    ['/gpu/instances/baremetal/bm%2F1', '/gpu/instances/baremetal/{id}'],
    ['/gpu/instances/3fa85f64/logs?last=200', '/gpu/instances/{id}/logs'],
    ['/gpu/instances/3fa85f64/events', '/gpu/instances/{id}/events'],
    ['/v2/users/balances', '/v2/users/balances'],
    ['/v1/ssh_keys', '/v1/ssh_keys'],
    // a name, a user id or a token where an id goes is still just {id}
    ['/gpu/instances/payroll-prod-hf_abcdef', '/gpu/instances/{id}'],
    ['/gpu/instances/U012ABCDEF/xoxb-123', '/gpu/instances/{id}/{id}'],
  ])('%s -> %s', (path, template) => {
    expect(endpointTemplate(path)).toBe(template);
  });

  it('is bounded: at most six segments', () => {
    expect(endpointTemplate('/a/b/c/d/e/f/g/h/i')).toBe('/{id}/{id}/{id}/{id}/{id}/{id}');
  });
});

describe('statusClass', () => {
  it.each([
    [{ status: 200 }, '2xx'],
    [{ status: 204 }, '2xx'],
    [{ status: 302 }, '3xx'],
    [{ status: 404 }, '4xx'],
    [{ status: 503 }, '5xx'],
    [{ failure: 'timeout' }, 'timeout'],
    [{ failure: 'network' }, 'network'],
    [{ failure: 'redirect' }, 'redirect'],
    [{ failure: 'something else' }, 'network'],
  ])('%j -> %s', (sample, cls) => {
    expect(statusClass(sample)).toBe(cls);
  });
});

describe('Metrics', () => {
  it('labels Slack requests only with known shapes: free text becomes "other"', async () => {
    const m = new Metrics({ processMetrics: false });
    m.slackRequest('command', 'plans', 'ok');
    m.slackRequest('action', 'Alice <U012ABCDEF> hf_secret', 'ok');
    m.slackRequest('view', 'deploy_modal', 'nonsense' as SlackOutcome);
    const body = await page(m);
    expect(sampleValue(body, 'gpu_bot_slack_requests_total', { type: 'command', name: 'plans', outcome: 'ok' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_slack_requests_total', { type: 'action', name: 'other', outcome: 'ok' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_slack_requests_total', { type: 'view', name: 'deploy_modal', outcome: 'error' })).toBe(1);
    expect(body).not.toMatch(/Alice|U012ABCDEF|hf_secret/);
  });

  it('Fluence attempts by method, endpoint template and status class; a final failure marks the request', async () => {
    const m = new Metrics({ processMetrics: false });
    const outcomes: string[] = [];
    const request = (samples: Array<Parameters<Metrics['observeFluence']>[0]>) =>
      withOutcome(async () => samples.forEach(m.observeFluence), (o) => outcomes.push(o));
    await request([{ method: 'GET', path: '/gpu/instances/abc-123', status: 200, seconds: 0.12, last: true }]);
    // a 503 retried into a 200: fine
    await request([
      { method: 'GET', path: '/gpu/plans/', status: 503, seconds: 0.05, last: false },
      { method: 'GET', path: '/gpu/plans/', status: 200, seconds: 0.05, last: true },
    ]);
    await request([{ method: 'POST', path: '/gpu/instances/', failure: 'timeout', seconds: 15, last: true }]);
    // a 404 is the user's answer, not a Fluence failure
    await request([{ method: 'GET', path: '/gpu/instances/nope', status: 404, seconds: 0.01, last: true }]);
    await request([{ method: 'GET', path: '/gpu/instances/', status: 401, seconds: 0.01, last: true }]);
    expect(outcomes).toEqual(['ok', 'ok', 'fluence_error', 'ok', 'fluence_error']);
    const body = await page(m);
    expect(sampleValue(body, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'GET', endpoint: '/gpu/instances/{id}', status_class: '2xx' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_fluence_request_duration_seconds_count', { endpoint: '/gpu/plans/', status_class: '5xx' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'POST', endpoint: '/gpu/instances/', status_class: 'timeout' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_fluence_request_duration_seconds_bucket', { method: 'POST', status_class: 'timeout', le: '10' })).toBe(0);
    expect(body).not.toMatch(/abc-123|nope/);
  });

  it('outcome marks: the worst one wins, a throw is an error, nothing outside a request', async () => {
    const m = new Metrics({ processMetrics: false });
    markOutcome('error'); // outside: ignored, no throw
    const seen: string[] = [];
    await withOutcome(async () => {
      markOutcome('fluence_error');
      markOutcome('duplicate');
    }, (o) => seen.push(o));
    await expect(withOutcome(async () => Promise.reject(new Error('boom')), (o) => seen.push(o))).rejects.toThrow('boom');
    expect(seen).toEqual(['fluence_error', 'error']);
    expect(m).toBeDefined();
  });

  it('reads each source once per scrape; a failing source drops its gauge, not the page', async () => {
    const errors: string[] = [];
    let backlogReads = 0;
    const m = new Metrics({
      processMetrics: false,
      onSourceError: (source) => errors.push(source),
      sources: {
        watchesByState: () => ({ watching: 3, ready: 7, 'not a label!': 1 }),
        outboxBacklog: async () => {
          backlogReads++;
          return { pending: 2, oldestAgeSeconds: 42.5 };
        },
        isLeader: () => {
          throw new Error('lock lost');
        },
      },
    });
    const body = await page(m);
    expect(backlogReads).toBe(1);
    expect(sampleValue(body, 'gpu_bot_watches', { state: 'watching' })).toBe(3);
    expect(sampleValue(body, 'gpu_bot_watches', { state: 'ready' })).toBe(7);
    expect(parseSamples(body).filter((s) => s.name === 'gpu_bot_watches')).toHaveLength(2);
    expect(sampleValue(body, 'gpu_bot_outbox_backlog')).toBe(2);
    expect(sampleValue(body, 'gpu_bot_outbox_oldest_age_seconds')).toBe(42.5);
    // no answer, no sample: never a stale or made-up value
    expect(sampleValue(body, 'gpu_bot_leader')).toBeUndefined();
    expect(errors).toEqual(['isLeader']);
    // another owner plugs in later (the scheduler's leadership)
    m.setSources({ isLeader: () => false });
    expect(sampleValue(await page(m), 'gpu_bot_leader')).toBe(0);
    expect(backlogReads).toBe(2);
  });

  it('process metrics are included once per process, not per bot', async () => {
    const a = await page(new Metrics());
    const b = await page(new Metrics());
    expect(a).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(b.match(/^# TYPE process_resident_memory_bytes/gm)).toHaveLength(1);
  });

  it('countingNotifier counts failed deliveries by operation and reason, and passes every answer through', async () => {
    const m = new Metrics({ processMetrics: false });
    const inner: WatchNotifier = {
      updateStatus: async () => ({ ok: false, reason: 'rate_limited', retryAfterSeconds: 3 }),
      reply: async () => ({ ok: true, ts: '1.2' }),
      dm: async () => ({ ok: false, reason: 'error', error: 'user U012ABCDEF not found' }),
      post: async () => ({ ok: false, reason: 'not_in_channel' }),
    };
    const n = countingNotifier(inner, m);
    const target = { teamId: null, channelId: 'C1', messageTs: '1.1', requesterId: 'U1' };
    const msg = { text: 'x', blocks: [] };
    expect(await n.updateStatus(target, msg)).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: 3 });
    expect(await n.reply(target, msg)).toEqual({ ok: true, ts: '1.2' });
    await n.dm('U1', msg);
    await n.post('C1', msg);
    await n.post('C1', msg);
    const body = await page(m);
    expect(sampleValue(body, 'gpu_bot_delivery_failures_total', { op: 'update_status', reason: 'rate_limited' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_delivery_failures_total', { op: 'dm', reason: 'error' })).toBe(1);
    expect(sampleValue(body, 'gpu_bot_delivery_failures_total', { op: 'post', reason: 'not_in_channel' })).toBe(2);
    expect(sampleValue(body, 'gpu_bot_delivery_failures_total', { op: 'reply' })).toBeUndefined();
    expect(body).not.toContain('U012ABCDEF');
  });
});

describe('observedLeadership: the leader gauge shows what the scheduler was last told', () => {
  it('no sample before the first answer; 1 or 0 as answered; 0 once released; a scrape never asks', async () => {
    const m = new Metrics({ processMetrics: false });
    let leader = true;
    let asked = 0;
    const l = observedLeadership({ isLeader: async () => (asked++, leader), release: async () => undefined }, m);
    expect(sampleValue(await page(m), 'gpu_bot_leader')).toBeUndefined();
    expect(await l.isLeader()).toBe(true);
    expect(sampleValue(await page(m), 'gpu_bot_leader')).toBe(1);
    leader = false;
    await l.isLeader();
    expect(sampleValue(await page(m), 'gpu_bot_leader')).toBe(0);
    leader = true;
    await l.isLeader();
    await l.release();
    expect(sampleValue(await page(m), 'gpu_bot_leader')).toBe(0);
    expect(asked).toBe(3);
  });
});
