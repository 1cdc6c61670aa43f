/**
 * Who runs the periodic jobs. Leader-only jobs (watch cycles, reconciler, approval expiry, leases,
 * digests, alerts) must run on exactly one process of a fleet; `isLeader()` is asked before every run,
 * so an implementation can acquire or renew there (a PostgreSQL advisory lock, a lease row with
 * fencing: issue 13 §2, a later merge). SQLite means one process: it is always the leader.
 */
export interface Leadership {
  /** True while this process may run leader-only jobs. May acquire or renew leadership; never throws for "no". */
  isLeader(): Promise<boolean>;
  /** Gives leadership up (shutdown), so another replica takes over within one interval. */
  release(): Promise<void>;
}

/** One process on one SQLite file: always the leader. */
export const singleProcessLeadership: Leadership = {
  isLeader: async () => true,
  release: async () => undefined,
};
