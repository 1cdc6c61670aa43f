/**
 * The background repositories (outbox, watches, leases, lease steps) on either engine, the way
 * openStore assembles them, for contract tests that run on SQLite and on PostgreSQL. Each `open()`
 * is one more process's view of the same database (its own connection or pool): two of them are
 * two replicas.
 */
import type { Engine, EngineKind } from '../../src/store/engine';
import { LeaseStepStore } from '../../src/store/lease-steps';
import { LeaseStore } from '../../src/store/leases';
import { openEngine } from '../../src/store/open';
import { OutboxStore } from '../../src/store/outbox';
import { WatchStore } from '../../src/store/watches';
import { testLocation, type TestLocation } from './engines';

export interface BgRepos {
  engine: Engine;
  outbox: OutboxStore;
  watches: WatchStore;
  leases: LeaseStore;
  leaseSteps: LeaseStepStore;
}

export interface BgDatabase {
  open(): Promise<BgRepos>;
  cleanup(): Promise<void>;
}

export async function bgDatabase(kind: EngineKind, now: () => number): Promise<BgDatabase> {
  const where: TestLocation = await testLocation(kind);
  const opened: Engine[] = [];
  return {
    async open() {
      const { engine } = await openEngine(where.location);
      opened.push(engine);
      const outbox = new OutboxStore(engine.kysely, engine.transaction, engine.kind);
      return {
        engine,
        outbox,
        watches: new WatchStore(engine.kysely, engine.transaction, outbox),
        leases: new LeaseStore(engine.kysely, engine.transaction, now),
        leaseSteps: new LeaseStepStore(engine.kysely, engine.transaction),
      };
    },
    async cleanup() {
      for (const e of opened.splice(0)) await e.close();
      await where.cleanup();
    },
  };
}
