/**
 * The lease job's claims (issue 11 §2) on the `leases` table: which leases are due for a step, and
 * each step claimed with ONE conditional UPDATE naming the end it was decided for, in the same
 * transaction as its notice's outbox claim. A step decided twice (two ticks, a restart, a second
 * replica) finds the marker set and claims nothing; an extension moved the end, so a step decided
 * for the old end claims nothing either. Migrations 700–799 (lease-step-migrations.ts).
 */
import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { LeaseState } from '../services/lease-steps';
import type { Trx } from './engine';
import type { StoreTransaction } from './index';
import type { StoreTables } from './tables';

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

/** Inserts a step's notices into the outbox inside the claim's transaction (the outbox's `enqueueIn(trx, …)`). */
export type ClaimNotices = (trx: Trx) => Promise<unknown>;

type LeaseUpdate = UpdateQueryBuilder<StoreTables, 'leases', 'leases', UpdateResult>;

const DUE_COLUMNS = ['instanceId', 'type', 'ownerId', 'channelId', 'endsAt', 'remindedAt', 'expiredAt', 'nextNagAt', 'nags', 'setBy'] as const;

export class LeaseStepStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: StoreTransaction,
  ) {}

  /**
   * Leases due for a step at `now`: ending before `remindBefore` and not reminded, ended and not
   * handled, or due for a repeat. Each part is a range scan of its partial index, so the leases
   * already handled cost nothing however many there are.
   */
  due(now: number, remindBefore: number, limit = 500): Promise<DueLease[]> {
    return this.db
      .selectFrom('leases')
      .select(DUE_COLUMNS)
      .where('instanceId', 'in', (eb) =>
        eb
          .selectFrom('leases')
          .select('instanceId')
          .where('endsAt', 'is not', null)
          .where('remindedAt', 'is', null)
          .where('endsAt', '<=', remindBefore)
          .union(eb.selectFrom('leases').select('instanceId').where('endsAt', 'is not', null).where('expiredAt', 'is', null).where('endsAt', '<=', now))
          .union(eb.selectFrom('leases').select('instanceId').where('nextNagAt', 'is not', null).where('nextNagAt', '<=', now)),
      )
      .orderBy('endsAt')
      .orderBy('instanceId')
      .limit(limit)
      .execute();
  }

  /** Claims the reminder of the end `endsAt`; runs `notices` in the same transaction when claimed. */
  claimReminder(instanceId: string, endsAt: number, now: number, notices: ClaimNotices): Promise<boolean> {
    return this.claim(
      (u) => u.set({ remindedAt: now }).where('instanceId', '=', instanceId).where('endsAt', '=', endsAt).where('remindedAt', 'is', null),
      notices,
    );
  }

  /**
   * Claims the expiry of the end `endsAt` (its reminder too, if it never went out). on-expiry=remind
   * plans the first repeat at `nextNagAt`; terminate records the action as claimed for this end.
   */
  claimExpiry(instanceId: string, endsAt: number, now: number, o: { onExpiry: 'remind' | 'terminate'; nextNagAt: number }, notices: ClaimNotices): Promise<boolean> {
    const terminate = o.onExpiry === 'terminate';
    return this.claim(
      (u) =>
        u
          .set((eb) => ({
            expiredAt: now,
            remindedAt: eb.fn.coalesce('remindedAt', eb.val(now)),
            nags: 0,
            nextNagAt: terminate ? null : o.nextNagAt,
            terminateState: terminate ? ('claimed' as const) : null,
            terminateEnd: terminate ? endsAt : null,
          }))
          .where('instanceId', '=', instanceId)
          .where('endsAt', '=', endsAt)
          .where('expiredAt', 'is', null),
      notices,
    );
  }

  /** Claims the repeat that was due at `due` (the marker moves to `nextNagAt`). */
  claimNag(instanceId: string, endsAt: number, due: number, nextNagAt: number, notices: ClaimNotices): Promise<boolean> {
    return this.claim(
      (u) =>
        u
          .set((eb) => ({ nextNagAt, nags: eb('nags', '+', 1) }))
          .where('instanceId', '=', instanceId)
          .where('endsAt', '=', endsAt)
          .where('expiredAt', 'is not', null)
          .where('nextNagAt', '=', due),
      notices,
    );
  }

  /** Nothing runs any more: the lease of this end leaves every queue without a word. */
  async settle(instanceId: string, endsAt: number, now: number): Promise<void> {
    await this.db
      .updateTable('leases')
      .set((eb) => ({ remindedAt: eb.fn.coalesce('remindedAt', eb.val(now)), expiredAt: eb.fn.coalesce('expiredAt', eb.val(now)), nextNagAt: null }))
      .where('instanceId', '=', instanceId)
      .where('endsAt', '=', endsAt)
      .execute();
  }

  /** Terminations claimed and not finished (after a restart too). */
  async terminating(): Promise<TerminatingLease[]> {
    const rows = await this.db
      .selectFrom('leases')
      .select(['instanceId', 'type', 'ownerId', 'channelId', 'endsAt', 'terminateEnd', 'terminateState'])
      .where('terminateState', 'in', ['claimed', 'deleting'])
      .orderBy('instanceId')
      .execute();
    return rows.map(({ terminateEnd, terminateState, ...r }) => ({ ...r, terminateEnd: terminateEnd!, state: terminateState as TerminateState }));
  }

  /**
   * The last check before the DELETE, in one statement: the lease still ends at the claimed end and
   * that end has passed (a last-second extension makes this false and nothing is terminated).
   */
  async startDeleting(instanceId: string, terminateEnd: number, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('leases')
      .set({ terminateState: 'deleting' })
      .where('instanceId', '=', instanceId)
      .where('terminateState', 'in', ['claimed', 'deleting'])
      .where('terminateEnd', '=', terminateEnd)
      .where('endsAt', '=', terminateEnd)
      .where('endsAt', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** The termination of this end is over: 'done' (with its notice, same transaction) or 'skipped'. */
  finishTerminate(instanceId: string, terminateEnd: number, outcome: 'done' | 'skipped', notices?: ClaimNotices): Promise<boolean> {
    return this.claim(
      (u) => u.set({ terminateState: outcome }).where('instanceId', '=', instanceId).where('terminateEnd', '=', terminateEnd).where('terminateState', 'in', ['claimed', 'deleting']),
      notices ?? (async () => undefined),
    );
  }

  /** One conditional UPDATE and, when it took, the notices: one serialised transaction (rolled back whole if the notices fail). */
  private claim(update: (u: LeaseUpdate) => LeaseUpdate, notices: ClaimNotices): Promise<boolean> {
    return this.tx(async (trx) => {
      const res = await update(trx.updateTable('leases')).executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await notices(trx);
      return true;
    });
  }
}
