/**
 * The fleet snapshot: the instances of each workload type from the latest list call, shared by every
 * job of a tick. The watcher refreshes the types it watches on each cycle (one list call per type);
 * leases, digests, runway and plan alerts read the snapshot instead of calling Fluence again, and only
 * list a type themselves when no list of it is fresh enough. Concurrent readers share one call; a
 * failed call is not cached (the next reader tries again).
 */
import type { InstanceSummary } from '../fluence/model';
import type { WorkloadType } from '../fluence/workload';

export interface FleetList {
  at: number;
  instances: InstanceSummary[];
}

export interface FleetSnapshotOptions {
  listInstances(type: WorkloadType): Promise<InstanceSummary[]>;
  now: () => number;
  /** A list younger than this is reused by `list()` (default: the watch interval). */
  maxAgeMs: number;
}

export class FleetSnapshot {
  private readonly lists = new Map<WorkloadType, FleetList>();
  private readonly pending = new Map<WorkloadType, Promise<InstanceSummary[]>>();
  /** List calls made through the snapshot (benchmarks, tests). */
  calls = 0;

  constructor(private readonly o: FleetSnapshotOptions) {}

  /** The type's instances from a list at most `maxAgeMs` old (default the snapshot's), calling Fluence only when there is none. */
  async list(type: WorkloadType, maxAgeMs = this.o.maxAgeMs): Promise<InstanceSummary[]> {
    const have = this.lists.get(type);
    if (have && this.o.now() - have.at <= maxAgeMs) return have.instances;
    return this.refresh(type);
  }

  /** A fresh list call (the watcher's per-cycle call); callers at the same moment share it. */
  refresh(type: WorkloadType): Promise<InstanceSummary[]> {
    const running = this.pending.get(type);
    if (running) return running;
    const at = this.o.now();
    this.calls += 1;
    const call = this.o
      .listInstances(type)
      .then((instances) => {
        this.lists.set(type, { at, instances });
        return instances;
      })
      .finally(() => this.pending.delete(type));
    this.pending.set(type, call);
    return call;
  }

  /** What is known without calling (null: never listed). */
  peek(type: WorkloadType): FleetList | null {
    return this.lists.get(type) ?? null;
  }
}
