/**
 * One competitor in the cross-process race of test/store/deploy-requests.test.ts: opens the store
 * file, waits for the shared start time, then tries to claim every key, printing the keys it won.
 * argv: dbPath startAt keyCount
 */
import { openStore } from '../../src/store';
import { withBusyRetry } from '../../src/store/db';

const [path, startAtArg, countArg] = process.argv.slice(2);
const startAt = Number(startAtArg);

function waitForStart(): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < startAt - 5) Atomics.wait(sleeper, 0, 0, 1);
  while (Date.now() < startAt) {
    // spin the last few ms so every competitor starts within the same millisecond
  }
}

// The store's busy timeout is short (a held lock must not freeze the event loop): each claim waits
// out the other processes' locks the way the bot does, asynchronously.
async function race(): Promise<string[]> {
  const store = await openStore(path!);
  waitForStart();
  const won: string[] = [];
  for (let i = 0; i < Number(countArg); i++) {
    const key = `modal-${i}`;
    const claim = await withBusyRetry(() =>
      store.deployRequests.begin(key, {
        channelId: 'C1',
        userId: `U${process.pid}`,
        type: 'vm',
        planId: 'plan-1',
        name: `vm-${i}`,
        pricePerHour: 1.5,
      }),
    );
    if (claim.started) {
      won.push(key);
      await withBusyRetry(() => store.deployRequests.succeed(key, `inst-${process.pid}-${i}`));
    }
  }
  await store.close();
  return won;
}

void race().then((won) => {
  process.stdout.write(JSON.stringify({ pid: process.pid, won }));
});
