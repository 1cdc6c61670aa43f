/**
 * The store's Kysely repositories (kyselyRepositories, as openStore builds them) on one database of
 * either engine, opened by several "processes": each `open()` is one more process's engine (its own
 * connection or pool) on the same database, so two of them are two replicas.
 */
import { kyselyRepositories } from '../../src/store';
import type { Engine, EngineKind } from '../../src/store/engine';
import { openEngine } from '../../src/store/open';
import { testLocation, type TestLocation } from './engines';

export type BgRepos = ReturnType<typeof kyselyRepositories> & { engine: Engine };

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
      return { ...kyselyRepositories(engine, now), engine };
    },
    async cleanup() {
      for (const e of opened.splice(0)) await e.close();
      await where.cleanup();
    },
  };
}
