/**
 * Leases: how long an instance may run before its owner is reminded (and, by channel policy,
 * before it is terminated). One row per instance id, for instances the bot deployed and for
 * instances adopted with `/gpu watch` or `/gpu lease`. The rules (who may set what, maximums) are
 * services/leases.ts; this keeps the numbers.
 *
 * Built for the scheduler that will send reminders and act on expiry: `reminded_at` and
 * `expired_at` belong to the current `ends_at` (any change of the end clears them in the same
 * transaction), and partial indexes hold only the leases still waiting for each step, so "ending
 * before T and not yet reminded" is one index range scan however many leases have been handled.
 */
import type { Kysely, Selectable } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { StoreTransaction } from './index';
import type { Executor } from './engine';
import type { LeasesTable, StoreTables } from './tables';

/**
 * A lease as the rest of the bot sees it (the step columns are lease-steps.ts's). `ownerId`: who the
 * lease is for (null when nobody is known); `channelId`: whose policy applies; `endsAt` null = until
 * someone terminates it; `remindedAt` / `expiredAt`: when the reminder / expiry of the current
 * `endsAt` was handled (null until then).
 */
export type Lease = Pick<Selectable<LeasesTable>, (typeof LEASE_COLUMNS)[number]>;

const LEASE_COLUMNS = ['instanceId', 'type', 'ownerId', 'channelId', 'endsAt', 'startedAt', 'setBy', 'setAt', 'remindedAt', 'expiredAt'] as const;

export interface LeaseInput {
  instanceId: string;
  type?: WorkloadType | null;
  ownerId?: string | null;
  channelId?: string | null;
  endsAt: number | null;
  by: string;
}

export interface LeaseChange {
  before: Lease | undefined;
  after: Lease;
  changed: boolean;
}

/** Lease choices of deploy forms older than this are of no use (the form or approval is long gone). */
const CHOICE_TTL_MS = 7 * 24 * 60 * 60_000;

export class LeaseStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: StoreTransaction,
    private readonly now: () => number = Date.now,
  ) {}

  get(instanceId: string): Promise<Lease | undefined> {
    return this.read(this.db, instanceId);
  }

  /** The leases of these instances (one query), by instance id. */
  async getMany(instanceIds: readonly string[]): Promise<Map<string, Lease>> {
    if (instanceIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('leases').select(LEASE_COLUMNS).where('instanceId', 'in', instanceIds).execute();
    return new Map(rows.map((r) => [r.instanceId, r]));
  }

  /**
   * Sets the lease's end (null: until terminated), creating the lease if there is none. The owner
   * and channel of an existing lease are kept (the first deploy or adoption decides them).
   */
  set(input: LeaseInput): Promise<LeaseChange> {
    return this.tx(async (trx) => {
      const before = await this.read(trx, input.instanceId);
      const at = this.now();
      if (before) {
        // a new end is a new lease for the reminder and expiry steps: their markers are cleared with it
        const newEnd = before.endsAt !== input.endsAt;
        await trx
          .updateTable('leases')
          .set({
            type: input.type ?? before.type,
            ownerId: before.ownerId ?? input.ownerId ?? null,
            channelId: before.channelId ?? input.channelId ?? null,
            endsAt: input.endsAt,
            setBy: input.by,
            setAt: at,
            ...(newEnd ? { remindedAt: null, expiredAt: null, nextNagAt: null } : {}),
          })
          .where('instanceId', '=', input.instanceId)
          .execute();
      } else {
        await this.insert(trx, input, at);
      }
      const after = (await this.read(trx, input.instanceId))!;
      return { before, after, changed: !before || before.endsAt !== after.endsAt };
    });
  }

  /**
   * Moves the lease's end to `endsAt` if that is later than its current end (one conditional
   * UPDATE: two clicks racing cannot shorten it). Returns the lease before and after; `changed`
   * false when the lease has no end, is gone, or already ends at or after `endsAt`.
   */
  extendTo(instanceId: string, endsAt: number, by: string): Promise<LeaseChange | { before: Lease | undefined; after: undefined; changed: false }> {
    return this.tx(async (trx) => {
      const before = await this.read(trx, instanceId);
      // a new end clears the step markers like `set`
      const res = await trx
        .updateTable('leases')
        .set({ endsAt, setBy: by, setAt: this.now(), remindedAt: null, expiredAt: null, nextNagAt: null })
        .where('instanceId', '=', instanceId)
        .where('endsAt', 'is not', null)
        .where('endsAt', '<', endsAt)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return { before, after: undefined, changed: false as const };
      return { before, after: (await this.read(trx, instanceId))!, changed: true };
    });
  }

  /** Creates the lease unless the instance has one already (a repeated announcement keeps the first). */
  async start(input: LeaseInput): Promise<{ created: boolean; lease: Lease }> {
    const created = await this.insert(this.db, input, this.now());
    return { created, lease: (await this.get(input.instanceId))! };
  }

  /**
   * Leases ending before `before` whose reminder has not gone out, soonest first: what a reminder
   * job asks each tick (served by the partial index leases_to_remind).
   */
  unremindedEndingBefore(before: number, limit = 100): Promise<Lease[]> {
    return this.db
      .selectFrom('leases')
      .select(LEASE_COLUMNS)
      .where('endsAt', 'is not', null)
      .where('remindedAt', 'is', null)
      .where('endsAt', '<', before)
      .orderBy('endsAt')
      .limit(limit)
      .execute();
  }

  /** Remembers the lease picked in a deploy form (null: until terminated) until the instance exists. */
  async chooseForRequest(requestKey: string, leaseMs: number | null): Promise<void> {
    const at = this.now();
    await this.db
      .insertInto('deployLeaseChoices')
      .values({ requestKey, leaseMs, chosenAt: at })
      .onConflict((oc) => oc.column('requestKey').doUpdateSet({ leaseMs, chosenAt: at }))
      .execute();
    await this.db.deleteFrom('deployLeaseChoices').where('chosenAt', '<', at - CHOICE_TTL_MS).execute();
  }

  /** The lease picked in that deploy form: undefined when none was recorded (use the channel's default). */
  choiceFor(requestKey: string): Promise<{ leaseMs: number | null } | undefined> {
    return this.db.selectFrom('deployLeaseChoices').select('leaseMs').where('requestKey', '=', requestKey).executeTakeFirst();
  }

  private read(db: Executor, instanceId: string): Promise<Lease | undefined> {
    return db.selectFrom('leases').select(LEASE_COLUMNS).where('instanceId', '=', instanceId).executeTakeFirst();
  }

  /** Inserts the lease unless one exists; true when this call created it. */
  private async insert(db: Executor, input: LeaseInput, at: number): Promise<boolean> {
    const row = await db
      .insertInto('leases')
      .values({
        instanceId: input.instanceId,
        type: input.type ?? null,
        ownerId: input.ownerId ?? null,
        channelId: input.channelId ?? null,
        endsAt: input.endsAt,
        startedAt: at,
        setBy: input.by,
        setAt: at,
      })
      .onConflict((oc) => oc.column('instanceId').doNothing())
      .returning('instanceId')
      .executeTakeFirst();
    return row !== undefined;
  }
}
