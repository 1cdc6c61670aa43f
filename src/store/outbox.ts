/**
 * The outbox: every notice a background job decided, until Slack has it (src/background/delivery.ts).
 * One Kysely implementation for SQLite and PostgreSQL.
 *
 * Exactly once = claimed in the deciding transaction (`enqueueIn(trx, …)`, a UNIQUE dedupe key) +
 * delivered at least once (a claim with a timeout: a process that dies mid-delivery leaves the row to
 * be claimed again once `claimed_until` passes; on PostgreSQL replicas claim with FOR UPDATE SKIP
 * LOCKED, so two never take the same row) + remembered as sent (`markSent`, conditional on the claim
 * token, so a claimant whose claim was taken over cannot overwrite the new one).
 */
import type { Generated, Kysely } from 'kysely';
import type { Notice, NoticeKind, OutboxEntry } from '../background/notices';
import type { EngineKind, Executor, Trx } from './engine';
import type { StoreTables } from './tables';

export interface OutboxTable {
  id: Generated<number>;
  dedupeKey: string;
  kind: NoticeKind;
  /** JSON text of the notice. */
  payload: string;
  state: Generated<'pending' | 'sent' | 'dropped'>;
  attempts: Generated<number>;
  notBefore: Generated<number>;
  claimToken: string | null;
  claimedUntil: number | null;
  via: string | null;
  sentTs: string | null;
  sentChannel: string | null;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

type Tables = StoreTables & { outbox: OutboxTable };

export interface ClaimedNotice {
  id: number;
  key: string;
  kind: NoticeKind;
  notice: Notice;
  /** The stored payload as text (delivery remembers what exactly went out). */
  payload: string;
  attempts: number;
  token: string;
  createdAt: number;
}

export interface OutboxHistoryRow {
  key: string;
  kind: NoticeKind;
  state: 'pending' | 'sent' | 'dropped';
  via: string | null;
  attempts: number;
  sentTs: string | null;
}

const changed = (r: { numUpdatedRows?: bigint; numInsertedOrUpdatedRows?: bigint } | undefined): boolean =>
  Number(r?.numUpdatedRows ?? r?.numInsertedOrUpdatedRows ?? 0) > 0;

export class OutboxStore {
  private readonly db: Kysely<Tables>;

  constructor(
    db: Kysely<StoreTables>,
    private readonly tx: <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>,
    private readonly engine: EngineKind,
  ) {
    this.db = db.withTables<{ outbox: OutboxTable }>();
  }

  /**
   * Claims notices inside the caller's transaction (the one that records the decision). Returns the
   * keys newly claimed: a key seen before is ignored; a `replace` entry is always (re)queued.
   */
  async enqueueIn(trx: Executor | Trx, entries: readonly OutboxEntry[], now: number): Promise<string[]> {
    const db = (trx as Kysely<StoreTables>).withTables<{ outbox: OutboxTable }>();
    const claimed: string[] = [];
    for (const e of entries) {
      const row = { dedupeKey: e.key, kind: e.notice.kind, payload: JSON.stringify(e.notice), notBefore: e.notBefore ?? 0, createdAt: now };
      const res = await db
        .insertInto('outbox')
        .values(row)
        .onConflict((oc) =>
          e.replace
            ? oc.column('dedupeKey').doUpdateSet({
                kind: row.kind, payload: row.payload, state: 'pending', notBefore: row.notBefore, attempts: 0,
                claimToken: null, claimedUntil: null, via: null, sentTs: null, sentChannel: null, lastError: null, sentAt: null,
              })
            : oc.column('dedupeKey').doNothing(),
        )
        .executeTakeFirst();
      if (changed(res)) claimed.push(e.key);
    }
    return claimed;
  }

  /** `enqueueIn` in a transaction of its own. */
  enqueue(entries: readonly OutboxEntry[], now: number): Promise<string[]> {
    return this.tx((trx) => this.enqueueIn(trx, entries, now));
  }

