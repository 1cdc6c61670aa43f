/**
 * Loaded by the benchmark's child processes (the bot and the floor): the same in-process
 * measurements on both sides. Answers the IPC message 'timings' with the ack times since the last
 * ask and the event-loop delay.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

// Server-side ack time: from the request reaching the bot's HTTP server to the ack being written,
// measured inside the bot, so load-generator queueing on the shared 2 cores does not count.
const ackMs: number[] = [];
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event === 'request') {
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    if (req.method === 'POST' && req.url === '/slack/events') {
      const t0 = performance.now();
      res.once('finish', () => ackMs.push(performance.now() - t0));
    }
  }
  return (emit as (this: http.Server, e: string, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof http.Server.prototype.emit;

// How long the bot's event loop was blocked: a request that arrives meanwhile waits that long
// before the HTTP server even sees it.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

process.on('message', (m: unknown) => {
  if (m === 'timings') {
    process.send!({
      ackMs: ackMs.splice(0),
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    });
    loopDelay.reset();
  }
});

