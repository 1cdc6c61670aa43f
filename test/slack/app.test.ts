import { Writable } from 'node:stream';
import { LogLevel } from '@slack/bolt';
import { createLogger } from '../../src/log';
import { SecretRedactor } from '../../src/secrets';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/app';
import { boltLogger } from '../../src/slack/bolt-logger';
import { SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';
import { startFakeSocketMode } from '../support/fake-socket-mode';

const SECRET = 'app-test-signing-secret-42';
const BOT_TOKEN = 'xoxb-app-test-token';

interface Seen {
  text: string;
  retryNum: number | undefined;
}

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

/** A bot with a test /gpu command (ack + respond, or post a message with a button) and a button action. */
async function startTestApp(over: Partial<SlackAppOptions> = {}, given?: SlackStandin) {
  const standin = given ?? (await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' }));
  const logs = capture();
  const redactor = new SecretRedactor();
  redactor.add(BOT_TOKEN, SECRET);
  const seen: Seen[] = [];
  const clicks: string[] = [];
  let healthy = true;
  const slack: SlackApp = createSlackApp({
    botToken: BOT_TOKEN,
    signingSecret: SECRET,
    apiUrl: standin.apiUrl,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'debug', redactor, destination: logs.destination }),
    health: () => ({ ok: healthy, db: healthy ? 'open' : 'closed' }),
    botUserId: 'U_BOT',
    botId: 'B_BOT',
    ackTimeoutMs: 300,
    register: (app) => {
      app.command('/gpu', async ({ ack, respond, command, context, client }) => {
        seen.push({ text: command.text, retryNum: context.retryNum });
        await ack();
        if (command.text === 'boom') throw new Error('listener exploded');
        if (command.text === 'button') {
          await client.chat.postMessage({
            channel: command.channel_id,
            text: 'pick',
            blocks: [{ type: 'actions', block_id: 'pick', elements: [{ type: 'button', action_id: 'test_button', value: 'i-1', text: { type: 'plain_text', text: 'Go' } }] }],
          });
          return;
        }
        await respond({ response_type: 'ephemeral', text: `you said: ${command.text}` });
      });
      app.action('test_button', async ({ ack, action, respond }) => {
        await ack();
        clicks.push((action as { value: string }).value);
        await respond({ replace_original: true, text: 'clicked' });
      });
    },
    ...over,
  });
  const { port } = await slack.start();
  const user = new SlackUser({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, standin, userId: 'U_ALICE', userName: 'alice', channelId: 'C_GENERAL' });
  return {
    standin,
    slack,
    port,
    user,
    seen,
    clicks,
    logs: logs.lines,
    setHealthy: (ok: boolean) => void (healthy = ok),
    async stop() {
      await slack.stop();
      await standin.stop();
    },
  };
}

