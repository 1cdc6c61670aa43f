/**
 * Deploy approval requests: a deploy above a limit waits here until an admin approves or denies
 * it, or it expires. A decision is one conditional UPDATE (`WHERE state = 'pending'`), so exactly
 * one decision ever wins, even with two admins clicking at once or two processes on one file.
 * The payload (the deploy request) arrives encrypted; the store never sees it in clear, and it is
 * wiped (set to '') once the request is denied, expired, or approved and acted on.
 */
import type { Db } from './db';
import type { WorkloadType } from '../fluence/workload';

export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired';
export type ApprovalDecision = 'approved' | 'denied';
export type DecideError = 'not_pending' | 'expired' | 'not_found';

export interface ApprovalInput {
  id: string;
  teamId?: string | null;
  channelId: string;
  requesterId: string;
  type: WorkloadType;
  planId: string;
  name: string;
  pricePerHour: number;
  /** Why approval is needed (shown to admins). */
  reason: string;
  /** The deploy request, already encrypted by the caller. */
  payload: string;
  expiresAt: number;
}

/** What was filed (ApprovalInput), plus the decision and its outcome. */
export interface ApprovalRecord extends Omit<ApprovalInput, 'teamId'> {
  teamId: string | null;
  state: ApprovalState;
  decidedBy: string | null;
  decidedAt: number | null;
  /** The approval request message, once posted. */
  messageChannelId: string | null;
  messageTs: string | null;
  instanceId: string | null;
  deployedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type DecideResult = ApprovalRecord | { error: DecideError };

interface Row {
  id: string;
  team_id: string | null;
  channel_id: string;
  requester_id: string;
  type: WorkloadType;
  plan_id: string;
  name: string;
  price_per_hour: number;
  reason: string;
  payload: string;
  state: ApprovalState;
  decided_by: string | null;
  decided_at: number | null;
  message_channel_id: string | null;
  message_ts: string | null;
  instance_id: string | null;
  deployed_at: number | null;
  created_at: number;
  expires_at: number;
  updated_at: number;
}

function toRecord(r: Row): ApprovalRecord {
  return {
    id: r.id,
    teamId: r.team_id,
    channelId: r.channel_id,
    requesterId: r.requester_id,
    type: r.type,
    planId: r.plan_id,
    name: r.name,
    pricePerHour: r.price_per_hour,
    reason: r.reason,
    payload: r.payload,
    state: r.state,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    messageChannelId: r.message_channel_id,
    messageTs: r.message_ts,
    instanceId: r.instance_id,
    deployedAt: r.deployed_at,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    updatedAt: r.updated_at,
  };
}

function prepareStatements(db: Db) {
  return {
    insert: db.prepare(
      `INSERT INTO approvals (id, team_id, channel_id, requester_id, type, plan_id, name, price_per_hour, reason,
                              payload, created_at, expires_at, updated_at)
       VALUES (@id, @teamId, @channelId, @requesterId, @type, @planId, @name, @pricePerHour, @reason,
               @payload, @now, @expiresAt, @now)
       RETURNING *`,
    ),
    get: db.prepare(`SELECT * FROM approvals WHERE id = ?`),
    decide: db.prepare(
      `UPDATE approvals SET state = @decision, decided_by = @by, decided_at = @at, updated_at = @at,
              payload = CASE WHEN @decision = 'denied' THEN '' ELSE payload END
       WHERE id = @id AND state = 'pending' AND expires_at > @at
       RETURNING *`,
    ),
    setMessage: db.prepare(`UPDATE approvals SET message_channel_id = ?, message_ts = ?, updated_at = ? WHERE id = ?`),
    markDeployed: db.prepare(
      `UPDATE approvals SET instance_id = ?, deployed_at = ?, updated_at = ?
       WHERE id = ? AND state = 'approved' AND instance_id IS NULL
       RETURNING *`,
    ),
    expireDue: db.prepare(
      `UPDATE approvals SET state = 'expired', updated_at = @now, payload = ''
       WHERE state = 'pending' AND expires_at <= @now
       RETURNING *`,
    ),
    wipePayload: db.prepare(`UPDATE approvals SET payload = '' WHERE id = ? AND state != 'pending'`),
    listPending: db.prepare(`SELECT * FROM approvals WHERE state = 'pending' ORDER BY created_at, id`),
    // Approved, its sealed deploy still kept: not acted on to the end (the process may have stopped).
    listApprovedUnsettled: db.prepare(
      `SELECT * FROM approvals WHERE state = 'approved' AND instance_id IS NULL AND payload <> '' ORDER BY decided_at, id`,
    ),
  };
}

export class ApprovalStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  /** Files a pending request. Throws if `id` already exists (ids are unique per deploy attempt). */
  create(input: ApprovalInput): ApprovalRecord {
    const row = this.stmts.insert.get({
      id: input.id,
      teamId: input.teamId ?? null,
      channelId: input.channelId,
      requesterId: input.requesterId,
      type: input.type,
      planId: input.planId,
      name: input.name,
      pricePerHour: input.pricePerHour,
      reason: input.reason,
      payload: input.payload,
      expiresAt: input.expiresAt,
      now: this.now(),
    }) as Row;
    return toRecord(row);
  }

  get(id: string): ApprovalRecord | undefined {
    const row = this.stmts.get.get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Approves or denies a pending request at time `at`. Only the first decision wins; later ones get
   * `not_pending` (already decided) or `expired` (past `expiresAt`, whether or not expireDue ran yet).
   * An expired request is left for expireDue, so its message is updated by the sweep that owns that.
   */
  decide(id: string, d: { decision: ApprovalDecision; by: string; at: number }): DecideResult {
    return this.db
      .transaction((): DecideResult => {
        const won = this.stmts.decide.get({ id, decision: d.decision, by: d.by, at: d.at }) as Row | undefined;
        if (won) return toRecord(won);
        const row = this.stmts.get.get(id) as Row | undefined;
        if (!row) return { error: 'not_found' };
        if (row.state === 'expired' || (row.state === 'pending' && row.expires_at <= d.at)) return { error: 'expired' };
        return { error: 'not_pending' };
      })
      .immediate();
  }

  /** Remembers the approval request message (to update it when decided or expired). */
  setMessage(id: string, channelId: string, messageTs: string): boolean {
    return this.stmts.setMessage.run(channelId, messageTs, this.now(), id).changes > 0;
  }

  /** Records the instance an approved request deployed; undefined unless approved and not yet recorded. */
  markDeployed(id: string, instanceId: string): ApprovalRecord | undefined {
    const at = this.now();
    const row = this.stmts.markDeployed.get(instanceId, at, at, id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Marks every pending request due at `now` as expired and returns them (each one exactly once). */
  expireDue(now: number): ApprovalRecord[] {
    const rows = this.stmts.expireDue.all({ now }) as Row[];
    return rows.map(toRecord).sort((a, b) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id));
  }

  /**
   * Forgets the sealed deploy of a decided request (an approved one once it was acted on). A denied
   * or expired request loses it in the same UPDATE that closes it. Pending requests keep theirs.
   */
  wipePayload(id: string): boolean {
    return this.stmts.wipePayload.run(id).changes > 0;
  }

  /** Approved requests whose sealed deploy was never wiped: the bot stopped before it finished acting on them. */
  listApprovedUnsettled(): ApprovalRecord[] {
    return (this.stmts.listApprovedUnsettled.all() as Row[]).map(toRecord);
  }

  /** Requests still waiting for a decision, oldest first. */
  listPending(): ApprovalRecord[] {
    return (this.stmts.listPending.all() as Row[]).map(toRecord);
  }
}
