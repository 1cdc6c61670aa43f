/**
 * Idempotency of deploys: a deploy costs money, so a double submit or a Slack retry must never
 * POST twice. The modal's unique request id is claimed here (an INSERT on a PRIMARY KEY, atomic
 * even across processes sharing the file) before the API is called. A succeeded row is also the
 * bot's only record of who deployed an instance from which channel (ownership, per-channel budget,
 * thread to reply in), so it is kept.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { DeployRequestsTable, StoreTables } from './tables';

type Row = Selectable<DeployRequestsTable>;
export type DeployRequestState = Row['state'];

/** What a claim records about the deploy (tables.ts); planLabel ("H100 80GB ×1 · 16 vCPU") is what the announcement of an adopted deploy shows. */
export type DeployRequestMeta = Pick<Row, 'channelId' | 'userId' | 'type' | 'planId' | 'name' | 'pricePerHour'> & {
  teamId?: string | null;
  planLabel?: string | null;
};

/**
 * A claim as the table holds it (tables.ts). `errorSummary` is already masked; `attempts` is 1 on
 * the first begin, +1 each time a failed key is begun again; `threadChannelId`/`threadTs` are where
 * the bot posted about it, once known; `attemptedAt` is when the current attempt was claimed (rows
 * from before that column have their last update there).
 */
export type DeployRequestRecord = Omit<Row, 'attemptedAt'> & { attemptedAt: number };

export type BeginResult = { started: true } | { started: false; existing: DeployRequestRecord };
/** beginChecked: the claim was made, or an earlier attempt holds the key, or `check` said no. */
export type CheckedBeginResult<V> = BeginResult | { started: false; vetoed: V };

/** The one mapping of a deploy_requests row. */
function toRecord(r: Row): DeployRequestRecord {
  return { ...r, attemptedAt: r.attemptedAt ?? r.updatedAt };
}

const ERROR_SUMMARY_MAX = 500;
/** Instance ids per query of findByInstances (well under both engines' limits on bound parameters). */
const FIND_BATCH = 500;

