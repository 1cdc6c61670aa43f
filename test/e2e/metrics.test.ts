/**
 * Issue 13 §4: GET /metrics and GET /readyz through the real bot. Slack requests (signed, through
 * Bolt) and Fluence calls (the simulator) show up as counters and histograms by name and outcome;
 * the page never carries a user id, user name, channel, instance id or name, or a secret.
 */
import { ACTION, SHORTCUT } from '../../src/slack/ids';
import { startSlackStandin, type SlackUser } from '../../src/standin';
import { BOT_TOKEN, SIGNING_SECRET, startTestBot, type TestBot } from '../support/bot-harness';
import { startFakeSocketMode } from '../support/fake-socket-mode';
import { sampleValue } from '../support/prometheus';
import { nthResponse } from '../support/responses';

const USER = 'U7QXMETRIC';
const USER_NAME = 'zoe.quartermain';
const CHANNEL = 'C9METRICSX';

let t: TestBot;
let zoe: SlackUser;

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${t.bot.port}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const scrape = async () => (await get('/metrics')).text;

async function answer(text: string): Promise<any> {
  const ack = await zoe.command(text);
  expect(ack.status).toBe(200);
  return nthResponse(t.standin, ack.responseUrl!);
}

describe('GET /metrics', () => {
  beforeAll(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: USER } });
    zoe = t.user.withUser(USER, USER_NAME).inChannel(CHANNEL);
  });
  afterAll(async () => {
    await t.stop();
  });
  afterEach(() => t.sim.control.clearFaults());

  it('counts /gpu sub-commands by name and outcome, and times their acks', async () => {
    const before = await scrape();
    const plansBefore = sampleValue(before, 'gpu_bot_slack_requests_total', { type: 'command', name: 'plans', outcome: 'ok' }) ?? 0;
    const acksBefore = sampleValue(before, 'gpu_bot_slack_ack_seconds_count', { type: 'command' }) ?? 0;

    await answer('plans');
    await answer('plans h100');
    const bad = await zoe.command('frobnicate the-thing');
    expect(bad.status).toBe(200);
    await t.bot.context.inflight.idle();

    const page = await scrape();
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'command', name: 'plans', outcome: 'ok' })).toBe(plansBefore + 2);
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'command', outcome: 'invalid' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(page, 'gpu_bot_slack_ack_seconds_count', { type: 'command' })).toBe(acksBefore + 3);
    // acks are fast: every one under Slack's 3 s
    expect(sampleValue(page, 'gpu_bot_slack_ack_seconds_bucket', { type: 'command', le: '3' })).toBe(acksBefore + 3);
  });

  it('a repeated delivery of one command counts as duplicate, not twice ok', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'dup' }) as [string];
    const body = new URLSearchParams({
      token: 'standin-verification-token', team_id: 'T_TEAM', team_domain: 'standin', channel_id: CHANNEL, channel_name: 'metrics',
      user_id: USER, user_name: USER_NAME, command: '/gpu', text: `status ${vm}`, api_app_id: 'A_STANDIN', is_enterprise_install: 'false',
      response_url: t.standin.responseUrl(undefined, { channel: CHANNEL }), trigger_id: t.standin.newTriggerId(),
    }).toString();
    const okBefore = sampleValue(await scrape(), 'gpu_bot_slack_requests_total', { name: 'status', outcome: 'ok' }) ?? 0;
    expect((await zoe.send(body)).status).toBe(200);
    expect((await zoe.send(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await t.bot.context.inflight.idle();
    const page = await scrape();
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { name: 'status', outcome: 'ok' })).toBe(okBefore + 1);
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { name: 'status', outcome: 'duplicate' })).toBe(1);
  });

  it('a global shortcut is counted by its callback id', async () => {
    const ack = await zoe.shortcut(SHORTCUT.deploy);
    expect(ack.status).toBe(200);
    await t.bot.context.inflight.idle();
    const page = await scrape();
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'shortcut', name: SHORTCUT.deploy, outcome: 'ok' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_slack_ack_seconds_count', { type: 'shortcut' })).toBe(1);
  });

  it('Fluence calls by endpoint template and status class; a Fluence failure is the request outcome', async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'payroll-gpu' }) as [string];
    const card = await answer(`status ${ctr}`);
    await t.user.withUser(USER, USER_NAME).inChannel(CHANNEL).clickButton(card, ACTION.refresh);
    await t.bot.context.inflight.idle();
    t.sim.control.setFaults({ errorRate: 1 });
    await answer(`status ${ctr}`);
    await t.bot.context.inflight.idle();

    const page = await scrape();
    expect(sampleValue(page, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'GET', endpoint: '/gpu/instances/{id}', status_class: '2xx' })).toBeGreaterThanOrEqual(2);
    // the failing GETs are retried: each attempt is a sample (4 per list of a type)
    expect(sampleValue(page, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'GET', endpoint: '/gpu/instances/', status_class: '5xx' })).toBe(4);
    expect(sampleValue(page, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'GET', endpoint: '/gpu/instances/vms', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(page, 'gpu_bot_fluence_request_duration_seconds_count', { method: 'GET', endpoint: '/gpu/plans/', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'action', name: ACTION.refresh, outcome: 'ok' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'command', name: 'status', outcome: 'fluence_error' })).toBe(1);
  });

  it('watches by state, outbox backlog and its age, leader, and failed posts as delivery failures', async () => {
    const [initializing] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'slowbox', status: 'INITIALIZED' }) as [string];
    t.standin.fail('chat.postMessage', { error: 'not_in_channel', channel: CHANNEL, times: 1 });
    await answer(`watch ${initializing}`);
    await t.bot.context.inflight.idle();

    let page = await scrape();
    expect(sampleValue(page, 'gpu_bot_watches', { state: 'watching' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_delivery_failures_total', { op: 'post', reason: 'not_in_channel' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_leader')).toBe(1);
    expect(sampleValue(page, 'gpu_bot_outbox_backlog')).toBe(0);
    expect(sampleValue(page, 'gpu_bot_outbox_oldest_age_seconds')).toBe(0);

    // ready, but Slack answers the reply with a 429: it waits in the outbox
    t.sim.control.setStatus(initializing, 'ACTIVE');
    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 30, times: 1 });
    await t.tick();
    t.clock.advance(20_000);
    page = await scrape();
    expect(sampleValue(page, 'gpu_bot_watches', { state: 'ready' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_watches', { state: 'watching' })).toBeUndefined();
    expect(sampleValue(page, 'gpu_bot_delivery_failures_total', { reason: 'rate_limited' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_outbox_backlog')).toBe(1);
    expect(sampleValue(page, 'gpu_bot_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(20);

    // past Retry-After it goes out: the backlog is empty again
    await t.tick();
    page = await scrape();
    expect(sampleValue(page, 'gpu_bot_outbox_backlog')).toBe(0);
    expect(sampleValue(page, 'gpu_bot_outbox_oldest_age_seconds')).toBe(0);
  });

  it('serves Prometheus text with Node process metrics, and no user, channel, instance or secret in it', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+/m);
    const instances = t.sim.control.instances();
    expect(instances.length).toBeGreaterThan(0);
    const forbidden = [USER, USER_NAME, CHANNEL, 'U_ALICE', 'alice', 'C_GENERAL', 'T_TEAM', BOT_TOKEN, SIGNING_SECRET, t.sim.apiKey, 'frobnicate', 'the-thing', ...instances.flatMap((i) => [i.id, i.name])];
    for (const word of forbidden) expect({ word, found: res.text.includes(word) }).toEqual({ word, found: false });
  });
});

describe('GET /readyz', () => {
  let r: TestBot | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('200 with each check ok while the store answers and Slack accepts the token', async () => {
    r = await startTestBot();
    const res = await fetch(`http://127.0.0.1:${r.bot.port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, checks: { store: 'ok', slack: 'ok' } });
    expect(r.standin.callsTo('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  it('503 naming Slack when auth.test refuses the token; /healthz stays 200 (alive, not ready)', async () => {
    const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
    standin.fail('auth.test', { error: 'invalid_auth' });
    r = await startTestBot({ standin, ownsShared: true });
    const res = await fetch(`http://127.0.0.1:${r.bot.port}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toMatchObject({ ok: false, checks: { store: 'ok', slack: 'auth.test failed: invalid_auth' }, reason: 'slack: auth.test failed: invalid_auth' });
    expect(JSON.stringify(body)).not.toContain(BOT_TOKEN);
    expect((await fetch(`http://127.0.0.1:${r.bot.port}/healthz`)).status).toBe(200);
    // probes do not spend Slack's rate limit: a failure is asked again at most every 10 s
    const asked = standin.callsTo('auth.test').length;
    await fetch(`http://127.0.0.1:${r.bot.port}/readyz`);
    expect(standin.callsTo('auth.test').length).toBe(asked);
  });

  it('503 naming the store when the database is closed', async () => {
    r = await startTestBot();
    await r.bot.context.store.close();
    const res = await fetch(`http://127.0.0.1:${r.bot.port}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, checks: { store: 'the database is closed', slack: 'ok' }, reason: 'store: the database is closed' });
  });
});

test('Socket Mode: /metrics and /readyz on the health port count what came over the socket', async () => {
  const socket = await startFakeSocketMode();
  let s: TestBot | undefined;
  try {
    const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
    standin.handle('apps.connections.open', () => ({ url: socket.url }));
    s = await startTestBot({ standin, ownsShared: true, env: { SLACK_APP_TOKEN: 'xapp-metrics-test' } });
    const responseUrl = standin.responseUrl('sock-plans', { channel: 'C_GENERAL' });
    socket.push({
      envelope_id: 'env-plans',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { token: 'x', team_id: 'T_TEAM', channel_id: 'C_GENERAL', user_id: 'U_ALICE', user_name: 'alice', command: '/gpu', text: 'plans', response_url: responseUrl, trigger_id: standin.newTriggerId() },
    });
    await standin.waitFor(() => standin.responses.find((r) => r.id === 'sock-plans'));
    await s.bot.context.inflight.idle();
    const page = await (await fetch(`http://127.0.0.1:${s.bot.port}/metrics`)).text();
    expect(sampleValue(page, 'gpu_bot_slack_requests_total', { type: 'command', name: 'plans', outcome: 'ok' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_slack_ack_seconds_count', { type: 'command' })).toBe(1);
    expect(sampleValue(page, 'gpu_bot_fluence_request_duration_seconds_count', { endpoint: '/gpu/plans/', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    expect((await fetch(`http://127.0.0.1:${s.bot.port}/readyz`)).status).toBe(200);
  } finally {
    await s?.stop();
    await socket.close();
  }
}, 15_000);
