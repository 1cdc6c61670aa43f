/**
 * Loaded by the benchmark's child processes (the bot and the floor): the same in-process
 * measurements on both sides. Answers the IPC message 'timings' with, since the last ask: the ack
 * times, when each request tagged `x-bench-seq` reached the server and left it (so the load
 * generator can split its end-to-end time into "before the server saw it" and "inside"), the CPU
 * time the process used, and the event-loop delay.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface RequestTrace {
  seq: number;
  /** epoch ms (sub-ms precision): the request reached the server / its ack was written */
  inAt: number;
  outAt: number;
}

// Server-side ack time: from the request reaching the bot's HTTP server to the ack being written,
// measured inside the bot, so load-generator queueing on the shared 2 cores does not count.
const ackMs: number[] = [];
const traces: RequestTrace[] = [];
const epochNow = () => performance.timeOrigin + performance.now();
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]) {
  if (event === 'request') {
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
    if (req.method === 'POST' && req.url === '/slack/events') {
      const t0 = performance.now();
      const seq = Number(req.headers['x-bench-seq']);
      res.once('finish', () => {
        ackMs.push(performance.now() - t0);
        if (seq) traces.push({ seq, inAt: performance.timeOrigin + t0, outAt: epochNow() });
      });
    }
  }
  return (emit as (this: http.Server, e: string, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof http.Server.prototype.emit;

// How long the bot's event loop was blocked: a request that arrives meanwhile waits that long
// before the HTTP server even sees it.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let cpuMark = process.cpuUsage();
const gcThenHeapUsed = (): number | undefined => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  return process.memoryUsage().heapUsed;
};

process.on('message', (m: unknown) => {
  if (m === 'timings') {
    const cpu = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    process.send!({
      ackMs: ackMs.splice(0),
      traces: traces.splice(0),
      cpuMs: (cpu.user + cpu.system) / 1000,
      memory: process.memoryUsage(),
      // with --expose-gc (bench/compare.ts): what is still reachable, after a full collection
      liveHeap: gcThenHeapUsed(),
      loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    });
    loopDelay.reset();
  }
});
