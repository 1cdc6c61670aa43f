/**
 * Delivery of the outbox (store/outbox.ts): claims due notices and hands each to a NoticeSender
 * (src/slack/notices/ renders and posts it), then records what happened. Knows no Slack.
 *
 * - 429: the notice waits Retry-After (same payload, never a second copy) and the rest of its lane
 *   (channel) waits for the next pass.
 * - Other failures: retried on the next passes, then spaced out up to 5 minutes; dropped after
 *   MAX_DELIVERY_ATTEMPTS (about 2 h at 15 s passes). A sender may also answer `drop` (nowhere to go).
 * - The store refuses a write (disk full, a lock held too long): what Slack accepted is remembered in
 *   memory (SentMemory) so it is never posted again; the marks are written once the store takes
 *   writes again, and the first store error is rethrown after the pass so the caller backs off.
 *
 * The one window nobody can close: Slack accepted a post and the process died before `markSent`
 * committed. The claim then times out and the notice is posted once more (chat.postMessage has no
 * idempotency key). A claim must therefore outlive one send (claimMs ≫ the Slack client timeout), or a
 * slow send could be taken over by another replica and posted twice.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { isBusyError } from '../store/db';
import { isStoreError } from '../store/engine';
import type { ClaimedNotice, OutboxStore } from '../store/outbox';
import type { Notice, NoticeKind } from './notices';

export const MAX_DELIVERY_ATTEMPTS = 30;
/** A claim not finished within this is taken again (a replica killed mid-delivery). */
export const DEFAULT_CLAIM_MS = 60_000;
const BATCH = 100;
const STORE_BUSY_DEADLINE_MS = 2000;

export type SendResult =
  | { ok: true; via: string; ts?: string; channel?: string }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds?: number; error?: string }
  /** Worth retrying later (network, 5xx, an unknown Slack error). */
  | { ok: false; reason: 'error'; error: string }
  /** Can never be delivered (no message to edit, nobody to tell): recorded as dropped, not retried. */
  | { ok: false; reason: 'drop'; error: string };

export interface NoticeSender {
  /** The rate-limit lane of a notice (its Slack channel): after a 429 the rest of that lane waits. */
  laneOf(notice: Notice): string;
  /** Renders and sends; never throws (a thrown error counts as `error`). */
  send(notice: Notice): Promise<SendResult>;
}

export interface DeliveredNotice {
  key: string;
  kind: NoticeKind;
  via: string;
}

export interface DeliveryOptions {
  outbox: OutboxStore;
  sender: NoticeSender;
  logger: Logger;
  now: () => number;
  /** Spacing of retries of a failing notice (the pass interval). */
  intervalMs: number;
  claimMs?: number;
  /** This process's claim token prefix (default random). */
  owner?: string;
}

/** Notices Slack accepted whose `sent` mark the store has not taken yet, with the payload that went out. */
export class SentMemory {
  private readonly unrecorded = new Map<number, { payload: string; token: string; via: string; ts?: string; channel?: string; at: number }>();

  /** Every unrecorded send with the claim it was made under (recorded first thing in each pass). */
  entries(): Array<[number, { token: string; via: string; ts?: string; channel?: string; at: number }]> {
    return [...this.unrecorded];
  }

  sentAs(n: ClaimedNotice): { via: string; ts?: string; channel?: string; at: number } | undefined {
    const s = this.unrecorded.get(n.id);
    return s && s.payload === n.payload ? s : undefined;
  }
  remember(n: ClaimedNotice, r: { via: string; ts?: string; channel?: string }, at: number): void {
    this.unrecorded.set(n.id, { payload: n.payload, token: n.token, ...r, at });
  }
  forget(id: number): void {
    this.unrecorded.delete(id);
  }
  get size(): number {
    return this.unrecorded.size;
  }
}

export class NoticeDelivery {
  /** Accepted by Slack, not yet recorded: never posted twice. */
  readonly sent = new SentMemory();
  private readonly owner: string;
  private seq = 0;
  private running: Promise<DeliveredNotice[]> | null = null;

  constructor(private readonly o: DeliveryOptions) {
    this.owner = o.owner ?? randomUUID();
  }

