/**
 * Channel lease policies, set by admins with `/gpu policy`: the lease a deploy from the channel
 * gets by default, the longest lease without an admin, and what happens when a lease ends.
 * No row means the bot's defaults (DEFAULT_LEASE_HOURS, no maximum, remind).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { ChannelPoliciesTable, StoreTables } from './tables';

export const ON_EXPIRY = ['remind', 'terminate'] as const;
export type OnExpiry = (typeof ON_EXPIRY)[number];

/** A channel's policy, as the table holds it (tables.ts): leaseMs null is the bot's default, maxLeaseMs null no maximum. */
export type ChannelPolicy = Selectable<ChannelPoliciesTable>;

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

export class PolicyStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  get(channelId: string): Promise<ChannelPolicy | undefined> {
    return this.read(this.db, channelId);
  }

  list(): Promise<ChannelPolicy[]> {
    return this.db.selectFrom('channelPolicies').selectAll().orderBy('channelId').execute();
  }

  /**
   * Applies `patch` over the channel's policy (or the defaults) in one transaction. `check` sees the
   * merged policy and may refuse it (returns a reason) before anything is written.
   */
  async update(channelId: string, patch: PolicyPatch, by: string, check?: (merged: Omit<ChannelPolicy, 'setBy' | 'setAt'>) => string | undefined): Promise<PolicyChange | { refused: string }> {
    return this.tx(async (trx): Promise<PolicyChange | { refused: string }> => {
      const before = await this.read(trx, channelId);
      const merged = {
        channelId,
        leaseMs: patch.leaseMs !== undefined ? patch.leaseMs : (before?.leaseMs ?? null),
        maxLeaseMs: patch.maxLeaseMs !== undefined ? patch.maxLeaseMs : (before?.maxLeaseMs ?? null),
        onExpiry: patch.onExpiry ?? before?.onExpiry ?? 'remind',
      };
      const refused = check?.(merged);
      if (refused) return { refused };
      const row = { ...merged, setBy: by, setAt: this.now() };
      const { channelId: _key, ...changes } = row;
      await trx.insertInto('channelPolicies').values(row).onConflict((oc) => oc.column('channelId').doUpdateSet(changes)).execute();
      return { channelId, before, after: await this.read(trx, channelId) };
    });
  }

  async remove(channelId: string): Promise<PolicyChange> {
    return this.tx(async (trx) => {
      const before = await this.read(trx, channelId);
      await trx.deleteFrom('channelPolicies').where('channelId', '=', channelId).execute();
      return { channelId, before, after: undefined };
    });
  }

  private read(db: Kysely<StoreTables>, channelId: string): Promise<ChannelPolicy | undefined> {
    return db.selectFrom('channelPolicies').selectAll().where('channelId', '=', channelId).executeTakeFirst();
  }
}
