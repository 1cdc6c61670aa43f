/**
 * Channel lease policies, set by admins with `/gpu policy`: the lease a deploy from the channel
 * gets by default, the longest lease without an admin, and what happens when a lease ends.
 * No row means the bot's defaults (DEFAULT_LEASE_HOURS, no maximum, remind).
 */
import type { Db } from './db';

export const ON_EXPIRY = ['remind', 'terminate'] as const;
export type OnExpiry = (typeof ON_EXPIRY)[number];

export interface ChannelPolicy {
  channelId: string;
  /** null: the bot's default lease. */
  leaseMs: number | null;
  /** null: no maximum. */
  maxLeaseMs: number | null;
  onExpiry: OnExpiry;
  setBy: string;
  setAt: number;
}

/** What `/gpu policy #chan key=value…` changes; an absent key keeps its value, null clears it. */
export interface PolicyPatch {
  leaseMs?: number | null;
  maxLeaseMs?: number | null;
  onExpiry?: OnExpiry;
}

export interface PolicyChange {
  channelId: string;
  before: ChannelPolicy | undefined;
  /** undefined when the policy was removed. */
  after: ChannelPolicy | undefined;
}

interface Row {
  channel_id: string;
  lease_ms: number | null;
  max_lease_ms: number | null;
  on_expiry: OnExpiry;
  set_by: string;
  set_at: number;
}

function toPolicy(r: Row): ChannelPolicy {
  return { channelId: r.channel_id, leaseMs: r.lease_ms, maxLeaseMs: r.max_lease_ms, onExpiry: r.on_expiry, setBy: r.set_by, setAt: r.set_at };
}

export class PolicyStore {
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      get: db.prepare(`SELECT * FROM channel_policies WHERE channel_id = ?`),
      list: db.prepare(`SELECT * FROM channel_policies ORDER BY channel_id`),
      upsert: db.prepare(
        `INSERT INTO channel_policies (channel_id, lease_ms, max_lease_ms, on_expiry, set_by, set_at)
         VALUES (@channelId, @leaseMs, @maxLeaseMs, @onExpiry, @by, @at)
         ON CONFLICT (channel_id) DO UPDATE SET lease_ms = excluded.lease_ms, max_lease_ms = excluded.max_lease_ms,
           on_expiry = excluded.on_expiry, set_by = excluded.set_by, set_at = excluded.set_at`,
      ),
      delete: db.prepare(`DELETE FROM channel_policies WHERE channel_id = ?`),
    };
  }

  get(channelId: string): ChannelPolicy | undefined {
    const row = this.stmts.get.get(channelId) as Row | undefined;
    return row ? toPolicy(row) : undefined;
  }

  list(): ChannelPolicy[] {
    return (this.stmts.list.all() as Row[]).map(toPolicy);
  }

  /**
   * Applies `patch` over the channel's policy (or the defaults) in one transaction. `check` sees the
   * merged policy and may refuse it (returns a reason) before anything is written.
   */
  update(channelId: string, patch: PolicyPatch, by: string, check?: (merged: Omit<ChannelPolicy, 'setBy' | 'setAt'>) => string | undefined): PolicyChange | { refused: string } {
    return this.db
      .transaction((): PolicyChange | { refused: string } => {
        const before = this.get(channelId);
        const merged = {
          channelId,
          leaseMs: patch.leaseMs !== undefined ? patch.leaseMs : (before?.leaseMs ?? null),
          maxLeaseMs: patch.maxLeaseMs !== undefined ? patch.maxLeaseMs : (before?.maxLeaseMs ?? null),
          onExpiry: patch.onExpiry ?? before?.onExpiry ?? 'remind',
        };
        const refused = check?.(merged);
        if (refused) return { refused };
        this.stmts.upsert.run({ ...merged, by, at: this.now() });
        return { channelId, before, after: this.get(channelId) };
      })
      .immediate();
  }

  remove(channelId: string): PolicyChange {
    return this.db
      .transaction((): PolicyChange => {
        const before = this.get(channelId);
        this.stmts.delete.run(channelId);
        return { channelId, before, after: undefined };
      })
      .immediate();
  }
}
