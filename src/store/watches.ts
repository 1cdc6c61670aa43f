/**
 * The watcher's persistent state: every watch, and (in the one outbox, store/outbox.ts) every
 * notice it decided to send. Nothing the watcher needs survives only in memory, so a restarted
 * process (new InstanceWatcher, same file) resumes every watch and retries every pending notice,
 * without deciding any reply twice. One Kysely implementation for SQLite and PostgreSQL.
 */
import type { Kysely, Selectable } from 'kysely';
import type { WorkloadType } from '../fluence/workload';
import type { OutboxEntry, ThreadRef } from '../background/notices';
import type { Trx } from './engine';
import type { OutboxStore } from './outbox';
import type { StoreTables, WatchesTable } from './tables';

export type WatchOutcome = 'ready' | 'failed' | 'ended' | 'gave_up';
export type ReplyKind = 'ready' | 'failed' | 'ended' | 'slow' | 'gave_up' | 'not_started';
export type OutboxKind = 'status' | ReplyKind;

export interface WatchInput {
  instanceId: string;
  type: WorkloadType;
  teamId?: string | null;
  channelId: string;
  /** ts of the deploy message: thread parent and living status message. */
  messageTs: string;
  requesterId: string;
  name: string;
  /** e.g. "H100 80GB × 1" */
  planLabel: string;
  pricePerHour: number;
  /** When the instance was created (epoch ms); defaults to now. Provisioning time counts from here. */
  createdAt?: number;
  /** Status the deploy message already shows, if any (e.g. "INITIALIZED"). */
  status?: string | null;
}

export interface WatchRecord extends ThreadRef {
  instanceId: string;
  type: WorkloadType;
  name: string;
  planLabel: string;
  pricePerHour: number;
  createdAt: number;
  lastStatus: string | null;
  lastSeenAt: number | null;
  state: 'watching' | 'done';
  outcome: WatchOutcome | null;
  slowNotified: boolean;
  /** First time the watcher saw it ACTIVE with a container that had not started (null: never). */
  notStartedSince: number | null;
  /** The start-grace diagnostics reply has been claimed. */
  startNotified: boolean;
  updatedAt: number;
}

/** Everything one watch's poll decided, written in one transaction. */
export interface WatchChange {
  status?: string;
  seenAt?: number;
  finish?: WatchOutcome;
  slowNotified?: boolean;
  /** Recorded once: later values never overwrite the first. */
  notStartedSince?: number;
  startNotified?: boolean;
  /**
   * Notices to claim in the outbox with this change (keys from `watchNoticeKey`): a reply kind already
   * claimed for this instance is ignored (never posted twice); the status edit (`replace`) replaces an
   * unsent (or sent) older one, so the living message shows the latest status.
   */
  notices?: OutboxEntry[];
}

/** The outbox key of one watch message: one per instance and kind (the exactly-once claim). */
export function watchNoticeKey(instanceId: string, kind: OutboxKind): string {
  return `watch:${instanceId}:${kind}`;
}

function toRecord(r: Selectable<WatchesTable>): WatchRecord {
  return {
    ...r,
    pricePerHour: Number(r.pricePerHour),
    createdAt: Number(r.createdAt),
    lastSeenAt: r.lastSeenAt === null ? null : Number(r.lastSeenAt),
    notStartedSince: r.notStartedSince === null ? null : Number(r.notStartedSince),
    updatedAt: Number(r.updatedAt),
    slowNotified: Number(r.slowNotified) === 1,
    startNotified: Number(r.startNotified) === 1,
  };
}

export class WatchStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly outbox: OutboxStore,
  ) {}

  /** Starts watching; watching the same instance again returns the existing watch unchanged. */
  async add(input: WatchInput, now: number): Promise<WatchRecord> {
    await this.db
      .insertInto('watches')
      .values({
        instanceId: input.instanceId,
        type: input.type,
        teamId: input.teamId ?? null,
        channelId: input.channelId,
        messageTs: input.messageTs,
        requesterId: input.requesterId,
        name: input.name,
        planLabel: input.planLabel,
        pricePerHour: input.pricePerHour,
        createdAt: input.createdAt ?? now,
        lastStatus: input.status ?? null,
        updatedAt: now,
      })
      .onConflict((oc) => oc.column('instanceId').doNothing())
      .execute();
    return (await this.get(input.instanceId))!;
  }

  async get(instanceId: string): Promise<WatchRecord | undefined> {
    const row = await this.db.selectFrom('watches').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listWatching(): Promise<WatchRecord[]> {
    const rows = await this.db.selectFrom('watches').selectAll().where('state', '=', 'watching').orderBy('createdAt').orderBy('instanceId').execute();
    return rows.map(toRecord);
  }

  async countWatching(): Promise<number> {
    const r = await this.db.selectFrom('watches').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'watching').executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Records one poll's outcome for one watch. Status, finish and claimed notices commit together:
   * after a crash either all of them happened (and the notices are pending delivery) or none did
   * (and the next poll decides again). Returns the reply kinds newly claimed by this call.
   */
  apply(instanceId: string, change: WatchChange, now: number): Promise<ReplyKind[]> {
    return this.tx(async (trx) => {
      await trx
        .updateTable('watches')
        .set((eb) => ({
          lastStatus: eb.fn.coalesce(eb.val(change.status ?? null), eb.ref('lastStatus')),
          lastSeenAt: eb.fn.coalesce(eb.val(change.seenAt ?? null), eb.ref('lastSeenAt')),
          ...(change.finish ? { state: 'done' as const, outcome: change.finish } : {}),
          ...(change.slowNotified ? { slowNotified: 1 } : {}),
          // recorded once: a later value never overwrites the first
          notStartedSince: eb.fn.coalesce(eb.ref('notStartedSince'), eb.val(change.notStartedSince ?? null)),
          ...(change.startNotified ? { startNotified: 1 } : {}),
          updatedAt: now,
        }))
        .where('instanceId', '=', instanceId)
        .execute();
      const claimed = await this.outbox.enqueueIn(trx, change.notices ?? [], now);
      const prefix = watchNoticeKey(instanceId, '' as OutboxKind);
      return claimed.map((k) => k.slice(prefix.length) as OutboxKind).filter((k): k is ReplyKind => k !== 'status');
    });
  }

  /** The watcher's notices still to deliver (cycle reports). */
  countPending(): Promise<number> {
    return this.outbox.countPending('watch:');
  }

  /** For /metrics: watches still watching, and finished ones by outcome. */
  async countByState(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('watches').select(['state', 'outcome']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['state', 'outcome']).execute();
    const out: Record<string, number> = {};
    for (const r of rows) {
      const key = r.state === 'watching' ? 'watching' : (r.outcome ?? 'done');
      out[key] = (out[key] ?? 0) + Number(r.n);
    }
    return out;
  }

  /** Delivery history of one instance's messages (status page, tests). */
  async messagesFor(instanceId: string): Promise<Array<{ kind: OutboxKind; state: 'pending' | 'sent' | 'dropped'; via: string | null; attempts: number }>> {
    const prefix = watchNoticeKey(instanceId, '' as OutboxKind);
    return (await this.outbox.history(prefix)).map((r) => ({ kind: r.key.slice(prefix.length) as OutboxKind, state: r.state, via: r.via, attempts: r.attempts }));
  }
}
