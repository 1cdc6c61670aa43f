/**
 * Builds the Bolt app for HTTP (signed requests on /slack/events) or Socket Mode (when an app
 * token is given) from the same code: the caller registers the listeners, this module owns the
 * transport, the health endpoint, Web API client options and the last-resort error handler.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Receiver } from '@slack/bolt';
import type { Logger } from '../log';
import { boltLogger } from './bolt-logger';
import { DEFAULT_RECEIVER_LIMITS, guardedServer, limitServer, type ReceiverLimits } from './receiver-limits';
import type { SlackRequestType } from '../metrics';
import { timeAcks } from './request-metrics';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  /** App-level token (xapp-...): Socket Mode instead of HTTP. */
  appToken?: string;
  /** clientOptions.slackApiUrl (the local stand-in in tests and the demo). */
  apiUrl: string;
  /** HTTP mode: /slack/events and GET /healthz, /readyz, /metrics; Socket Mode: the GET routes only. 0 = any free port. */
  port: number;
  /** Interface to listen on; default all interfaces (a container must be reachable). */
  host?: string;
  logger: Logger;
  /** GET /healthz: liveness (200 or 503). */
  health: () => { ok: boolean; [k: string]: unknown };
  /** GET /readyz: whether this process can serve (store reachable, Slack auth ok); 503 with the reasons if not. */
  ready?: () => Promise<{ ok: boolean; [k: string]: unknown }>;
  /** GET /metrics: Prometheus text. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Each Slack request's time from reaching Bolt to its ack (both modes). */
  observeAck?: (type: SlackRequestType, seconds: number) => void;
  register: (app: App) => void;
  /** Skip auth.test when both are given. */
  botUserId?: string;
  botId?: string;
  /** Fetch for every Web API call and respond() (the secret-masking fetch in production). */
  fetch?: typeof fetch;
  /** HTTP mode: how long an un-acked request waits before Bolt answers it (Slack gives up after 3 s). */
  ackTimeoutMs?: number;
  /** Body size, timeouts and connection cap of the listening server (tests shorten them). */
  limits?: Partial<ReceiverLimits>;
}

