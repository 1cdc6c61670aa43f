/**
 * Leases: how long an instance may run before its owner is reminded (and, by channel policy,
 * before it is terminated). One row per instance id, for instances the bot deployed and for
 * instances adopted with `/gpu watch` or `/gpu lease`. The rules (who may set what, maximums) are
 * services/leases.ts; this keeps the numbers.
 *
 * Built for the scheduler that will send reminders and act on expiry: `reminded_at` and
 * `expired_at` belong to the current `ends_at` (any change of the end clears them in the same
 * statement), and partial indexes hold only the leases still waiting for each step, so "ending
 * before T and not yet reminded" is one index range scan however many leases have been handled.
 */
import type { WorkloadType } from '../fluence/workload';
import type { Db } from './db';

export interface Lease {
  instanceId: string;
  type: WorkloadType | null;
  /** Who the lease is for (the deployer, or whoever adopted it); null when nobody is known. */
  ownerId: string | null;
  /** The channel whose policy applies (where it was deployed or adopted). */
  channelId: string | null;
  /** Epoch ms; null = until someone terminates it. */
  endsAt: number | null;
  startedAt: number;
  setBy: string;
  setAt: number;
  /** When the reminder for the current `endsAt` went out; null until then. */
  remindedAt: number | null;
  /** When the expiry of the current `endsAt` was handled; null until then. */
  expiredAt: number | null;
}

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

interface LeaseRow {
  instance_id: string;
  type: WorkloadType | null;
  owner_id: string | null;
  channel_id: string | null;
  ends_at: number | null;
  started_at: number;
  set_by: string;
  set_at: number;
  reminded_at: number | null;
  expired_at: number | null;
}

function toLease(r: LeaseRow): Lease {
  return {
    instanceId: r.instance_id,
    type: r.type,
    ownerId: r.owner_id,
    channelId: r.channel_id,
    endsAt: r.ends_at,
    startedAt: r.started_at,
    setBy: r.set_by,
    setAt: r.set_at,
    remindedAt: r.reminded_at,
    expiredAt: r.expired_at,
  };
}

/** Lease choices of deploy forms older than this are of no use (the form or approval is long gone). */
const CHOICE_TTL_MS = 7 * 24 * 60 * 60_000;

function prepareStatements(db: Db) {
  return {
    get: db.prepare(`SELECT * FROM leases WHERE instance_id = ?`),
    insert: db.prepare(
      `INSERT INTO leases (instance_id, type, owner_id, channel_id, ends_at, started_at, set_by, set_at)
       VALUES (@instanceId, @type, @ownerId, @channelId, @endsAt, @at, @by, @at)
       ON CONFLICT (instance_id) DO NOTHING`,
    ),
    // a new end is a new lease for the reminder and expiry steps: both markers are cleared with it
    update: db.prepare(
      `UPDATE leases SET
         type = COALESCE(@type, type), owner_id = COALESCE(owner_id, @ownerId), channel_id = COALESCE(channel_id, @channelId),
         ends_at = @endsAt, set_by = @by, set_at = @at,
         reminded_at = CASE WHEN ends_at IS @endsAt THEN reminded_at ELSE NULL END,
         expired_at  = CASE WHEN ends_at IS @endsAt THEN expired_at ELSE NULL END,
         next_nag_at = CASE WHEN ends_at IS @endsAt THEN next_nag_at ELSE NULL END
       WHERE instance_id = @instanceId`,
    ),
    // an Extend click: only ever later than the current end (a double click, or a longer extension
    // that won the race, is never undone); a new end clears the step markers like `update`
    extend: db.prepare(
      `UPDATE leases SET ends_at = @endsAt, set_by = @by, set_at = @at, reminded_at = NULL, expired_at = NULL, next_nag_at = NULL
       WHERE instance_id = @instanceId AND ends_at IS NOT NULL AND ends_at < @endsAt`,
    ),
    toRemind: db.prepare(
      `SELECT * FROM leases WHERE ends_at IS NOT NULL AND reminded_at IS NULL AND ends_at < ? ORDER BY ends_at LIMIT ?`,
    ),
    chooseForRequest: db.prepare(
      `INSERT INTO deploy_lease_choices (request_key, lease_ms, chosen_at) VALUES (?, ?, ?)
       ON CONFLICT (request_key) DO UPDATE SET lease_ms = excluded.lease_ms, chosen_at = excluded.chosen_at`,
    ),
    choiceFor: db.prepare(`SELECT lease_ms FROM deploy_lease_choices WHERE request_key = ?`),
    pruneChoices: db.prepare(`DELETE FROM deploy_lease_choices WHERE chosen_at < ?`),
  };
}

