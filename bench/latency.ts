/**
 * Benchmarks 1 and 2: how fast Slack hears back while Fluence is slow.
 *  - ack: 1,000 signed `/gpu plans` at concurrency 50, Fluence +800 ms: time to the HTTP ack
 *    (Slack shows "operation_timeout" after 3,000 ms);
 *  - modal: 200 `/gpu deploy` at concurrency 10, Fluence +2,000 ms: time from sending the command to
 *    the stand-in recording views.open (the trigger id dies after 3,000 ms).
 * The bot runs in its own process (bench/bot-child.ts); this process is Slack and Fluence.
 */
import { percentiles, pool, round, signedCommand, startIsolatedBot, table, waitUntil, writeResult, type Percentiles } from './support';

const SLACK_LIMIT_MS = 3000;

export interface LatencyResult {
  name: string;
  requests: number;
  concurrency: number;
  fluenceLatencyMs: number;
  failures: number;
  latency: Percentiles;
  /** p99 / Slack's 3,000 ms */
  ratioToLimit: number;
  targetP99Ms: number;
  extra: Record<string, unknown>;
}

function row(r: LatencyResult): Array<string | number> {
  const l = r.latency;
  return [r.name, r.requests, r.concurrency, r.fluenceLatencyMs, l.p50, l.p95, l.p99, l.max, `${round(r.ratioToLimit * 100, 2)}%`, r.targetP99Ms, r.failures];
}

export const LATENCY_HEADERS = ['bench', 'n', 'conc', 'fluence ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'p99/3000', 'target p99', 'failed'];

export async function benchAck(n = 1000, concurrency = 50): Promise<LatencyResult> {
  const b = await startIsolatedBot();
  try {
    b.sim.control.setFaults({ latencyMs: 800 });
    // warm-up: JIT, sockets, the first plan fetch
    await pool(50, 10, () => signedCommand(b, 'plans'));
    await b.serverAckMs?.();
    const answersBefore = b.standin.responses.length;
    const startedAt = Date.now();
    const acks = await pool(n, concurrency, () => signedCommand(b, 'plans'));
    const wallMs = Date.now() - startedAt;
    const ids = new Set(acks.map((a) => a.responseId));
    // every command is also answered (after Fluence): count them, so a fast ack cannot hide a lost answer
    await waitUntil(() => b.standin.responses.filter((r) => ids.has(r.id)).length >= n, 60_000, 'all /gpu plans answers');
    const sent = new Map(acks.map((a) => [a.responseId, a.sentAt]));
    const answerMs = b.standin.responses.slice(answersBefore).filter((r) => ids.has(r.id)).map((r) => r.at - sent.get(r.id)!);
    const latency = percentiles(acks.map((a) => a.ms));
    const server = b.serverAckMs ? percentiles(await b.serverAckMs()) : null;
    const result: LatencyResult = {
      name: 'ack: /gpu plans',
      requests: n,
      concurrency,
      fluenceLatencyMs: 800,
      failures: acks.filter((a) => a.status !== 200).length,
      latency,
      ratioToLimit: latency.p99 / SLACK_LIMIT_MS,
      targetP99Ms: 100,
      extra: { wallMs, requestsPerSecond: round(n / (wallMs / 1000)), answer: percentiles(answerMs), serverAck: server },
    };
    writeResult('ack-latency', result);
    return result;
  } finally {
    await b.stop();
  }
}

export async function benchModal(n = 200, concurrency = 10): Promise<LatencyResult> {
  const b = await startIsolatedBot();
  try {
    b.sim.control.setFaults({ latencyMs: 2000 });
    await pool(10, 5, () => signedCommand(b, 'deploy'));
    const callsBefore = b.standin.calls.length;
    const startedAt = Date.now();
    const acks = await pool(n, concurrency, () => signedCommand(b, 'deploy'));
    const triggers = new Map(acks.map((a) => [a.triggerId, a.sentAt]));
    const opens = () => b.standin.calls.slice(callsBefore).filter((c) => c.method === 'views.open' && triggers.has(String(c.args.trigger_id)));
    await waitUntil(() => opens().length >= n, 30_000, 'every views.open');
    const wallMs = Date.now() - startedAt;
    const times = opens().map((c) => c.at - triggers.get(String(c.args.trigger_id))!);
    const expired = opens().filter((c) => c.error).length;
    // the form itself follows once Fluence (2 s away) answers
    await waitUntil(() => b.standin.calls.slice(callsBefore).filter((c) => c.method === 'views.update').length >= n, 60_000, 'every filled-in form');
    const latency = percentiles(times);
    const result: LatencyResult = {
      name: 'modal: /gpu deploy -> views.open',
      requests: n,
      concurrency,
      fluenceLatencyMs: 2000,
      failures: expired + acks.filter((a) => a.status !== 200).length,
      latency,
      ratioToLimit: latency.p99 / SLACK_LIMIT_MS,
      targetP99Ms: 150,
      extra: { wallMs, ackP99Ms: percentiles(acks.map((a) => a.ms)).p99 },
    };
    writeResult('modal-open', result);
    return result;
  } finally {
    await b.stop();
  }
}

export function latencyTable(results: LatencyResult[]): string {
  return table(LATENCY_HEADERS, results.map(row));
}