export interface SlackApp {
  app: App;
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/**
 * Set explicitly: without one, SocketModeClient writes 100 retries into the shared clientOptions
 * and every listener client inherits them (BOLT.md §2.6). Two quick retries keep an interactive
 * call within a user's patience; the watcher has its own client with its own policy.
 */
export const SLACK_RETRY_CONFIG = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000, randomize: true };

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const log = opts.logger.child({ component: 'slack-app' });
  const blog = boltLogger(opts.logger, 'bolt');
  const limits: ReceiverLimits = { ...DEFAULT_RECEIVER_LIMITS, ...opts.limits };
  const clientOptions = {
    slackApiUrl: opts.apiUrl,
    retryConfig: SLACK_RETRY_CONFIG,
    // A 429 comes back at once as an error instead of pausing this client's whole queue for
    // Retry-After: every listener shares the pooled client of the bot token, so one rate-limited
    // post would otherwise stall everyone's views.open past its 3 s trigger_id. Posts that must
    // arrive wait the 429 out themselves (patient-notifier.ts).
    rejectRateLimitedCalls: true,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const customRoutes: CustomRoute[] = [{ path: '/healthz', method: ['GET'], handler: (_req, res) => answerHealth(opts.health, res, log) }];
  const ready = opts.ready;
  if (ready) customRoutes.push({ path: '/readyz', method: ['GET'], handler: (_req, res) => void answerReady(ready, res, log) });
  const metrics = opts.metrics;
  if (metrics) customRoutes.push({ path: '/metrics', method: ['GET'], handler: (_req, res) => void answerMetrics(metrics, res, log) });

  const socketMode = Boolean(opts.appToken);
  const receiver: Receiver = socketMode
    ? new SocketModeReceiver({
        appToken: opts.appToken!,
        logger: blog,
        customRoutes,
        autoReconnectEnabled: true,
        // SocketModeReceiver hands installerOptions.clientOptions to its SocketModeClient (apps.connections.open);
        // App only fills that in for receivers it builds itself. The port is where customRoutes are served.
        installerOptions: { port: opts.port, clientOptions: { ...clientOptions } },
      })
    : new HTTPReceiver({
        signingSecret: opts.signingSecret,
        endpoints: '/slack/events',
        customRoutes,
        logger: blog,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: opts.ackTimeoutMs ?? 3001,
        // guardedServer() below reads (and caps) the body before Bolt sees it; this is a second fence
        bodyLimit: limits.bodyLimitBytes,
      });

  const app = new App({
    receiver,
    token: opts.botToken,
    ...(opts.botId && opts.botUserId ? { botId: opts.botId, botUserId: opts.botUserId } : {}),
    logger: blog,
    logLevel: blog.getLevel(), // so App does not reset the adapter's level to its INFO default
    convoStore: false,
    clientOptions,
  });
  // Last resort: a listener that throws is logged here and the request ends without a 500 loop
  // (Slack would retry a 500); the process keeps serving.
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original;
    log.error({ err: original instanceof Error ? original : error, code: error.code }, 'a Slack listener failed');
  });
  if (opts.observeAck) timeAcks(app, opts.observeAck);
  opts.register(app);

  let httpServer: Server | undefined;
  let started = false;
  return {
    app,
    async start() {
      if (socketMode) {
        // Bolt starts this server with listen(port) and never awaits it: watch it ourselves for the
        // real port (port 0) and for listen errors, which would otherwise be uncaught 'error' events.
        httpServer = (receiver as unknown as { httpServer?: Server }).httpServer;
        if (httpServer) limitServer(httpServer, limits);
        const listening = httpServer ? whenListening(httpServer) : Promise.resolve();
        await Promise.all([listening, app.start()]);
      } else {
        // Our own server around Bolt's request listener (BOLT.md §2.1): the body is read with a cap
        // and the connection timed out before anything is buffered for signature verification.
        httpServer = guardedServer((receiver as HTTPReceiver).requestListener, { limits, endpoint: '/slack/events', logger: blog });
        await listen(httpServer, opts.port, opts.host);
        // after listening, a server error (accept failing under fd exhaustion...) is logged, never an uncaught 'error'
        httpServer.on('error', (err) => log.error({ err }, 'HTTP server error'));
      }
      started = true;
      const address = httpServer?.address() as AddressInfo | null | undefined;
      return { port: address?.port ?? opts.port };
    },
    async stop() {
      if (!started) return;
      started = false;
      const server = httpServer;
      const closed = server?.listening ? new Promise((r) => server.once('close', r)) : Promise.resolve();
      // SocketModeReceiver.stop() does not wait for the socket's close handshake: wait for it here
      // (bounded), so a stopped app leaves no timers or sockets behind.
      const disconnected = receiver instanceof SocketModeReceiver ? boundedWait(receiver.client, 'disconnected', 2000) : Promise.resolve();
      if (socketMode) await app.stop();
      else server?.close(); // our server, not the receiver's: HTTPReceiver.stop() would reject
      await disconnected;
      server?.closeIdleConnections();
      await closed;
    },
  };
}

function answerHealth(health: SlackAppOptions['health'], res: import('node:http').ServerResponse, log: Logger): void {
  let body: { ok: boolean; [k: string]: unknown };
  try {
    body = health();
  } catch (err) {
    log.error({ err }, 'health check threw');
    body = { ok: false, error: 'health check failed' };
  }
  res.writeHead(body.ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function answerReady(ready: NonNullable<SlackAppOptions['ready']>, res: import('node:http').ServerResponse, log: Logger): Promise<void> {
  let body: { ok: boolean; [k: string]: unknown };
  try {
    body = await ready();
  } catch (err) {
    log.error({ err }, 'readiness check threw');
    body = { ok: false, reason: 'readiness check failed' };
  }
  res.writeHead(body.ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function answerMetrics(metrics: NonNullable<SlackAppOptions['metrics']>, res: import('node:http').ServerResponse, log: Logger): Promise<void> {
  try {
    const page = await metrics();
    res.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-store' });
    res.end(page.body);
  } catch (err) {
    log.error({ err }, 'rendering /metrics failed');
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('metrics unavailable\n');
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  const listening = whenListening(server);
  if (host) server.listen(port, host);
  else server.listen(port);
  return listening;
}

function whenListening(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
}

function boundedWait(emitter: { once(event: string, fn: () => void): unknown }, event: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
