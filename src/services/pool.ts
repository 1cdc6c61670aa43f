/**
 * At most `limit` calls in flight, and none started once `stop()` says the time is up: how the
 * spend report and the burn figure bound what they ask of Fluence. Pure control flow, no I/O.
 */
export interface PoolResult<R> {
  /** In input order; undefined where the call was never started (stopped) . */
  results: Array<{ ok: true; value: R } | { ok: false; error: unknown } | undefined>;
  started: number;
  /** Items never started because `stop()` returned true. */
  skipped: number;
}

export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
  stop: () => boolean = () => false,
): Promise<PoolResult<R>> {
  const results: PoolResult<R>['results'] = new Array(items.length).fill(undefined);
  let next = 0;
  let started = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const index = next++;
      started++;
      try {
        results[index] = { ok: true, value: await fn(items[index]!) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, items.length)) }, worker));
  return { results, started, skipped: items.length - started };
}
