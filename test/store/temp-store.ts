/** Real SQLite files in a throwaway directory, and a clock the test moves by hand. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store';

export interface TempStores {
  dir: string;
  path: string;
  clock: { t: number; now: () => number };
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function tempStores(): TempStores {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-store-'));
  const path = join(dir, 'nested', 'gpu-bot.sqlite');
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const opened: Store[] = [];
  return {
    dir,
    path,
    clock,
    async open() {
      const s = await openStore(path, { now: clock.now });
      opened.push(s);
      return s;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
