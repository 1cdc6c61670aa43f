/**
 * Counts Slack requests whose handlers are still running after their ack (a deploy waiting for
 * Fluence, an announcement being posted). Shutdown waits for them before closing the database,
 * and tests wait for them before moving the clock, so nothing races a half-finished handler.
 */
export class InFlight {
  private count = 0;
  private waiters: Array<() => void> = [];

  async track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work;
    } finally {
      this.count--;
      if (this.count === 0) this.waiters.splice(0).forEach((w) => w());
    }
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no handler is running (at once if none is), or after `timeoutMs`. */
  idle(timeoutMs = 30_000): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