describe('HTTP mode', () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  test('a signed slash command is acked with 200 and its respond() reaches the response_url', async () => {
    const ack = await t.user.command('plans');
    expect(ack.status).toBe(200);
    const response = await t.standin.waitFor(() => t.standin.responses.find((r) => ack.responseUrl?.endsWith(r.id)));
    expect(response.body).toMatchObject({ response_type: 'ephemeral', text: 'you said: plans' });
    // botId + botUserId were given: no auth.test round trip
    expect(t.standin.callsTo('auth.test')).toHaveLength(0);
  });

  test('a button on a message the bot posted reaches the action listener, and respond() replaces the message', async () => {
    await t.user.command('button');
    const message = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.text === 'pick'));
    expect(t.standin.callsTo('chat.postMessage')[0]?.token).toBe(BOT_TOKEN);
    const ack = await t.user.clickButton(message, 'test_button', { value: 'i-1' });
    expect(ack.status).toBe(200);
    expect(t.clicks).toEqual(['i-1']);
    await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.ts === message.ts && m.text === 'clicked'));
  });

  test('a bad signature gets 401 and the listener never runs', async () => {
    const before = t.seen.length;
    const body = new URLSearchParams({ command: '/gpu', text: 'forged', user_id: 'U_EVE', team_id: 'T_TEAM', channel_id: 'C1' }).toString();
    const res = await t.user.send(body, { signature: 'v0=' + '0'.repeat(64) });
    expect(res.status).toBe(401);
    const unsigned = await fetch(`http://127.0.0.1:${t.port}/slack/events`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(401);
    expect(t.seen.length).toBe(before);
  });

  test('a correctly signed request older than 5 minutes gets 401 (replay)', async () => {
    const before = t.seen.length;
    const body = new URLSearchParams({ command: '/gpu', text: 'old', user_id: 'U_ALICE', team_id: 'T_TEAM', channel_id: 'C1' }).toString();
    const res = await t.user.send(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(res.status).toBe(401);
    expect(t.seen.length).toBe(before);
  });

  test('wrong content-type or a malformed payload gets 4xx and the bot keeps serving', async () => {
    const form = new URLSearchParams({ command: '/gpu', text: 'x' }).toString();
    expect((await t.user.send(form, { contentType: 'application/json' })).status).toBe(400);
    expect((await t.user.send('payload=%7Bnot-json', {})).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${t.port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${t.port}/healthz`)).status).toBe(200);
    expect((await t.user.command('still alive')).status).toBe(200);
  });

  test('GET /healthz is 200 JSON when healthy and 503 when not', async () => {
    const ok = await fetch(`http://127.0.0.1:${t.port}/healthz`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ok.json()).toEqual({ ok: true, db: 'open' });
    t.setHealthy(false);
    try {
      const bad = await fetch(`http://127.0.0.1:${t.port}/healthz`);
      expect(bad.status).toBe(503);
      expect(await bad.json()).toEqual({ ok: false, db: 'closed' });
    } finally {
      t.setHealthy(true);
    }
  });

  test('x-slack-retry-num reaches context.retryNum', async () => {
    await t.user.command('retried', { retryNum: 2 });
    await t.user.command('first');
    expect(t.seen.find((s) => s.text === 'retried')?.retryNum).toBe(2);
    expect(t.seen.find((s) => s.text === 'first')?.retryNum).toBeUndefined();
  });

  test('a listener that throws is logged, never crashes, and the next request works', async () => {
    const ack = await t.user.command('boom');
    expect(ack.status).toBe(200);
    await t.standin.waitFor(() => t.logs.find((l) => l.includes('a Slack listener failed') && l.includes('listener exploded')));
    expect((await t.user.command('after the boom')).status).toBe(200);
    // and nothing the bot logged carries the token or the signing secret
    const all = t.logs.join('\n');
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(SECRET);
  });
});

test('without botId/botUserId the app asks auth.test who it is', async () => {
  const t = await startTestApp({ botId: undefined, botUserId: undefined });
  try {
    expect((await t.user.command('who')).status).toBe(200);
    await t.standin.waitFor(() => t.standin.callsTo('auth.test')[0]);
  } finally {
    await t.stop();
  }
});

test('bolt-logger maps levels and Bolt changing its level never changes the shared pino logger', () => {
  const { lines, destination } = capture();
  const pinoLogger = createLogger({ level: 'debug', destination });
  const adapter = boltLogger(pinoLogger, 'bolt');
  // capped at INFO: the Slack libraries' debug lines hold raw payloads
  expect(adapter.getLevel()).toBe(LogLevel.INFO);
  adapter.setName('web-api:WebClient:7');
  adapter.warn('rate limited', { retryAfter: 3 });
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ level: 40, component: 'bolt', slackLogger: 'web-api:WebClient:7', msg: 'rate limited {"retryAfter":3}' });
  adapter.error(new Error('kaput'));
  expect(JSON.parse(lines[1]!)).toMatchObject({ level: 50, err: { message: 'kaput' } });
  adapter.setLevel(LogLevel.ERROR);
  adapter.info('hidden');
  expect(lines).toHaveLength(2);
  expect(pinoLogger.level).toBe('debug');
});

test('Socket Mode: same app over a socket; a slash_commands envelope is acked and /healthz is served', async () => {
  const socket = await startFakeSocketMode();
  let t: Awaited<ReturnType<typeof startTestApp>> | undefined;
  try {
    // the stand-in must answer apps.connections.open (with the app token) before the app starts
    const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
    standin.handle('apps.connections.open', () => ({ url: socket.url }));
    t = await startTestApp({ appToken: 'xapp-test-app-token' }, standin);
    const responseUrl = t.standin.responseUrl('sock-cmd', { channel: 'C_GENERAL' });
    socket.push({
      envelope_id: 'env-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { token: 'x', team_id: 'T_TEAM', channel_id: 'C_GENERAL', user_id: 'U_ALICE', user_name: 'alice', command: '/gpu', text: 'over socket', response_url: responseUrl, trigger_id: t.standin.newTriggerId() },
    });
    const ack = await t.standin.waitFor(() => socket.received.find((m) => m.envelope_id === 'env-1'));
    expect(ack).toMatchObject({ envelope_id: 'env-1' });
    const response = await t.standin.waitFor(() => t!.standin.responses.find((r) => r.id === 'sock-cmd'));
    expect(response.body.text).toBe('you said: over socket');
    expect(t.standin.callsTo('apps.connections.open')[0]?.token).toBe('xapp-test-app-token');
    const health = await fetch(`http://127.0.0.1:${t.port}/healthz`);
    expect(health.status).toBe(200);
  } finally {
    await t?.stop();
    await socket.close();
  }
}, 10_000);
