/**
 * Benchmark 5 (issue 13 §5): gpu-bot against the floor. The same `/gpu plans` load goes to gpu-bot
 * (bench/bot-child.ts) and to a bare Bolt app that only acks, fetches the plans and answers
 * (bench/floor-child.ts), each in its own process, both alive for the whole run, sharing one Slack
 * stand-in and one Fluence simulator in this process. Rounds are interleaved (floor, bot, bot,
 * floor, ...) so drift on the machine (thermal, other load) hits both alike. Each round waits until
 * every answer of its requests arrived, so one side's background work never overlaps the other's
 * round. Printed as ratios: gpu-bot's ack p50/p99 and RSS over the floor's.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startSimulator } from '../src/simulator';
import { startSlackStandin } from '../src/standin';
import { forkSlackApp, percentiles, pool, round, signedCommand, startIsolatedBot, table, waitUntil, writeResult, type Percentiles, type SlackSide } from './support';

export interface FloorResult {
  store: string;
  rounds: number;
  requestsPerRound: number;
  concurrency: number;
  fluenceLatencyMs: number;
  /** ack: as the load generator saw it; serverAck: request in -> ack written, inside the process. */
  floor: { ack: Percentiles; serverAck: Percentiles; rssMiB: number; failures: number };
  bot: { ack: Percentiles; serverAck: Percentiles; rssMiB: number; failures: number };
  ratio: { p50: number; p99: number; serverP50: number; serverP99: number; rss: number };
  /** p99 ratio of each round pair: how stable the figure is. */
  roundP99Ratios: number[];
  target: { p99: number; rss: number };
}

const MiB = 2 ** 20;

/** Resident set of another process (Linux /proc). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

function startFloor(standin: SlackSide['standin'], sim: SlackSide['sim']): Promise<SlackSide & { pid: number }> {
  const signingSecret = randomBytes(16).toString('hex');
  return forkSlackApp('floor-child.ts', {
    standin,
    sim,
    signingSecret,
    env: { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: 'xoxb-bench-floor', SLACK_API_URL: standin.apiUrl, FLUENCE_API_URL: sim.url, FLUENCE_API_KEY: sim.apiKey },
  });
}

/** n signed `/gpu plans` at `concurrency`, then waits for every answer: ack times and failures. */
async function runRound(side: SlackSide, n: number, concurrency: number): Promise<{ ms: number[]; failures: number }> {
  const acks = await pool(n, concurrency, () => signedCommand(side, 'plans'));
  const ids = new Set(acks.map((a) => a.responseId));
  let answered = 0;
  const seen = new Set<string>();
  await waitUntil(
    () => {
      for (const r of side.standin.responses) if (ids.has(r.id) && !seen.has(r.id)) (seen.add(r.id), answered++);
      return answered >= n;
    },
    60_000,
    'every answer of the round',
  );
  return { ms: acks.map((a) => a.ms), failures: acks.filter((a) => a.status !== 200).length };
}