  /**
   * Claims up to `limit` due notices (pending, not before now, unclaimed or claim expired), oldest
   * decision first, for `claimMs`. PostgreSQL: rows another replica is claiming are skipped, not waited for.
   */
  async claim(now: number, o: { token: string; claimMs: number; limit: number }): Promise<ClaimedNotice[]> {
    const rows = await this.db
      .updateTable('outbox')
      .set({ claimToken: o.token, claimedUntil: now + o.claimMs })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('state', '=', 'pending')
          .where('notBefore', '<=', now)
          .where((w) => w.or([w('claimedUntil', 'is', null), w('claimedUntil', '<=', now)]))
          .orderBy('id')
          .limit(o.limit)
          .$if(this.engine === 'postgres', (q) => q.forUpdate().skipLocked()),
      )
      .returning(['id', 'dedupeKey', 'kind', 'payload', 'attempts', 'claimToken', 'createdAt'])
      .execute();
    return rows
      .map((r) => ({
        id: Number(r.id),
        key: r.dedupeKey,
        kind: r.kind,
        notice: JSON.parse(r.payload) as Notice,
        payload: r.payload,
        attempts: Number(r.attempts),
        token: r.claimToken!,
        createdAt: Number(r.createdAt),
      }))
      .sort((a, b) => a.id - b.id);
  }

  /** Slack has it. False when the claim was lost (taken over after its timeout, or the row replaced). */
  async markSent(id: number, token: string, r: { via: string; ts?: string; channel?: string }, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('outbox')
      .set((eb) => ({
        state: 'sent', via: r.via, sentTs: r.ts ?? null, sentChannel: r.channel ?? null, sentAt: now,
        attempts: eb('attempts', '+', 1), claimToken: null, claimedUntil: null,
      }))
      .where('id', '=', id)
      .where('claimToken', '=', token)
      .executeTakeFirst();
    return changed(res);
  }

  /** Stays pending; tried again (same payload) from `notBefore`. */
  async markRetry(id: number, token: string, notBefore: number, error: string): Promise<boolean> {
    const res = await this.db
      .updateTable('outbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), notBefore, lastError: error.slice(0, 500), claimToken: null, claimedUntil: null }))
      .where('id', '=', id)
      .where('claimToken', '=', token)
      .executeTakeFirst();
    return changed(res);
  }

  /** Given up (the message cannot go anywhere, or Slack refused it too many times). */
  async markDropped(id: number, token: string, error: string): Promise<boolean> {
    const res = await this.db
      .updateTable('outbox')
      .set((eb) => ({ state: 'dropped', attempts: eb('attempts', '+', 1), lastError: error.slice(0, 500), claimToken: null, claimedUntil: null }))
      .where('id', '=', id)
      .where('claimToken', '=', token)
      .executeTakeFirst();
    return changed(res);
  }

  /** Gives the claim back untouched (skipped this pass, e.g. its channel is rate limited right now). */
  async release(id: number, token: string): Promise<void> {
    await this.db.updateTable('outbox').set({ claimToken: null, claimedUntil: null }).where('id', '=', id).where('claimToken', '=', token).execute();
  }

  /** For /metrics: notices not delivered yet (pending or being retried) and how long the oldest has waited (seconds, 0 when none). */
  async backlog(now: number): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const r = await this.db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('createdAt').as('oldest')])
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    const oldest = r.oldest === null ? null : Number(r.oldest);
    return { pending: Number(r.n), oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000) };
  }

  /** Pending notices whose key starts with `prefix` (cycle reports). */
  async countPending(prefix = ''): Promise<number> {
    const r = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .where((eb) => eb.fn('substr', ['dedupeKey', eb.val(1), eb.val(prefix.length)]), '=', prefix)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Delivery history of the notices whose key starts with `prefix`, oldest first (tests, status pages). */
  async history(prefix: string): Promise<OutboxHistoryRow[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['dedupeKey', 'kind', 'state', 'via', 'attempts', 'sentTs'])
      .where((eb) => eb.fn('substr', ['dedupeKey', eb.val(1), eb.val(prefix.length)]), '=', prefix)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ key: r.dedupeKey, kind: r.kind, state: r.state, via: r.via, attempts: Number(r.attempts), sentTs: r.sentTs }));
  }
}
