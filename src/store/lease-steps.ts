/**
 * The lease job's claims (issue 11 §2) on the `leases` table: which leases are due for a step, and
 * each step claimed with ONE conditional UPDATE naming the end it was decided for, in the same
 * transaction as its notice's outbox claim. A step decided twice (two ticks, a restart, a second
 * replica) finds the marker set and claims nothing; an extension moved the end, so a step decided
 * for the old end claims nothing either. Migrations 700–799 (lease-step-migrations.ts).
 *
 * The API is async already; the statements still run on the better-sqlite3 handle because each
 * claim shares its transaction with the outbox's synchronous `enqueueIn` (store/outbox.ts). Both
 * move to Kysely (`store.transaction(trx => …)`) together, with no change for callers.
 */
import type { WorkloadType } from '../fluence/workload';
import type { LeaseState } from '../services/lease-steps';
import { withBusyRetry, type Db } from './db';

export interface DueLease extends LeaseState {
  nags: number;
  setBy: string;
}

export type TerminateState = 'claimed' | 'deleting';

export interface TerminatingLease {
  instanceId: string;
  type: WorkloadType | null;
  ownerId: string | null;
  channelId: string | null;
  endsAt: number | null;
  terminateEnd: number;
  state: TerminateState;
}

/** Inserts a step's notices into the outbox inside the caller's transaction (the outbox's `enqueueIn`). */
export type ClaimNotices = () => void;

interface Row {
  instance_id: string;
  type: WorkloadType | null;
  owner_id: string | null;
  channel_id: string | null;
  ends_at: number | null;
  reminded_at: number | null;
  expired_at: number | null;
  next_nag_at: number | null;
  nags: number;
  set_by: string;
  terminate_state: TerminateState | null;
  terminate_end: number | null;
}

const toDue = (r: Row): DueLease => ({
  instanceId: r.instance_id,
  type: r.type,
  ownerId: r.owner_id,
  channelId: r.channel_id,
  endsAt: r.ends_at,
  remindedAt: r.reminded_at,
  expiredAt: r.expired_at,
  nextNagAt: r.next_nag_at,
  nags: r.nags,
  setBy: r.set_by,
});

export class LeaseStepStore {
  constructor(private readonly db: Db) {}

