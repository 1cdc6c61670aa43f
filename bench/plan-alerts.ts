/**
 * Benchmark 5: plan alerts, Fluence plan-list calls and wall time per check at 1, 100 and 10,000
 * alerts (spread over the three workload types, ten GPU models and prices), in the bot as production
 * wires it (the scheduler's 'plan-alerts' job, the store, the outbox). A naive checker that lists the
 * plans once per alert would make as many calls as there are alerts. Two checks are timed: a quiet
 * one (nothing new) and one after a price drop that matches a share of the alerts (their messages
 * claimed and put in the outbox in the same transaction).
 */
import type { Kysely } from 'kysely';
import { WORKLOAD_TYPES } from '../src/fluence/workload';
import { PLAN_H100_1X } from '../src/simulator';
import type { PlanAlertsTable } from '../src/store/plan-alerts';
import { round, startBenchBot, table, writeResult } from './support';

export interface PlanAlertRow {
  alerts: number;
  /** Plan-list calls of a quiet check (nothing new). */
  calls: number;
  /** The same for a naive one-list-per-alert checker. */
  naiveCalls: number;
  quietMs: number;
  /** The check after a price drop: calls, time, messages enqueued. */
  dropCalls: number;
  dropMs: number;
  notices: number;
}

const GPUS: Record<(typeof WORKLOAD_TYPES)[number], string[]> = {
  container: ['h100', 'a100', 'h200', 'l40s', 'rtx4090'],
  vm: ['h100', 'a100', 'a10', 'l40'],
  baremetal: ['h100', 'a100', 'h200', 'l40s'],
};
const INTERVAL_MS = 1000;

async function insertAlerts(kysely: Kysely<any>, n: number, now: number): Promise<void> {
  const db = kysely.withTables<{ planAlerts: PlanAlertsTable }>();
  const rows = Array.from({ length: n }, (_, i) => {
    const type = WORKLOAD_TYPES[i % 3]!;
    const gpus = GPUS[type];
    const gpu = gpus[Math.floor(i / 3) % gpus.length]!;
    // max from $0.50 to $30: some match now, some only after the drop, most never
    const maxPrice = round(0.5 + ((i * 7919) % 600) / 20, 2);
    return {
      ownerId: `UB${Math.floor(i / 10)}`, teamId: 'T_BENCH', channelId: 'C_BENCH', type,
      filters: JSON.stringify({ gpu, maxPrice }), createdAt: now, expiresAt: now + 7 * 86_400_000, expiryNoticedAt: null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('planAlerts').values(rows.slice(i, i + 500)).execute();
}

export async function benchPlanAlerts(sizes = [1, 100, 10_000]): Promise<PlanAlertRow[]> {
  const rows: PlanAlertRow[] = [];
  for (const n of sizes) {
    const b = await startBenchBot({ manualWatcher: true, env: { PLAN_ALERT_INTERVAL_MS: String(INTERVAL_MS) } });
    try {
      const { bot, sim } = b;
      await insertAlerts(bot.context.store.kysely, n, Date.now());
      const cycle = async () => {
        await new Promise((r) => setTimeout(r, INTERVAL_MS)); // the plans cache serves half an interval
        sim.control.resetRequests();
        const t0 = performance.now();
        if ((await bot.scheduler.runNow('plan-alerts')) !== 'ran') throw new Error('the plan-alerts job did not run');
        const ms = performance.now() - t0;
        return { ms, calls: sim.control.requests.filter((r) => r.path.startsWith('/gpu/plans')).length };
      };
      await cycle(); // first check: everything matching now is told (and enqueued)
      const quiet = await cycle();
      const before = await bot.context.store.outbox.history('plan-alert:');
      sim.control.market.setPrice(PLAN_H100_1X, 0.6);
      const drop = await cycle();
      const after = await bot.context.store.outbox.history('plan-alert:');
      rows.push({
        alerts: n,
        calls: quiet.calls,
        naiveCalls: n,
        quietMs: round(quiet.ms),
        dropCalls: drop.calls,
        dropMs: round(drop.ms),
        notices: after.length - before.length,
      });
    } finally {
      await b.stop();
    }
  }
  writeResult('plan-alerts', { intervalMs: INTERVAL_MS, rows });
  return rows;
}

export function planAlertTable(rows: PlanAlertRow[]): string {
  return table(
    ['alerts', 'plan-list calls/check', 'naive calls', 'quiet check ms', 'price-drop check ms', 'messages then'],
    rows.map((r) => [r.alerts, r.calls, r.naiveCalls, r.quietMs, r.dropMs, r.notices]),
  );
}
