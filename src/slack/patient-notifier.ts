/**
 * For posts a person is waiting for (the deploy announcement, `/gpu watch`, an approval request),
 * a Slack 429 is waited out and the same message sent again, a few times, instead of being
 * dropped. The watcher keeps the plain notifier: it has its own outbox and retries on later cycles.
 */
import type { NotifyResult, WatchMessage, WatchNotifier, WatchTarget } from '../watch/notifier';

export interface PatienceOptions {
  attempts?: number;
  /** Longest single wait for Retry-After. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function patientNotifier(inner: WatchNotifier, o: PatienceOptions = {}): WatchNotifier {
  const attempts = o.attempts ?? 3;
  const maxWaitMs = o.maxWaitMs ?? 20_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const patiently = async (call: () => Promise<NotifyResult>): Promise<NotifyResult> => {
    let res = await call();
    for (let i = 1; i < attempts && !res.ok && res.reason === 'rate_limited'; i++) {
      await sleep(Math.min(maxWaitMs, Math.max(1, res.retryAfterSeconds ?? 1) * 1000));
      res = await call();
    }
    return res;
  };
  return {
    updateStatus: (t: WatchTarget, m: WatchMessage) => patiently(() => inner.updateStatus(t, m)),
    reply: (t: WatchTarget, m: WatchMessage) => patiently(() => inner.reply(t, m)),
    dm: (u: string, m: WatchMessage) => patiently(() => inner.dm(u, m)),
    post: (c: string, m: WatchMessage) => patiently(() => inner.post(c, m)),
  };
}
