/**
 * Issue 10 §4: no slow or greedy peer can hold the HTTP receiver. Reproduced before: 40 unsigned
 * connections trickling ~4 MB each added 169 MiB RSS for up to 300 s (Bolt buffered up to 4 MB
 * per request before looking at the signature, and Node's request timeout is 300 s).
 *
 * Timeouts are shortened through `limits` so nothing here waits seconds; every wait is for an
 * event (a response, a closed socket), never a fixed sleep.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { createSlackApp, type SlackApp } from '../../src/slack/app';
import { DEFAULT_RECEIVER_LIMITS, type ReceiverLimits } from '../../src/slack/receiver-limits';
import { SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';

const SECRET = 'limits-test-signing-secret';

interface Running {
  slack: SlackApp;
  standin: SlackStandin;
  port: number;
  user: SlackUser;
  commands: string[];
}

async function start(limits: Partial<ReceiverLimits>): Promise<Running> {
  const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
  const commands: string[] = [];
  const slack = createSlackApp({
    botToken: 'xoxb-limits-test',
    signingSecret: SECRET,
    apiUrl: standin.apiUrl,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    health: () => ({ ok: true }),
    botUserId: 'U_BOT',
    botId: 'B_BOT',
    limits,
    register: (app) => {
      app.command('/gpu', async ({ ack, command }) => {
        commands.push(command.text);
        await ack();
      });
    },
  });
  const { port } = await slack.start();
  const user = new SlackUser({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, standin, userId: 'U_ALICE', userName: 'alice', channelId: 'C_GENERAL' });
  return { slack, standin, port, user, commands };
}

/** A raw connection that records what the server sent and when it closed. */
function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (d) => (data += String(d)));
    socket.on('error', () => undefined); // a reset after the server closes is expected
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

function untilReceived(conn: { socket: Socket; received: () => string }, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(conn.received())) {
        conn.socket.off('data', check);
        resolve(conn.received());
      }
    };
    conn.socket.on('data', check);
    conn.socket.once('close', () => (pattern.test(conn.received()) ? resolve(conn.received()) : reject(new Error(`closed without ${pattern}: ${JSON.stringify(conn.received())}`))));
    check();
  });
}

const head = (extra: string) => `POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;

test('the defaults are the documented ones: 256 KiB, 10 s, a connection cap', () => {
  expect(DEFAULT_RECEIVER_LIMITS).toMatchObject({ bodyLimitBytes: 256 * 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
  expect(DEFAULT_RECEIVER_LIMITS.maxConnections).toBeGreaterThan(0);
});

describe('body limit before signature verification', () => {
  let t: Running;
  beforeAll(async () => {
    t = await start({});
  });
  afterAll(async () => {
    await t.slack.stop();
    await t.standin.stop();
  });

  test('an unsigned request announcing 4 MB gets 413 at once, without the server waiting for (or reading) the body', async () => {
    const conn = await rawConnection(t.port);
    conn.socket.write(head('Content-Length: 4000000\r\n'));
    conn.socket.write('command=%2Fgpu&text=' + 'a'.repeat(1000)); // a trickle, far from the announced size
    const answer = await untilReceived(conn, /^HTTP\/1\.1 \d{3}/);
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('connection: close');
    await conn.closed; // the server hangs up instead of draining the other 3.99 MB
  });

  test('a chunked body (no Content-Length) is refused as soon as it crosses 256 KiB', async () => {
    const conn = await rawConnection(t.port);
    conn.socket.write(head('Transfer-Encoding: chunked\r\n'));
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 5; i++) conn.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`); // 320 KiB, never terminated
    const answer = await untilReceived(conn, /^HTTP\/1\.1 \d{3}/);
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    await conn.closed;
  });

  test('a signed command within the limit still reaches its listener, and 256 KiB + 1 signed does not', async () => {
    expect((await t.user.command('small')).status).toBe(200);
    const big = new URLSearchParams({ command: '/gpu', text: 'y'.repeat(256 * 1024), user_id: 'U_ALICE', team_id: 'T_TEAM', channel_id: 'C1' }).toString();
    expect((await t.user.send(big, {})).status).toBe(413);
    expect(t.commands).toEqual(['small']);
  });
});

describe('slow peers are timed out; /healthz answers meanwhile', () => {
  let t: Running;
  beforeAll(async () => {
    t = await start({ headersTimeoutMs: 300, requestTimeoutMs: 300, checkIntervalMs: 50 });
  });
  afterAll(async () => {
    await t.slack.stop();
    await t.standin.stop();
  });

  test('a connection that never finishes its headers (slow loris) is closed by the server', async () => {
    const conn = await rawConnection(t.port);
    conn.socket.write('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // ...and nothing more
    const health = await fetch(`http://127.0.0.1:${t.port}/healthz`);
    expect(health.status).toBe(200);
    await conn.closed;
    expect(conn.received()).toMatch(/^(HTTP\/1\.1 408|)/);
  });

  test('a body that trickles slower than the request timeout gets 408 and is closed', async () => {
    const conn = await rawConnection(t.port);
    conn.socket.write(head('Content-Length: 1000\r\n'));
    conn.socket.write('command=%2Fgpu'); // then stalls
    expect((await fetch(`http://127.0.0.1:${t.port}/healthz`)).status).toBe(200);
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
  });
});

test('connections over the cap are closed at accept; the server serves again once they go', async () => {
  const t = await start({ maxConnections: 3 });
  try {
    const held = await Promise.all([rawConnection(t.port), rawConnection(t.port), rawConnection(t.port)]);
    const extra = await rawConnection(t.port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await extra.closed;
    expect(extra.received()).toBe('');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // the server notices the closes asynchronously: poll with a fresh connection until one is served
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = await fetch(`http://127.0.0.1:${t.port}/healthz`).then((r) => r.status, () => 0);
    expect(status).toBe(200);
  } finally {
    await t.slack.stop();
    await t.standin.stop();
  }
});
