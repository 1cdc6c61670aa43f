/**
 * The watcher's answer to a store that refuses writes (disk full, I/O error, a lock held longer
 * than the watcher waits): skip 0, 1, 3, 7, 15, 15 … cycles, like a Fluence outage, with one log
 * line per streak instead of one per cycle. Replies already sent are remembered in memory
 * (delivery.ts), so backing off never costs a duplicate.
 */
import type { Logger } from '../log';

const MAX_SKIP_CYCLES = 15;

export class StoreBackoff {
  private failures = 0;
  private skip = 0;

  constructor(private readonly logger: Logger) {}

  /** True when the coming cycle is to be skipped (and counts it). */
  skipCycle(): boolean {
    if (this.skip <= 0) return false;
    this.skip -= 1;
    return true;
  }

  failed(err: unknown, unrecordedReplies: number): void {
    this.failures += 1;
    this.skip = Math.min(2 ** (this.failures - 1) - 1, MAX_SKIP_CYCLES);
    if (this.failures === 1) {
      this.logger.error(
        { err, code: (err as { code?: unknown }).code, unrecordedReplies },
        'the store cannot be written; watch cycles back off until it can (messages already sent are not sent again)',
      );
    }
  }

  recovered(): void {
    if (this.failures === 0) return;
    this.logger.info({ failedCycles: this.failures }, 'the store takes writes again; watching resumed');
    this.failures = 0;
    this.skip = 0;
  }
}
