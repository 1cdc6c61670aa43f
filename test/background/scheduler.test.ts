/** The scheduler: jobs run on their interval on the manual clock, only while leader, and one failing job stops nothing. */
import { FleetSnapshot } from '../../src/background/fleet';
import type { Leadership } from '../../src/background/leadership';
import { Scheduler, type JobContext } from '../../src/background/scheduler';
import { ManualClock } from '../../src/watch/clock';
import { captureLogger } from '../watch/fakes';

function setup(leadership?: Leadership) {
  const clock = new ManualClock();
  const { logger, lines } = captureLogger();
  const listed: string[] = [];
  const fleet = new FleetSnapshot({
    listInstances: async (type) => {
      listed.push(type);
      return [];
    },
    now: () => clock.now(),
    maxAgeMs: 15_000,
  });
  const scheduler = new Scheduler({ clock, fleet, logger, ...(leadership ? { leadership } : {}) });
  /** Advance the clock one step at a time, letting each run finish (its next timer is set when it does). */
  const advance = async (ms: number, step = 1_000) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await scheduler.idle();
    }
  };
  return { clock, scheduler, lines, listed, fleet, advance };
}

test('each job runs at start and then every intervalMs, with the tick time', async () => {
  const { scheduler, advance, clock } = setup();
  const start = clock.now();
  const runs: Record<string, number[]> = { a: [], b: [] };
  scheduler.register({ name: 'a', intervalMs: 10_000, run: async (ctx) => void runs.a!.push(ctx.now - start) });
  scheduler.register({ name: 'b', intervalMs: 25_000, runAtStart: false, run: async (ctx) => void runs.b!.push(ctx.now - start) });
  scheduler.start();
  await advance(60_000);
  expect(runs.a).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  expect(runs.b).toEqual([25_000, 50_000]);
  await scheduler.stop();
  expect(clock.pending).toBe(0);
});

test('leader-only jobs do not run while not leader; everyReplica jobs do; leadership is asked before each run', async () => {
  let leader = false;
  const leadership: Leadership = { isLeader: async () => leader, release: jest.fn(async () => undefined) };
  const { scheduler, advance } = setup(leadership);
  let watch = 0;
  let outbox = 0;
  scheduler.register({ name: 'watch', intervalMs: 5_000, run: async () => void (watch += 1) });
  scheduler.register({ name: 'outbox', intervalMs: 5_000, everyReplica: true, run: async () => void (outbox += 1) });
  scheduler.start();
  await advance(20_000);
  expect(watch).toBe(0);
  expect(outbox).toBe(5);
  expect(await scheduler.runNow('watch')).toBe('not_leader');
  leader = true; // the old leader died: this replica takes over within one interval
  await advance(5_000);
  expect(watch).toBe(1);
  await scheduler.stop();
  expect(leadership.release).toHaveBeenCalledTimes(1);
});

test('a job that throws is logged once per streak and runs again; other jobs are not held up', async () => {
  const { scheduler, advance, lines } = setup();
  let broken = true;
  let healthyRuns = 0;
  let brokenRuns = 0;
  scheduler.register({
    name: 'broken',
    intervalMs: 5_000,
    run: async () => {
      brokenRuns += 1;
      if (broken) throw new Error('Fluence is down');
    },
  });
  scheduler.register({ name: 'healthy', intervalMs: 5_000, run: async () => void (healthyRuns += 1) });
  scheduler.start();
  await advance(20_000);
  expect(healthyRuns).toBe(5);
  expect(brokenRuns).toBe(5);
  expect(lines.filter((l) => l.msg === 'background job failed; it runs again at its next interval')).toHaveLength(1);
  expect(scheduler.status().find((s) => s.name === 'broken')).toMatchObject({ failures: 5, lastError: 'Fluence is down' });
  broken = false;
  await advance(5_000);
  expect(lines.some((l) => l.msg === 'background job recovered')).toBe(true);
  expect(scheduler.status().find((s) => s.name === 'broken')).toMatchObject({ lastError: null });
  await scheduler.stop();
});

test('a slow run is never overlapped by its next tick; runNow joins the running one', async () => {
  const { scheduler, clock } = setup();
  let release!: () => void;
  let runs = 0;
  scheduler.register({
    name: 'slow',
    intervalMs: 1_000,
    run: () => {
      runs += 1;
      return new Promise<void>((r) => (release = r));
    },
  });
  scheduler.start();
  clock.advance(0);
  const joined = scheduler.runNow('slow');
  await new Promise(setImmediate);
  clock.advance(10_000); // no timer is pending while the run is going
  await new Promise(setImmediate);
  expect(runs).toBe(1);
  release();
  expect(await joined).toBe('ran');
  await scheduler.stop();
});

test('jobs of one tick share the fleet lists: one list call per type', async () => {
  const { scheduler, listed, clock } = setup();
  const read = async (ctx: JobContext) => {
    await ctx.fleet.list('container');
    await ctx.fleet.list('vm');
  };
  scheduler.register({ name: 'leases', intervalMs: 60_000, run: read });
  scheduler.register({ name: 'digest', intervalMs: 60_000, run: read });
  scheduler.register({ name: 'runway', intervalMs: 60_000, run: read });
  scheduler.start();
  clock.advance(0);
  await scheduler.idle();
  expect(listed.sort()).toEqual(['container', 'vm']);
  await scheduler.stop();
});

test('a second job with the same name is refused', () => {
  const { scheduler } = setup();
  scheduler.register({ name: 'x', intervalMs: 1, run: async () => undefined });
  expect(() => scheduler.register({ name: 'x', intervalMs: 1, run: async () => undefined })).toThrow(/already registered/);
});
