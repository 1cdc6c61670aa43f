/**
 * The outbox: every notice a background job decided, until Slack has it (src/background/delivery.ts).
 *
 * Exactly once = claimed in the deciding transaction (`enqueueIn`, a UNIQUE dedupe key) + delivered
 * at least once (a claim with a timeout: a process that dies mid-delivery leaves the row to be claimed
 * again once `claimed_until` passes) + remembered as sent (`markSent`, conditional on the claim token,
 * so a claimant whose claim was taken over cannot overwrite the new one).
 *
 * The API is async so that the move to Kysely (SQLite + PostgreSQL, issue 13) changes no caller; on
 * PostgreSQL the claim's inner SELECT takes `FOR UPDATE SKIP LOCKED`. `enqueueIn` is the one
 * synchronous method: it runs inside another repository's better-sqlite3 transaction.
 */
import type { Db } from './db';
import type { Notice, NoticeKind, OutboxEntry } from '../background/notices';

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

interface Row {
  id: number;
  dedupe_key: string;
  kind: NoticeKind;
  payload: string;
  attempts: number;
  claim_token: string;
  created_at: number;
}

export class OutboxStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims notices inside the caller's open transaction (better-sqlite3, same handle). Returns the
   * keys newly claimed (a key seen before is ignored; a `replace` entry is always (re)queued).
   */
  enqueueIn(entries: readonly OutboxEntry[], now: number): string[] {
    const claimed: string[] = [];
    for (const e of entries) {
      const sql = e.replace
        ? `INSERT INTO outbox (dedupe_key, kind, payload, not_before, created_at) VALUES (@key, @kind, @payload, @notBefore, @now)
           ON CONFLICT (dedupe_key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, state = 'pending',
             not_before = excluded.not_before, attempts = 0, claim_token = NULL, claimed_until = NULL, via = NULL,
             sent_ts = NULL, sent_channel = NULL, last_error = NULL, sent_at = NULL`
        : `INSERT INTO outbox (dedupe_key, kind, payload, not_before, created_at) VALUES (@key, @kind, @payload, @notBefore, @now)
           ON CONFLICT (dedupe_key) DO NOTHING`;
      const res = this.db.prepare(sql).run({ key: e.key, kind: e.notice.kind, payload: JSON.stringify(e.notice), notBefore: e.notBefore ?? 0, now });
      if (res.changes === 1) claimed.push(e.key);
    }
    return claimed;
  }

  /** `enqueueIn` in a transaction of its own. */
  async enqueue(entries: readonly OutboxEntry[], now: number): Promise<string[]> {
    return this.db.transaction(() => this.enqueueIn(entries, now)).immediate();
  }

  /**
   * Claims up to `limit` due notices (pending, not before now, unclaimed or claim expired), oldest
   * decision first, for `claimMs`. PostgreSQL: the inner SELECT gets FOR UPDATE SKIP LOCKED.
   */
  async claim(now: number, o: { token: string; claimMs: number; limit: number }): Promise<ClaimedNotice[]> {
    const rows = this.db
      .prepare(
        `UPDATE outbox SET claim_token = @token, claimed_until = @until
         WHERE id IN (
           SELECT id FROM outbox
           WHERE state = 'pending' AND not_before <= @now AND (claimed_until IS NULL OR claimed_until <= @now)
           ORDER BY id LIMIT @limit)
         RETURNING id, dedupe_key, kind, payload, attempts, claim_token, created_at`,
      )
      .all({ token: o.token, until: now + o.claimMs, now, limit: o.limit }) as Row[];
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        key: r.dedupe_key,
        kind: r.kind,
        notice: JSON.parse(r.payload) as Notice,
        payload: r.payload,
        attempts: r.attempts,
        token: r.claim_token,
        createdAt: r.created_at,
      }));
  }

  /** Slack has it. False when the claim was lost (taken over after its timeout, or the row replaced). */
  async markSent(id: number, token: string, r: { via: string; ts?: string; channel?: string }, now: number): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE outbox SET state = 'sent', via = ?, sent_ts = ?, sent_channel = ?, sent_at = ?, attempts = attempts + 1,
           claim_token = NULL, claimed_until = NULL
         WHERE id = ? AND claim_token = ?`,
      )
      .run(r.via, r.ts ?? null, r.channel ?? null, now, id, token);
    return res.changes === 1;
  }

  /** Stays pending; tried again (same payload) from `notBefore`. */
  async markRetry(id: number, token: string, notBefore: number, error: string): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?, claim_token = NULL, claimed_until = NULL
         WHERE id = ? AND claim_token = ?`,
      )
      .run(notBefore, error.slice(0, 500), id, token);
    return res.changes === 1;
  }

  /** Given up (the message cannot go anywhere, or Slack refused it too many times). */
  async markDropped(id: number, token: string, error: string): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE outbox SET state = 'dropped', attempts = attempts + 1, last_error = ?, claim_token = NULL, claimed_until = NULL
         WHERE id = ? AND claim_token = ?`,
      )
      .run(error.slice(0, 500), id, token);
    return res.changes === 1;
  }

  /** Gives the claim back untouched (skipped this pass, e.g. its channel is rate limited right now). */
  async release(id: number, token: string): Promise<void> {
    this.db.prepare(`UPDATE outbox SET claim_token = NULL, claimed_until = NULL WHERE id = ? AND claim_token = ?`).run(id, token);
  }

  /** For /metrics: notices not delivered yet (pending or being retried) and how long the oldest has waited (seconds, 0 when none). */
  async backlog(now: number): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const r = this.db.prepare(`SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state = 'pending'`).get() as { n: number; oldest: number | null };
    return { pending: r.n, oldestAgeSeconds: r.oldest === null ? 0 : Math.max(0, (now - r.oldest) / 1000) };
  }

  /** Delivery history of the notices whose key starts with `prefix` (tests, status pages). */
  async history(prefix: string): Promise<OutboxHistoryRow[]> {
    const rows = this.db
      .prepare(`SELECT dedupe_key, kind, state, via, attempts, sent_ts FROM outbox WHERE substr(dedupe_key, 1, length(?)) = ? ORDER BY id`)
      .all(prefix, prefix) as Array<{ dedupe_key: string; kind: NoticeKind; state: OutboxHistoryRow['state']; via: string | null; attempts: number; sent_ts: string | null }>;
    return rows.map((r) => ({ key: r.dedupe_key, kind: r.kind, state: r.state, via: r.via, attempts: r.attempts, sentTs: r.sent_ts }));
  }
}
