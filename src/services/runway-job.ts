/**
 * The runway job, one run per scheduler tick (issue 11 §4): balance ÷ burn against
 * RUNWAY_ALERT_HOURS. Reads the tick's fleet snapshot, one balance call, and the burn through the
 * money service (deploy records and the spend cache price most instances without a call). A tick
 * on which a list or the balance cannot be read decides nothing: a missing list would understate
 * the burn and re-arm thresholds that are still crossed. Firing and re-arming are one store
 * transaction with the alert's outbox notice (store/runway-alerts.ts).
 */
import type { FluenceApi } from '../fluence/api';
import type { InstanceSummary } from '../fluence/model';
import { WORKLOAD_TYPES, type WorkloadType } from '../fluence/workload';
import type { Logger } from '../log';
import { runwayHours, usd } from './cost';
import { MAX_RUNWAY_BURN_READS, type MoneyService } from './money';
import { decideRunway, topBurnersOf, type RunwayAlertData } from './runway';
import type { Attribution } from './spend-facts';

export interface RunwayRecords {
  /** Thresholds alerted and not re-armed yet. */
  fired(): Promise<Set<number>>;
  /**
   * In one transaction: re-arm `rearm`, fire `fire` (only those still armed) and, if any of them
   * fired now, put `alert` (with the thresholds that did) in the outbox. Returns the ones fired now.
   */
  apply(d: { fire: number[]; rearm: number[] }, alert: Omit<RunwayAlertData, 'threshold' | 'crossed'>, now: number): Promise<number[]>;
}

export interface RunwayJobOptions {
  thresholds: readonly number[];
  /** ALERT_CHANNEL, else AUDIT_CHANNEL. */
  channel: string;
  records: RunwayRecords;
  money: Pick<MoneyService, 'burn'>;
  fluence: Pick<FluenceApi, 'getBalance'>;
  owner(instanceId: string): Promise<Attribution | undefined>;
  logger: Logger;
}

export interface RunwayTick {
  now: number;
  fleet: { list(type: WorkloadType): Promise<InstanceSummary[]> };
}

export interface RunwayRunReport {
  runwayHours: number | null;
  fired: number[];
  rearmed: number[];
  skipped?: string;
}

export class RunwayJob {
  constructor(private readonly o: RunwayJobOptions) {}

  async run(tick: RunwayTick): Promise<RunwayRunReport> {
    let instances: InstanceSummary[];
    let balance: number;
    try {
      const lists = await Promise.all(WORKLOAD_TYPES.map((t) => tick.fleet.list(t)));
      instances = lists.flat();
      balance = (await this.o.fluence.getBalance()).balance;
    } catch (err) {
      this.o.logger.warn({ err }, 'runway: the instance lists or the balance could not be read; nothing decided this tick');
      return { runwayHours: null, fired: [], rearmed: [], skipped: 'unreadable' };
    }
    const burn = await this.o.money.burn(instances, MAX_RUNWAY_BURN_READS);
    const runway = runwayHours(balance, usd(burn.cents));
    const fired = await this.o.records.fired();
    const d = decideRunway(runway, this.o.thresholds, fired);
    if (d.fire.length === 0 && d.rearm.length === 0) return { runwayHours: runway, fired: [], rearmed: [] };
    const running = instances.filter((i) => burn.perInstance.has(i.id));
    const facts = await Promise.all(running.map(async (i) => ({ instance: i, owner: (await this.o.owner(i.id)) ?? null })));
    const alert: Omit<RunwayAlertData, 'threshold' | 'crossed'> = {
      channel: this.o.channel,
      balance,
      burnCents: burn.cents,
      runwayHours: runway ?? 0,
      unpriced: burn.unpriced,
      topBurners: topBurnersOf(burn.perInstance, facts),
      at: tick.now,
    };
    const now = await this.o.records.apply(d, alert, tick.now);
    if (now.length) this.o.logger.info({ runway, fired: now, balance, burn: burn.cents }, 'runway alert claimed');
    return { runwayHours: runway, fired: now, rearmed: d.rearm };
  }
}
