/**
 * Benchmark 4: start-up time (startBot until /healthz answers ok) and RSS at idle and with 10,000
 * watches, measured in a child process that holds only the bot; a bare Node process started the
 * same way (tsx, --expose-gc) is the baseline.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WORKLOAD_TYPES, type WorkloadType } from '../src/fluence/workload';
import { startSimulator } from '../src/simulator';
import { startSlackStandin } from '../src/standin';
import { round, table, writeResult } from './support';

export interface MemoryResult {
  baselineRssMiB: number;
  startupMs: number;
  idleRssMiB: number;
  idleHeapMiB: number;
  watches: number;
  watchingRssMiB: number;
  watchingHeapMiB: number;
  bytesPerWatch: number;
  /** idle RSS / RSS of a Node + tsx process with nothing loaded */
  idleRatioToBaseline: number;
}

const MiB = 2 ** 20;

function child(mode: 'baseline' | 'bot'): { proc: ChildProcess; next: () => Promise<any> } {
  const proc = fork(join(__dirname, 'memory-child.ts'), [mode], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: any[] = [];
  const waiters: Array<(m: any) => void> = [];
  proc.on('message', (m) => (waiters.length ? waiters.shift()!(m) : queue.push(m)));
  const next = () =>
    new Promise<any>((resolve, reject) => {
      if (queue.length) return resolve(queue.shift());
      waiters.push(resolve);
      proc.once('exit', (code) => reject(new Error(`memory child (${mode}) exited with ${code}`)));
    });
  return { proc, next };
}

export async function benchMemory(watches = 10_000): Promise<MemoryResult> {
  const base = child('baseline');
  const baseline = await base.next();
  const sim = await startSimulator({ speed: 40 }); // 3 s to ACTIVE, under 1 s to start
  const standin = await startSlackStandin();
  const bot = child('bot');
  try {
    bot.proc.send({ simUrl: sim.url, slackApiUrl: standin.apiUrl });
    const idle = await bot.next();
    const ids: Array<{ id: string; type: WorkloadType }> = [];
    WORKLOAD_TYPES.forEach((type, t) => {
      const count = Math.floor(watches / 3) + (t < watches % 3 ? 1 : 0);
      for (const id of sim.control.seedInstances(count, type, { status: 'INITIALIZED', namePrefix: `m${t}` })) ids.push({ id, type });
    });
    bot.proc.send({ ids });
    const watching = await bot.next();
    const result: MemoryResult = {
      baselineRssMiB: round(baseline.rss / MiB),
      startupMs: round(idle.startupMs),
      idleRssMiB: round(idle.rss / MiB),
      idleHeapMiB: round(idle.heapUsed / MiB),
      watches: watching.watches,
      watchingRssMiB: round(watching.rss / MiB),
      watchingHeapMiB: round(watching.heapUsed / MiB),
      bytesPerWatch: Math.round((watching.rss - idle.rss) / watches),
      idleRatioToBaseline: round(idle.rss / baseline.rss, 2),
    };
    writeResult('memory', result);
    return result;
  } finally {
    await new Promise((r) => (bot.proc.exitCode !== null ? r(null) : bot.proc.once('exit', r)));
    base.proc.kill();
    await sim.stop();
    await standin.stop();
  }
}

export function memoryTable(r: MemoryResult): string {
  return table(
    ['measure', 'value'],
    [
      ['Node + tsx, nothing loaded (baseline)', `${r.baselineRssMiB} MiB`],
      ['start-up: startBot -> /healthz ok', `${r.startupMs} ms`],
      ['RSS idle', `${r.idleRssMiB} MiB (${r.idleRatioToBaseline}× baseline)`],
      ['heap idle', `${r.idleHeapMiB} MiB`],
      [`RSS with ${r.watches} watches`, `${r.watchingRssMiB} MiB`],
      [`heap with ${r.watches} watches`, `${r.watchingHeapMiB} MiB`],
      ['RSS per watch', `${r.bytesPerWatch} B`],
    ],
  );
}