export class DeployRequestStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Claims `key` for a deploy. `{ started: true }` means the caller, and only the caller, may now
   * POST the deploy. Otherwise `existing` says what happened to the earlier attempt (pending:
   * "already deploying", succeeded: "already deployed as instanceId"). A failed key starts again.
   */
  async begin(key: string, meta: DeployRequestMeta): Promise<BeginResult> {
    return (await this.beginChecked<never>(key, meta, async () => null)) as BeginResult;
  }

  /**
   * Like begin, but `check` may first read the channel's open claims (pending ones and deployed ones)
   * inside the same serialised write transaction: two submissions racing for one budget (on one
   * replica or two) are serialised here, so the second one sees the first one's claim. A non-null
   * answer from `check` vetoes the claim and is returned as `vetoed`.
   */
  async beginChecked<V>(
    key: string,
    meta: DeployRequestMeta,
    check: (open: () => Promise<DeployRequestRecord[]>, sameNamePending: () => Promise<DeployRequestRecord | undefined>) => Promise<V | null> | V | null,
  ): Promise<CheckedBeginResult<V>> {
    return this.tx(async (trx): Promise<CheckedBeginResult<V>> => {
      const existing = await trx.selectFrom('deployRequests').selectAll().where('key', '=', key).executeTakeFirst();
      if (existing && existing.state !== 'failed') return { started: false, existing: toRecord(existing) };
      // Read only when the check asks for it (a channel budget applies): most deploys need no rows.
      const open = async () =>
        (await trx.selectFrom('deployRequests').selectAll().where('channelId', '=', meta.channelId).where('state', '<>', 'failed').where('key', '<>', key).orderBy('createdAt').orderBy('key').execute()).map(toRecord);
      // Another form's deploy of the same name and type is not settled yet (its POST is running,
      // or its outcome is unclear and the reconciler will match it by name): a second one could
      // not be told apart from it, and is most likely the same intent sent twice.
      const sameName = async () => {
        const row = await trx.selectFrom('deployRequests').selectAll().where('state', '=', 'pending').where('type', '=', meta.type).where('name', '=', meta.name).where('key', '<>', key).limit(1).executeTakeFirst();
        return row ? toRecord(row) : undefined;
      };
      const veto = await check(open, sameName);
      if (veto !== null) return { started: false, vetoed: veto };
      const now = this.now();
      const claim = {
        teamId: meta.teamId ?? null,
        channelId: meta.channelId,
        userId: meta.userId,
        type: meta.type,
        planId: meta.planId,
        name: meta.name,
        pricePerHour: meta.pricePerHour,
        planLabel: meta.planLabel ?? null,
        attemptedAt: now,
        updatedAt: now,
      };
      // New key: insert. Failed key: the user retries, start again.
      if (existing) {
        await trx.updateTable('deployRequests').set((eb) => ({ ...claim, state: 'pending', errorSummary: null, attempts: eb('attempts', '+', 1) })).where('key', '=', key).where('state', '=', 'failed').execute();
      } else {
        await trx.insertInto('deployRequests').values({ key, ...claim, createdAt: now }).execute();
      }
      return { started: true };
    });
  }

  /**
   * Settles a claim whose outcome was unclear with the instance found at Fluence. Returns the
   * record only to the one caller that settled it (the announcement is made once).
   */
  async adopt(key: string, instanceId: string): Promise<DeployRequestRecord | undefined> {
    // only a claim still pending (or failed) can be adopted: one conditional UPDATE decides
    const row = await this.db
      .updateTable('deployRequests')
      .set({ state: 'succeeded', instanceId, errorSummary: null, updatedAt: this.now() })
      .where('key', '=', key)
      .where('state', '<>', 'succeeded')
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Claims whose outcome is still open, oldest attempt first (the reconciler's work list). */
  async listPending(): Promise<DeployRequestRecord[]> {
    return (await this.db.selectFrom('deployRequests').selectAll().where('state', '=', 'pending').orderBy('attemptedAt').orderBy('key').execute()).map(toRecord);
  }

  /**
   * Deploys that succeeded (their instance recorded) between `from` and `to` but whose instance
   * nobody watches: the process stopped between recording the instance and writing its watch
   * (announce.ts). Watches are never deleted, so a watched deploy never shows up here again.
   */
  async listUnwatched(from: number, to: number): Promise<DeployRequestRecord[]> {
    const rows = await this.db
      .selectFrom('deployRequests')
      .selectAll('deployRequests')
      .where('state', '=', 'succeeded')
      .where('instanceId', 'is not', null)
      .where('updatedAt', '>=', from)
      .where('updatedAt', '<', to)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('watches').select('watches.instanceId').whereRef('watches.instanceId', '=', 'deployRequests.instanceId'))),
      )
      .orderBy('updatedAt')
      .execute();
    return rows.map(toRecord);
  }

  /** Records the instance the deploy created. Returns the updated record, undefined for an unknown key. */
  async succeed(key: string, instanceId: string): Promise<DeployRequestRecord | undefined> {
    // from pending, or from failed when an attempt reported failed turns out to have deployed
    const row = await this.db
      .updateTable('deployRequests')
      .set({ state: 'succeeded', instanceId, errorSummary: null, updatedAt: this.now() })
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /**
   * Records a failed attempt (the summary must already be masked); the user may retry with the
   * same key. Only a pending claim can fail: a deploy already recorded as succeeded stays so.
   */
  async fail(key: string, errorSummary: string): Promise<DeployRequestRecord | undefined> {
    const row = await this.db
      .updateTable('deployRequests')
      .set({ state: 'failed', errorSummary: errorSummary.slice(0, ERROR_SUMMARY_MAX), updatedAt: this.now() })
      .where('key', '=', key)
      .where('state', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async get(key: string): Promise<DeployRequestRecord | undefined> {
    const row = await this.db.selectFrom('deployRequests').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Who deployed this instance through the bot, from which channel, and its thread; undefined if not the bot. */
  async findByInstance(instanceId: string): Promise<DeployRequestRecord | undefined> {
    const row = await this.db.selectFrom('deployRequests').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** findByInstance for many instances in a few queries (a Home or a burn over thousands of instances), by instance id. */
  async findByInstances(instanceIds: readonly string[]): Promise<Map<string, DeployRequestRecord>> {
    const ids = [...new Set(instanceIds)];
    const found = new Map<string, DeployRequestRecord>();
    for (let i = 0; i < ids.length; i += FIND_BATCH) {
      const rows = await this.db.selectFrom('deployRequests').selectAll().where('instanceId', 'in', ids.slice(i, i + FIND_BATCH)).execute();
      for (const r of rows) found.set(r.instanceId!, toRecord(r));
    }
    return found;
  }

  /** Remembers the message the bot posted about a deploy. `ref` is the request key or the instance id. */
  async setThread(ref: string, channelId: string, messageTs: string): Promise<boolean> {
    const r = await this.db
      .updateTable('deployRequests')
      .set({ threadChannelId: channelId, threadTs: messageTs, updatedAt: this.now() })
      .where((eb) => eb.or([eb('key', '=', ref), eb('instanceId', '=', ref)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deploys made from a channel, oldest first (per-channel budget: their hourly prices add up). */
  async listByChannel(channelId: string, states?: readonly DeployRequestState[]): Promise<DeployRequestRecord[]> {
    let q = this.db.selectFrom('deployRequests').selectAll().where('channelId', '=', channelId);
    if (states) {
      if (states.length === 0) return [];
      q = q.where('state', 'in', states);
    }
    return (await q.orderBy('createdAt').orderBy('key').execute()).map(toRecord);
  }

  /**
   * Forgets failed attempts not touched for `olderThanMs`. Succeeded rows are kept: they are the
   * only link from an instance to its owner and channel. Pending rows are kept until the
   * reconciler settles them: each may stand for a deploy that went through. Returns the rows removed.
   */
  async prune(olderThanMs: number): Promise<number> {
    const r = await this.db.deleteFrom('deployRequests').where('state', '=', 'failed').where('updatedAt', '<', this.now() - olderThanMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
