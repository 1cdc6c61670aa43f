/**
 * Two gpu-bot processes (`tsx src/main.ts`, HTTP mode) on ONE PostgreSQL database, sharing one Slack
 * stand-in and one Fluence simulator, as docker-compose.yml runs them behind the proxy (issue 13 §3).
 * Real processes on the real clock: a replica can be SIGKILLed, and leadership is the PostgreSQL
 * advisory lock. The simulator's and the watcher's timings are short so a run takes seconds.
 */
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';
import { startBotProcess, type BotProcess } from './bot-process';
import { createTestDatabase, type TestDatabase } from './pg';
import { sampleValue } from './prometheus';

export const SIGNING_SECRET = 'replicas-signing-secret';
export const ADMIN = 'UADMIN';
export const DEPLOYER = 'UDEPLOYER';
/** Both replicas open what the other sealed (an approval requested on A, decided on B). */
const SEAL_KEY = 'replicas-seal-key-0123456789abcdefghijklmnop';
/** The watcher's and the lease job's interval on both replicas (and how often they ask for leadership). */
export const INTERVAL_MS = 1_000;
/** A deployed instance turns ACTIVE after this long (the simulator's real clock). */
export const PROVISIONING_MS = 8_000;

export interface Replica {
  name: string;
  process: BotProcess;
  /** A Slack user whose requests this replica receives. */
  user(userId: string): SlackUser;
  /** gpu_bot_leader on this replica's /metrics (undefined: not asked yet, or the process is gone). */
  leader(): Promise<number | undefined>;
  alive(): boolean;
}

export interface ReplicaFleet {
  standin: SlackStandin;
  sim: SimulatorHandle;
  db: TestDatabase;
  replicas: Replica[];
  /** The replica the database says leads, once exactly one claims it (waits up to `timeoutMs`). */
  leader(timeoutMs?: number): Promise<Replica>;
  /** Everything both processes logged (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

function replicaOf(name: string, process: BotProcess, standin: SlackStandin): Replica {
  const botUrl = `http://127.0.0.1:${process.port}/slack/events`;
  const alive = () => process.child.exitCode === null && process.child.signalCode === null;
  return {
    name,
    process,
    alive,
    user: (userId) => new SlackUser({ botUrl, signingSecret: SIGNING_SECRET, standin, userId, channelId: 'C_GENERAL' }),
    async leader() {
      if (!alive()) return undefined;
      const res = await fetch(`http://127.0.0.1:${process.port}/metrics`).catch(() => null);
      return res?.ok ? sampleValue(await res.text(), 'gpu_bot_leader') : undefined;
    },
  };
}

export async function startReplicaFleet(): Promise<ReplicaFleet> {
  const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
  const sim = await startSimulator({ provisioningDelayMs: PROVISIONING_MS, containerStartMs: 1_000, networkDelayMs: 0 });
  const db = await createTestDatabase();
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-replicas',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standin.apiUrl,
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    FLUENCE_API_URL: sim.url,
    FLUENCE_API_KEY: sim.apiKey,
    GPU_BOT_ADMINS: ADMIN,
    GPU_BOT_SEAL_KEY: SEAL_KEY,
    MAX_HOURLY_USD: '1',
    WATCH_INTERVAL_MS: String(INTERVAL_MS),
    // an 8 h lease (the default) is reminded at the first lease run after the deploy
    LEASE_REMINDER_MIN: '9h',
    LOG_LEVEL: 'info',
  };
  const started: BotProcess[] = [];
  const fleet: ReplicaFleet = {
    standin,
    sim,
    db,
    replicas: [],
    output: () => started.map((p, i) => `--- replica ${i} ---\n${p.output().slice(-3000)}`).join('\n'),
    async leader(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const gauges = await Promise.all(fleet.replicas.map((r) => r.leader()));
        const leaders = fleet.replicas.filter((_, i) => gauges[i] === 1);
        if (leaders.length === 1) return leaders[0]!;
        if (leaders.length > 1) throw new Error(`${leaders.length} replicas lead at once`);
        if (Date.now() > deadline) throw new Error(`no replica leads after ${timeoutMs} ms (gauges ${JSON.stringify(gauges)})\n${fleet.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(started.map((p) => p.exited));
      await sim.stop();
      await standin.stop();
      await db.drop();
    },
  };
  try {
    // both at once: their migrations meet the migration lock
    const launched = await Promise.allSettled([startBotProcess(env), startBotProcess(env)]);
    for (const l of launched) if (l.status === 'fulfilled') started.push(l.value);
    const failed = launched.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    fleet.replicas.push(...started.map((p, i) => replicaOf(i === 0 ? 'first' : 'second', p, standin)));
  } catch (err) {
    await fleet.stop().catch(() => undefined);
    throw err;
  }
  return fleet;
}
