/**
 * The HTTP server in front of Bolt's receiver, hardened against slow or greedy peers. Anyone on
 * the internet can reach /slack/events; the signature is only checked once the whole body is in
 * memory, so without limits 40 unsigned connections trickling 4 MB each held 169 MiB for up to
 * 300 s (Node's default request timeout; Bolt's default body limit is 4 MB).
 *
 * - The body of a POST to the events endpoint is read here, capped at `bodyLimitBytes`, BEFORE
 *   Bolt verifies the signature: an announced Content-Length over the cap is refused with 413
 *   without reading a byte of it, a chunked body is refused as soon as it crosses the cap, and
 *   the connection is closed after the 413.
 * - Headers and the whole request must arrive within `headersTimeoutMs` / `requestTimeoutMs`
 *   (Node answers 408 and closes); Node checks them every `checkIntervalMs`.
 * - At most `maxConnections` sockets are open at once; further ones are closed at accept.
 *   /healthz shares the cap (it is one server), so the cap is far above what Slack sends.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type Logger as BoltLogger } from '@slack/bolt';

export interface ReceiverLimits {
  /** Largest request body accepted (Slack's payloads are a few KiB; a full modal stays far below). */
  bodyLimitBytes: number;
  /** Time for the request line and headers. */
  headersTimeoutMs: number;
  /** Time for the whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let 10 s become 40 s). */
  checkIntervalMs: number;
  /** Concurrent sockets. */
  maxConnections: number;
}

export const DEFAULT_RECEIVER_LIMITS: ReceiverLimits = {
  bodyLimitBytes: 256 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxConnections: 128,
};

/** Applies the timeouts and the connection cap to a server that is not listening yet. */
export function limitServer(server: Server, limits: ReceiverLimits): Server {
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // read by Node when the server starts listening (setupConnectionsTracking)
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = limits.checkIntervalMs;
  return server;
}

export interface GuardedServerOptions {
  limits: ReceiverLimits;
  /** The path whose POST bodies are buffered here (Bolt's events endpoint). */
  endpoint: string;
  logger: BoltLogger;
}

/** A server that hands Bolt's request listener only requests whose body is already in memory and within the cap. */
export function guardedServer(boltListener: RequestListener, o: GuardedServerOptions): Server {
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    try {
      boltListener(req, res);
    } catch (error) {
      // what Bolt's own server does: an unknown path is a 404, anything else a 500
      HTTPModuleFunctions.defaultDispatchErrorHandler({ error: error as Error, logger: o.logger, request: req, response: res });
    }
  };
  const server = createServer({ requestTimeout: o.limits.requestTimeoutMs, headersTimeout: Math.min(o.limits.headersTimeoutMs, o.limits.requestTimeoutMs), connectionsCheckingInterval: o.limits.checkIntervalMs }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== o.endpoint) return dispatch(req, res);
    readCapped(req, o.limits.bodyLimitBytes).then(
      (body) => {
        if (body === 'too_large') {
          o.logger.warn(`Refused a request body over ${o.limits.bodyLimitBytes} bytes`);
          res.writeHead(413, { connection: 'close', 'content-type': 'text/plain; charset=utf-8' });
          res.end('request body too large\n');
          return;
        }
        // Bolt's bufferIncomingMessage() uses a rawBody that is already there instead of reading the stream
        (req as IncomingMessage & { rawBody: Buffer }).rawBody = body;
        dispatch(req, res);
      },
      () => {
        // the peer went away or the request timed out mid-body: Node has answered or closed already
        if (!res.headersSent && !res.destroyed) res.destroy();
      },
    );
  });
  return limitServer(server, o.limits);
}

/** The whole body, or 'too_large' as soon as it is known to exceed `limit` (announced or counted). */
function readCapped(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        // stop buffering; Node discards the rest while the 413 goes out with `connection: close`
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new Error('request aborted'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