  /** One pass over every due notice. A pass already running is joined, not doubled. */
  deliverDue(): Promise<DeliveredNotice[]> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A pass that starts after this call (a pass already running may have claimed before the caller's notices). */
  async deliverFresh(): Promise<DeliveredNotice[]> {
    await this.running?.catch(() => undefined);
    return this.deliverDue();
  }

  /** Resolves when no pass is running (shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<DeliveredNotice[]> {
    const { outbox, sender, logger } = this.o;
    const delivered: DeliveredNotice[] = [];
    let storeError: unknown = null;
    /** One outbox write; once the store has refused one, the rest of this pass does not try. */
    const write = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      if (storeError !== null) return false;
      try {
        await busyRetry(fn, what, logger, this.o.now);
        return true;
      } catch (err) {
        if (!isStoreError(err)) throw err;
        storeError = err;
        return false;
      }
    };
    // what Slack has but the store does not know yet is recorded first (under the claim it was sent with);
    // a claim lost meanwhile is settled when the row is claimed again (same payload: recorded, not sent)
    for (const [id, r] of this.sent.entries()) {
      let recorded = false;
      if (!(await write('outbox: mark sent', async () => void (recorded = await outbox.markSent(id, r.token, r, r.at))))) break;
      if (recorded) this.sent.forget(id);
    }
    const blockedLanes = new Set<string>();
    const token = `${this.owner}:${++this.seq}`;
    const now = this.o.now();
    const seen = new Set<number>();
    // Once the store has refused a write, the pass goes on sending (each send is remembered, never
    // repeated) but writes nothing more; a claim the store refuses ends the pass.
    for (;;) {
      let claimed: ClaimedNotice[];
      try {
        claimed = await outbox.claim(now, { token, claimMs: this.o.claimMs ?? DEFAULT_CLAIM_MS, limit: BATCH });
      } catch (err) {
        if (!isStoreError(err)) throw err;
        storeError ??= err;
        break;
      }
      const batch = claimed.filter((n) => !seen.has(n.id));
      for (const n of batch) {
        seen.add(n.id);
        await this.deliverOne(n, now, write, blockedLanes, delivered);
      }
      if (claimed.length < BATCH || batch.length === 0) break;
    }
    if (storeError !== null) throw storeError;
    return delivered;
  }

  private async deliverOne(
    n: ClaimedNotice,
    now: number,
    write: (what: string, fn: () => Promise<unknown>) => Promise<boolean>,
    blockedLanes: Set<string>,
    delivered: DeliveredNotice[],
  ): Promise<void> {
    const { outbox, sender, logger } = this.o;
    const already = this.sent.sentAs(n);
    if (already) {
      // Slack has it; only the store did not know: record it now, never post it again
      if (await write('outbox: mark sent', () => outbox.markSent(n.id, n.token, already, already.at))) this.sent.forget(n.id);
      return;
    }
    this.sent.forget(n.id); // a newer payload in the same row (a living message edit): the old mark no longer applies
    const lane = sender.laneOf(n.notice);
    if (blockedLanes.has(lane)) {
      await write('outbox: release', () => outbox.release(n.id, n.token));
      return;
    }
    let res: SendResult;
    try {
      res = await sender.send(n.notice);
    } catch (err) {
      res = { ok: false, reason: 'error', error: err instanceof Error ? err.message : String(err) };
    }
    if (res.ok) {
      // remembered before the write: if the store refuses it, this notice is still never posted twice
      const r = { via: res.via, ...(res.ts ? { ts: res.ts } : {}), ...(res.channel ? { channel: res.channel } : {}) };
      this.sent.remember(n, r, now);
      delivered.push({ key: n.key, kind: n.kind, via: res.via });
      if (await write('outbox: mark sent', () => outbox.markSent(n.id, n.token, r, now))) this.sent.forget(n.id);
    } else if (res.reason === 'drop') {
      await write('outbox: drop', () => outbox.markDropped(n.id, n.token, res.error));
    } else if (res.reason === 'rate_limited') {
      // wait it out; the same payload goes out later, never a second copy
      const wait = Math.max(1, res.retryAfterSeconds ?? 1) * 1000;
      await write('outbox: retry later', () => outbox.markRetry(n.id, n.token, now + wait, 'rate_limited'));
      blockedLanes.add(lane);
    } else if (n.attempts + 1 >= MAX_DELIVERY_ATTEMPTS) {
      await write('outbox: drop', () => outbox.markDropped(n.id, n.token, res.error));
      logger.error({ key: n.key, kind: n.kind, attempts: n.attempts + 1, reason: res.error }, 'giving up on a notice');
    } else {
      // first retries on the next passes, then spaced out up to 5 minutes: a Slack outage of hours still ends in one message
      const delay = n.attempts < 2 ? 0 : Math.min(this.o.intervalMs * 2 ** (n.attempts - 2), 5 * 60_000);
      await write('outbox: retry later', () => outbox.markRetry(n.id, n.token, now + delay, res.error));
      if (n.attempts === 0) logger.warn({ key: n.key, kind: n.kind, reason: res.error }, 'notice not delivered; will retry');
    }
  }
}

/** Runs one async store write until it gets past a lock held by another connection (up to 2 s), waiting between tries. */
async function busyRetry(fn: () => Promise<unknown>, what: string, logger: Logger, now: () => number): Promise<void> {
  const started = Date.now();
  let waitMs = 10;
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (!isBusyError(err) || Date.now() - started + waitMs > STORE_BUSY_DEADLINE_MS) throw err;
      if (attempt === 1) logger.debug({ what, at: now() }, 'the database is locked by another connection; retrying without blocking');
    }
    await new Promise<void>((r) => setTimeout(r, waitMs));
    waitMs = Math.min(waitMs * 2, 250);
  }
}