export async function benchFloor(opts: { store?: 'sqlite' | 'postgres'; env?: Record<string, string>; rounds?: number; perRound?: number; concurrency?: number } = {}): Promise<FloorResult> {
  const rounds = opts.rounds ?? 10;
  const perRound = opts.perRound ?? 200;
  const concurrency = opts.concurrency ?? 50;
  const fluenceLatencyMs = 800;
  const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_BENCH' });
  const sim = await startSimulator({ speed: 40 });
  const floor = await startFloor(standin, sim);
  const bot = await startIsolatedBot({ standin, sim, ...(opts.env ? { env: opts.env } : {}) });
  try {
    sim.control.setFaults({ latencyMs: fluenceLatencyMs });
    // warm-up: JIT, sockets, the bot's first plan fetch
    for (const side of [floor, bot]) {
      await runRound(side, 50, 10);
      await side.serverAckMs!();
    }
    const floorServer: number[] = [];
    const botServer: number[] = [];
    const floorMs: number[] = [];
    const botMs: number[] = [];
    const floorRss: number[] = [];
    const botRss: number[] = [];
    const roundP99Ratios: number[] = [];
    let floorFailures = 0;
    let botFailures = 0;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['floor', 'bot'] as const) : (['bot', 'floor'] as const);
      const p99: Record<string, number> = {};
      for (const who of order) {
        const side = who === 'floor' ? floor : bot;
        const res = await runRound(side, perRound, concurrency);
        (who === 'floor' ? floorMs : botMs).push(...res.ms);
        if (who === 'floor') floorFailures += res.failures;
        else botFailures += res.failures;
        (who === 'floor' ? floorRss : botRss).push(rssOf(side.pid));
        (who === 'floor' ? floorServer : botServer).push(...(await side.serverAckMs!()));
        p99[who] = percentiles(res.ms).p99;
      }
      roundP99Ratios.push(round(p99.bot! / p99.floor!, 2));
    }
    const floorAck = percentiles(floorMs);
    const botAck = percentiles(botMs);
    const floorIn = percentiles(floorServer);
    const botIn = percentiles(botServer);
    const peak = (xs: number[]) => Math.max(...xs);
    const result: FloorResult = {
      store: opts.store ?? 'sqlite',
      rounds,
      requestsPerRound: perRound,
      concurrency,
      fluenceLatencyMs,
      floor: { ack: floorAck, serverAck: floorIn, rssMiB: round(peak(floorRss) / MiB), failures: floorFailures },
      bot: { ack: botAck, serverAck: botIn, rssMiB: round(peak(botRss) / MiB), failures: botFailures },
      ratio: {
        p50: round(botAck.p50 / floorAck.p50, 2),
        p99: round(botAck.p99 / floorAck.p99, 2),
        serverP50: round(botIn.p50 / floorIn.p50, 2),
        serverP99: round(botIn.p99 / floorIn.p99, 2),
        rss: round(peak(botRss) / peak(floorRss), 2),
      },
      roundP99Ratios,
      target: { p99: 1.2, rss: 1.3 },
    };
    writeResult(`floor-${result.store}`, result);
    return result;
  } finally {
    await bot.stop();
    await floor.stop();
    await sim.stop();
    await standin.stop();
  }
}

export function floorTable(results: FloorResult[]): string {
  const rows: Array<Array<string | number>> = [];
  for (const r of results) {
    const mark = (ratio: number, target: number) => `${ratio}× ${ratio <= target ? '(≤ ' : '(> '}${target}×)`;
    rows.push([`${r.store}: ack p50 (load generator)`, `${r.floor.ack.p50} ms`, `${r.bot.ack.p50} ms`, `${r.ratio.p50}×`]);
    rows.push([`${r.store}: ack p99 (load generator)`, `${r.floor.ack.p99} ms`, `${r.bot.ack.p99} ms`, mark(r.ratio.p99, r.target.p99)]);
    const ms = (x: number) => `${round(x, 2)} ms`;
    rows.push([`${r.store}: inside the process, p50`, ms(r.floor.serverAck.p50), ms(r.bot.serverAck.p50), `${r.ratio.serverP50}×`]);
    rows.push([`${r.store}: inside the process, p99`, ms(r.floor.serverAck.p99), ms(r.bot.serverAck.p99), `${r.ratio.serverP99}×`]);
    rows.push([`${r.store}: RSS (peak after a round)`, `${r.floor.rssMiB} MiB`, `${r.bot.rssMiB} MiB`, mark(r.ratio.rss, r.target.rss)]);
    rows.push([`${r.store}: failed acks`, r.floor.failures, r.bot.failures, '']);
  }
  const head = results[0];
  const note = head
    ? `\n   ${head.rounds} interleaved rounds × ${head.requestsPerRound} \`/gpu plans\` at concurrency ${head.concurrency}, Fluence +${head.fluenceLatencyMs} ms; per-round p99 ratios: ${results.map((r) => `${r.store} ${r.roundP99Ratios.join(' ')}`).join('; ')}`
    : '';
  return table(['measure', 'floor (bare Bolt)', 'gpu-bot', 'gpu-bot / floor'], rows) + note;
}
