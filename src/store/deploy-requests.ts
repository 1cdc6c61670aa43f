/**
 * Idempotency of deploys: a deploy costs money, so a double submit or a Slack retry must never
 * POST twice. The modal's unique request id is claimed here (an INSERT on a PRIMARY KEY, atomic
 * even across processes sharing the file) before the API is called. A succeeded row is also the
 * bot's only record of who deployed an instance from which channel (ownership, per-channel budget,
 * thread to reply in), so it is kept.
 */
import type { Db } from './db';
import type { WorkloadType } from '../fluence/workload';

export type DeployRequestState = 'pending' | 'succeeded' | 'failed';

export interface DeployRequestMeta {
  teamId?: string | null;
  channelId: string;
  userId: string;
  type: WorkloadType;
  planId: string;
  name: string;
  pricePerHour: number | null;
  /** "H100 80GB ×1 · 16 vCPU": what the announcement of an adopted deploy shows. */
  planLabel?: string | null;
}

export interface DeployRequestRecord {
  key: string;
  teamId: string | null;
  channelId: string;
  userId: string;
  type: WorkloadType;
  planId: string;
  name: string;
  pricePerHour: number | null;
  state: DeployRequestState;
  instanceId: string | null;
  /** Already masked by the caller. */
  errorSummary: string | null;
  /** 1 on the first begin, +1 each time a failed key is begun again. */
  attempts: number;
  /** Where the bot posted about this deploy (thread parent), once known. */
  threadChannelId: string | null;
  threadTs: string | null;
  planLabel: string | null;
  /** When the current attempt was claimed (and its POST could start). */
  attemptedAt: number;
  createdAt: number;
  updatedAt: number;
}

export type BeginResult = { started: true } | { started: false; existing: DeployRequestRecord };
/** beginChecked: the claim was made, or an earlier attempt holds the key, or `check` said no. */
export type CheckedBeginResult<V> = BeginResult | { started: false; vetoed: V };

interface Row {
  key: string;
  team_id: string | null;
  channel_id: string;
  user_id: string;
  type: WorkloadType;
  plan_id: string;
  name: string;
  price_per_hour: number | null;
  state: DeployRequestState;
  instance_id: string | null;
  error_summary: string | null;
  attempts: number;
  thread_channel_id: string | null;
  thread_ts: string | null;
  plan_label: string | null;
  attempted_at: number | null;
  created_at: number;
  updated_at: number;
}

