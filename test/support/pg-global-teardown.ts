/**
 * Jest globalTeardown: stops the embedded PostgreSQL server pg-global-setup.ts started, if any,
 * and deletes its files. A server still starting is killed with its whole process group.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

function exitOf(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    // not unref'd: the setup unref'd the child, so this timer keeps the runner alive meanwhile
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export default async function pgGlobalTeardown(): Promise<void> {
  const server = (globalThis as { __gpuBotPgServer?: { child: ChildProcess; stateFile: string; dataDir: string } }).__gpuBotPgServer;
  if (!server) return;
  const { child, stateFile, dataDir } = server;
  child.ref();
  child.kill('SIGTERM');
  if (!(await exitOf(child, 15_000)) && child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    await exitOf(child, 2_000);
  }
  // what a killed initdb or server left (a cleanly stopped one deleted it already)
  for (let i = 0; i < 20; i++) {
    try {
      rmSync(dataDir, { recursive: true, force: true });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a dying process may still be writing
    }
  }
  rmSync(stateFile, { force: true });
  rmSync(`${stateFile}.tmp`, { force: true });
}
