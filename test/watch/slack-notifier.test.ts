/**
 * SlackWatchNotifier against a real HTTP stand-in for the Slack Web API on 127.0.0.1: the calls it
 * makes, and how Slack's answers (429, not_in_channel, 500) become results the watcher can store.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { SlackWatchNotifier } from '../../src/slack/watch-notifier';
import type { WatchTarget } from '../../src/watch/notifier';

interface Call {
  method: string;
  body: Record<string, unknown>;
}
type Answer = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };

let server: Server;
let calls: Call[];
let answers: Record<string, Answer[]>;
let notifier: SlackWatchNotifier;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  if ((req.headers['content-type'] ?? '').includes('json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k === 'blocks' ? JSON.parse(v) : v;
  return out;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    calls.push({ method, body: await readBody(req) });
    const a = answers[method]?.shift() ?? { body: { ok: true, ts: '1700000001.000100', channel: { id: 'D999' } } };
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  calls = [];
  answers = {};
  const port = (server.address() as AddressInfo).port;
  const client = new WebClient('xoxb-test', {
    slackApiUrl: `http://127.0.0.1:${port}/api/`,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  notifier = new SlackWatchNotifier({ client });
});

const target: WatchTarget = { teamId: 'T1', channelId: 'C1', messageTs: '1700000000.000001', requesterId: 'U1' };
const message = { text: 'hello', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hello' } }] };

test('reply posts in the deploy message thread; updateStatus edits the deploy message in place', async () => {
  expect(await notifier.reply(target, message)).toEqual({ ok: true, ts: '1700000001.000100' });
  expect(await notifier.updateStatus(target, message)).toMatchObject({ ok: true });
  expect(calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
  expect(calls[0]!.body).toMatchObject({ channel: 'C1', thread_ts: target.messageTs, text: 'hello' });
  expect(calls[1]!.body).toMatchObject({ channel: 'C1', ts: target.messageTs, text: 'hello' });
});

test('a 429 comes back at once as rate_limited with Retry-After, without a retry by the client', async () => {
  answers['chat.postMessage'] = [{ status: 429, headers: { 'retry-after': '42' }, body: { ok: false, error: 'ratelimited' } }];
  const res = await notifier.reply(target, message);
  expect(res).toEqual({ ok: false, reason: 'rate_limited', retryAfterSeconds: 42 });
  expect(calls).toHaveLength(1);
});

test.each(['not_in_channel', 'channel_not_found', 'is_archived'])('%s means the bot cannot post there', async (error) => {
  answers['chat.postMessage'] = [{ body: { ok: false, error } }];
  expect(await notifier.reply(target, message)).toEqual({ ok: false, reason: 'not_in_channel', error });
});

test('other failures (Slack 500, unknown errors) are retryable errors, never exceptions', async () => {
  answers['chat.update'] = [{ status: 500, body: { ok: false } }];
  expect(await notifier.updateStatus(target, message)).toMatchObject({ ok: false, reason: 'error' });
  answers['chat.postMessage'] = [{ body: { ok: false, error: 'internal_error' } }];
  expect(await notifier.reply(target, message)).toEqual({ ok: false, reason: 'error', error: 'internal_error' });
});

test('dm opens a conversation with the user and posts there', async () => {
  answers['conversations.open'] = [{ body: { ok: true, channel: { id: 'D42' } } }];
  expect(await notifier.dm('U1', message)).toMatchObject({ ok: true });
  expect(calls.map((c) => c.method)).toEqual(['conversations.open', 'chat.postMessage']);
  expect(calls[0]!.body).toMatchObject({ users: 'U1' });
  expect(calls[1]!.body).toMatchObject({ channel: 'D42', text: 'hello' });
});