  /**
   * Leases due for a step at `now`: ending before `remindBefore` and not reminded, ended and not
   * handled, or due for a repeat. Each part is a range scan of its partial index, so the leases
   * already handled cost nothing however many there are.
   */
  async due(now: number, remindBefore: number, limit = 500): Promise<DueLease[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM leases WHERE instance_id IN (
           SELECT instance_id FROM leases WHERE ends_at IS NOT NULL AND reminded_at IS NULL AND ends_at <= @remindBefore
           UNION SELECT instance_id FROM leases WHERE ends_at IS NOT NULL AND expired_at IS NULL AND ends_at <= @now
           UNION SELECT instance_id FROM leases WHERE next_nag_at IS NOT NULL AND next_nag_at <= @now)
         ORDER BY ends_at LIMIT @limit`,
      )
      .all({ now, remindBefore, limit }) as Row[];
    return rows.map(toDue);
  }

  /** Claims the reminder of the end `endsAt`; runs `notices` in the same transaction when claimed. */
  async claimReminder(instanceId: string, endsAt: number, now: number, notices: ClaimNotices): Promise<boolean> {
    return this.claim(
      `UPDATE leases SET reminded_at = @now WHERE instance_id = @instanceId AND ends_at = @endsAt AND reminded_at IS NULL`,
      { instanceId, endsAt, now },
      notices,
    );
  }

  /**
   * Claims the expiry of the end `endsAt` (its reminder too, if it never went out). on-expiry=remind
   * plans the first repeat at `nextNagAt`; terminate records the action as claimed for this end.
   */
  async claimExpiry(instanceId: string, endsAt: number, now: number, o: { onExpiry: 'remind' | 'terminate'; nextNagAt: number }, notices: ClaimNotices): Promise<boolean> {
    const terminate = o.onExpiry === 'terminate';
    return this.claim(
      `UPDATE leases SET expired_at = @now, reminded_at = COALESCE(reminded_at, @now), nags = 0,
         next_nag_at = @nextNagAt, terminate_state = @state, terminate_end = @terminateEnd
       WHERE instance_id = @instanceId AND ends_at = @endsAt AND expired_at IS NULL`,
      { instanceId, endsAt, now, nextNagAt: terminate ? null : o.nextNagAt, state: terminate ? 'claimed' : null, terminateEnd: terminate ? endsAt : null },
      notices,
    );
  }

  /** Claims the repeat that was due at `due` (the marker moves to `nextNagAt`). */
  async claimNag(instanceId: string, endsAt: number, due: number, nextNagAt: number, notices: ClaimNotices): Promise<boolean> {
    return this.claim(
      `UPDATE leases SET next_nag_at = @nextNagAt, nags = nags + 1
       WHERE instance_id = @instanceId AND ends_at = @endsAt AND expired_at IS NOT NULL AND next_nag_at = @due`,
      { instanceId, endsAt, due, nextNagAt },
      notices,
    );
  }

  /** Nothing runs any more: the lease of this end leaves every queue without a word. */
  async settle(instanceId: string, endsAt: number, now: number): Promise<void> {
    this.db
      .prepare(
        `UPDATE leases SET reminded_at = COALESCE(reminded_at, @now), expired_at = COALESCE(expired_at, @now), next_nag_at = NULL
         WHERE instance_id = @instanceId AND ends_at = @endsAt`,
      )
      .run({ instanceId, endsAt, now });
  }

  /** Terminations claimed and not finished (after a restart too). */
  async terminating(): Promise<TerminatingLease[]> {
    const rows = this.db.prepare(`SELECT * FROM leases WHERE terminate_state IN ('claimed', 'deleting')`).all() as Row[];
    return rows.map((r) => ({
      instanceId: r.instance_id,
      type: r.type,
      ownerId: r.owner_id,
      channelId: r.channel_id,
      endsAt: r.ends_at,
      terminateEnd: r.terminate_end!,
      state: r.terminate_state!,
    }));
  }

  /**
   * The last check before the DELETE, in one statement: the lease still ends at the claimed end and
   * that end has passed (a last-second extension makes this false and nothing is terminated).
   */
  async startDeleting(instanceId: string, terminateEnd: number, now: number): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE leases SET terminate_state = 'deleting'
           WHERE instance_id = ? AND terminate_state IN ('claimed', 'deleting') AND terminate_end = ? AND ends_at = ? AND ends_at <= ?`,
        )
        .run(instanceId, terminateEnd, terminateEnd, now).changes === 1
    );
  }

  /** The termination of this end is over: 'done' (with its notice, same transaction) or 'skipped'. */
  async finishTerminate(instanceId: string, terminateEnd: number, outcome: 'done' | 'skipped', notices?: ClaimNotices): Promise<boolean> {
    return this.claim(
      `UPDATE leases SET terminate_state = @outcome
       WHERE instance_id = @instanceId AND terminate_end = @terminateEnd AND terminate_state IN ('claimed', 'deleting')`,
      { instanceId, terminateEnd, outcome },
      notices ?? (() => undefined),
    );
  }

  /** One conditional UPDATE and, when it took, the notices: one transaction (a lock held elsewhere is waited out asynchronously). */
  private claim(sql: string, params: Record<string, unknown>, notices: ClaimNotices): Promise<boolean> {
    return withBusyRetry(
      () =>
        this.db
          .transaction(() => {
            if (this.db.prepare(sql).run(params).changes !== 1) return false;
            notices();
            return true;
          })
          .immediate(),
      { what: 'claim a lease step' },
    );
  }
}
