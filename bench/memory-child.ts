/**
 * Child process of the memory benchmark, so RSS is the bot's alone (the simulator and the Slack
 * stand-in stay in the parent). Mode "baseline" reports a bare Node process; mode "bot" starts the
 * bot with startBot, times it to a healthy /healthz, reports idle RSS, then takes the instance ids
 * the parent seeded, watches them all, runs a cycle and reports RSS again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBot } from '../src/bot';
import { loadConfig } from '../src/config';
import type { WorkloadType } from '../src/fluence/workload';
import { createLogger } from '../src/log';

const send = (m: unknown) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
const nextMessage = () => new Promise<any>((resolve) => process.once('message', resolve));

async function settledRss(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'baseline') {
    await send({ kind: 'idle', ...(await settledRss()) });
    return;
  }
  const { simUrl, slackApiUrl } = await nextMessage();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-mem-'));
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-bench-memory',
    SLACK_SIGNING_SECRET: 'bench-memory-signing-secret',
    SLACK_API_URL: slackApiUrl,
    FLUENCE_API_URL: simUrl,
    FLUENCE_API_KEY: 'sim-key',
    PORT: '0',
    DATABASE_PATH: join(dir, 'mem.sqlite'),
    WATCH_INTERVAL_MS: '3600000',
  });
  const t0 = performance.now();
  const bot = await startBot({ config, logger: createLogger({ level: 'info', destination: new Writable({ write: (_c, _e, cb) => cb() }) }), botUserId: 'U_BOT', botId: 'B_BOT' });
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`).catch(() => null);
    if (res?.ok) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startupMs = performance.now() - t0;
  await send({ kind: 'idle', startupMs, ...(await settledRss()) });

  const { ids } = (await nextMessage()) as { ids: Array<{ id: string; type: WorkloadType }> };
  await Promise.all(
    ids.map(({ id, type }, i) =>
    bot.context.watcher.watch({
      instanceId: id, type, channelId: 'C_BENCH', messageTs: `1700000000.${String(i).padStart(6, '0')}`, requesterId: 'U_BENCH',
      name: `m-${i}`, planLabel: 'bench', pricePerHour: 1, status: 'INITIALIZED',
    }),
    ),
  );
  const report = await bot.context.watcher.runCycle();
  await send({ kind: 'watching', watches: report.watching, ...(await settledRss()) });
  await bot.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`memory child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