export class LeaseStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  get(instanceId: string): Lease | undefined {
    const row = this.stmts.get.get(instanceId) as LeaseRow | undefined;
    return row ? toLease(row) : undefined;
  }

  /**
   * Sets the lease's end (null: until terminated), creating the lease if there is none. The owner
   * and channel of an existing lease are kept (the first deploy or adoption decides them).
   */
  set(input: LeaseInput): LeaseChange {
    return this.db
      .transaction((): LeaseChange => {
        const before = this.get(input.instanceId);
        const params = this.params(input);
        if (before) this.stmts.update.run(params);
        else this.stmts.insert.run(params);
        const after = this.get(input.instanceId)!;
        return { before, after, changed: !before || before.endsAt !== after.endsAt };
      })
      .immediate();
  }

  /**
   * Moves the lease's end to `endsAt` if that is later than its current end (one conditional
   * UPDATE: two clicks racing cannot shorten it). Returns the lease before and after; `changed`
   * false when the lease has no end, is gone, or already ends at or after `endsAt`.
   */
  extendTo(instanceId: string, endsAt: number, by: string): LeaseChange | { before: Lease | undefined; after: undefined; changed: false } {
    return this.db
      .transaction(() => {
        const before = this.get(instanceId);
        const changed = this.stmts.extend.run({ instanceId, endsAt, by, at: this.now() }).changes === 1;
        if (!changed) return { before, after: undefined, changed: false as const };
        return { before, after: this.get(instanceId)!, changed: true };
      })
      .immediate();
  }

  /** Creates the lease unless the instance has one already (a repeated announcement keeps the first). */
  start(input: LeaseInput): { created: boolean; lease: Lease } {
    const created = this.stmts.insert.run(this.params(input)).changes === 1;
    return { created, lease: this.get(input.instanceId)! };
  }

  /**
   * Leases ending before `before` whose reminder has not gone out, soonest first: what a reminder
   * job asks each tick (served by the partial index leases_to_remind).
   */
  unremindedEndingBefore(before: number, limit = 100): Lease[] {
    return (this.stmts.toRemind.all(before, limit) as LeaseRow[]).map(toLease);
  }

  /** Remembers the lease picked in a deploy form (null: until terminated) until the instance exists. */
  chooseForRequest(requestKey: string, leaseMs: number | null): void {
    const at = this.now();
    this.stmts.chooseForRequest.run(requestKey, leaseMs, at);
    this.stmts.pruneChoices.run(at - CHOICE_TTL_MS);
  }

  /** The lease picked in that deploy form: undefined when none was recorded (use the channel's default). */
  choiceFor(requestKey: string): { leaseMs: number | null } | undefined {
    const row = this.stmts.choiceFor.get(requestKey) as { lease_ms: number | null } | undefined;
    return row ? { leaseMs: row.lease_ms } : undefined;
  }

  private params(input: LeaseInput) {
    return {
      instanceId: input.instanceId,
      type: input.type ?? null,
      ownerId: input.ownerId ?? null,
      channelId: input.channelId ?? null,
      endsAt: input.endsAt,
      by: input.by,
      at: this.now(),
    };
  }
}