function toRecord(r: Row): DeployRequestRecord {
  return {
    key: r.key,
    teamId: r.team_id,
    channelId: r.channel_id,
    userId: r.user_id,
    type: r.type,
    planId: r.plan_id,
    name: r.name,
    pricePerHour: r.price_per_hour,
    state: r.state,
    instanceId: r.instance_id,
    errorSummary: r.error_summary,
    attempts: r.attempts,
    threadChannelId: r.thread_channel_id,
    threadTs: r.thread_ts,
    planLabel: r.plan_label,
    attemptedAt: r.attempted_at ?? r.updated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const ERROR_SUMMARY_MAX = 500;

function prepareStatements(db: Db) {
  return {
    // New key: insert. Failed key: the user retries, start again. Pending/succeeded: no change.
    claim: db.prepare(
      `INSERT INTO deploy_requests (key, team_id, channel_id, user_id, type, plan_id, name, price_per_hour,
                                    plan_label, attempted_at, created_at, updated_at)
       VALUES (@key, @teamId, @channelId, @userId, @type, @planId, @name, @pricePerHour, @planLabel, @now, @now, @now)
       ON CONFLICT (key) DO UPDATE SET
         team_id = excluded.team_id, channel_id = excluded.channel_id, user_id = excluded.user_id,
         type = excluded.type, plan_id = excluded.plan_id, name = excluded.name,
         price_per_hour = excluded.price_per_hour, plan_label = excluded.plan_label, state = 'pending',
         error_summary = NULL, attempts = attempts + 1, attempted_at = excluded.attempted_at,
         updated_at = excluded.updated_at
       WHERE deploy_requests.state = 'failed'`,
    ),
    get: db.prepare(`SELECT * FROM deploy_requests WHERE key = ?`),
    byInstance: db.prepare(`SELECT * FROM deploy_requests WHERE instance_id = ?`),
    // From pending, or from failed when an attempt reported failed turns out to have deployed.
    succeed: db.prepare(
      `UPDATE deploy_requests SET state = 'succeeded', instance_id = ?, error_summary = NULL, updated_at = ?
       WHERE key = ? RETURNING *`,
    ),
    // The reconciler settles a claim once: only a claim still pending (or failed) can be adopted.
    adopt: db.prepare(
      `UPDATE deploy_requests SET state = 'succeeded', instance_id = ?, error_summary = NULL, updated_at = ?
       WHERE key = ? AND state <> 'succeeded' RETURNING *`,
    ),
    fail: db.prepare(
      `UPDATE deploy_requests SET state = 'failed', error_summary = ?, updated_at = ?
       WHERE key = ? AND state = 'pending' RETURNING *`,
    ),
    setThread: db.prepare(
      `UPDATE deploy_requests SET thread_channel_id = @channelId, thread_ts = @messageTs, updated_at = @now
       WHERE key = @ref OR instance_id = @ref`,
    ),
    byChannel: db.prepare(`SELECT * FROM deploy_requests WHERE channel_id = ? ORDER BY created_at, key`),
    pendingNamed: db.prepare(`SELECT * FROM deploy_requests WHERE state = 'pending' AND type = ? AND name = ? AND key <> ? LIMIT 1`),
    pending: db.prepare(`SELECT * FROM deploy_requests WHERE state = 'pending' ORDER BY attempted_at, key`),
    // A pending claim is never pruned: it may stand for a deploy Fluence made (the reconciler settles it).
    prune: db.prepare(`DELETE FROM deploy_requests WHERE state = 'failed' AND updated_at < ?`),
  };
}

export class DeployRequestStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  /**
   * Claims `key` for a deploy. `{ started: true }` means the caller, and only the caller, may now
   * POST the deploy. Otherwise `existing` says what happened to the earlier attempt (pending:
   * "already deploying", succeeded: "already deployed as instanceId"). A failed key starts again.
   */
  begin(key: string, meta: DeployRequestMeta): BeginResult {
    return this.beginChecked<never>(key, meta, () => null) as BeginResult;
  }

  /**
   * Like begin, but `check` may first read the channel's open claims (pending ones and deployed ones)
   * inside the same write transaction (BEGIN IMMEDIATE): two submissions racing for one budget
   * are serialised here, so the second one sees the first one's claim. A non-null answer from
   * `check` vetoes the claim and is returned as `vetoed`.
   */
  beginChecked<V>(
    key: string,
    meta: DeployRequestMeta,
    check: (open: () => DeployRequestRecord[], sameNamePending: () => DeployRequestRecord | undefined) => V | null,
  ): CheckedBeginResult<V> {
    return this.db
      .transaction((): CheckedBeginResult<V> => {
        const existing = this.stmts.get.get(key) as Row | undefined;
        if (existing && existing.state !== 'failed') return { started: false, existing: toRecord(existing) };
        // Read only when the check asks for it (a channel budget applies): most deploys need no rows.
        const open = () =>
          (this.stmts.byChannel.all(meta.channelId) as Row[]).filter((r) => r.state !== 'failed' && r.key !== key).map(toRecord);
        // Another form's deploy of the same name and type is not settled yet (its POST is running,
        // or its outcome is unclear and the reconciler will match it by name): a second one could
        // not be told apart from it, and is most likely the same intent sent twice.
        const sameName = () => {
          const row = this.stmts.pendingNamed.get(meta.type, meta.name, key) as Row | undefined;
          return row ? toRecord(row) : undefined;
        };
        const veto = check(open, sameName);
        if (veto !== null) return { started: false, vetoed: veto };
        this.stmts.claim.run({
          key,
          teamId: meta.teamId ?? null,
          channelId: meta.channelId,
          userId: meta.userId,
          type: meta.type,
          planId: meta.planId,
          name: meta.name,
          pricePerHour: meta.pricePerHour,
          planLabel: meta.planLabel ?? null,
          now: this.now(),
        });
        return { started: true };
      })
      .immediate();
  }

  /**
   * Settles a claim whose outcome was unclear with the instance found at Fluence. Returns the
   * record only to the one caller that settled it (the announcement is made once).
   */
  adopt(key: string, instanceId: string): DeployRequestRecord | undefined {
    const row = this.stmts.adopt.get(instanceId, this.now(), key) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Claims whose outcome is still open, oldest attempt first (the reconciler's work list). */
  listPending(): DeployRequestRecord[] {
    return (this.stmts.pending.all() as Row[]).map(toRecord);
  }

  /** Records the instance the deploy created. Returns the updated record, undefined for an unknown key. */
  succeed(key: string, instanceId: string): DeployRequestRecord | undefined {
    const row = this.stmts.succeed.get(instanceId, this.now(), key) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Records a failed attempt (the summary must already be masked); the user may retry with the
   * same key. Only a pending claim can fail: a deploy already recorded as succeeded stays so.
   */
  fail(key: string, errorSummary: string): DeployRequestRecord | undefined {
    const row = this.stmts.fail.get(errorSummary.slice(0, ERROR_SUMMARY_MAX), this.now(), key) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  get(key: string): DeployRequestRecord | undefined {
    const row = this.stmts.get.get(key) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Who deployed this instance through the bot, from which channel, and its thread; undefined if not the bot. */
  findByInstance(instanceId: string): DeployRequestRecord | undefined {
    const row = this.stmts.byInstance.get(instanceId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Remembers the message the bot posted about a deploy. `ref` is the request key or the instance id. */
  setThread(ref: string, channelId: string, messageTs: string): boolean {
    return this.stmts.setThread.run({ ref, channelId, messageTs, now: this.now() }).changes > 0;
  }

  /** Deploys made from a channel, oldest first (per-channel budget: their hourly prices add up). */
  listByChannel(channelId: string, states?: readonly DeployRequestState[]): DeployRequestRecord[] {
    const rows = this.stmts.byChannel.all(channelId) as Row[];
    return rows.filter((r) => !states || states.includes(r.state)).map(toRecord);
  }

  /**
   * Forgets failed attempts not touched for `olderThanMs`. Succeeded rows are kept: they are the
   * only link from an instance to its owner and channel. Pending rows are kept until the
   * reconciler settles them: each may stand for a deploy that went through. Returns the rows removed.
   */
  prune(olderThanMs: number): number {
    return this.stmts.prune.run(this.now() - olderThanMs).changes;
  }
}
