/**
 * Leadership across replicas on PostgreSQL (issue 13 §2): a session advisory lock
 * (`pg_try_advisory_lock`) held on ONE dedicated connection, outside the store's pool.
 *
 * - Every `isLeader()` (the scheduler asks before each leader-only run) is a round trip: a
 *   non-leader tries the lock; the leader checks in `pg_locks` that its session still holds it.
 *   Concurrent asks share one round trip.
 * - The lock lives exactly as long as that session. Losing the connection (error, end, a check that
 *   does not answer within `timeoutMs`) makes this process a non-leader at once: no leader-only job
 *   starts after that. A job already running finishes; what it writes is claimed in the store
 *   (outbox keys, conditional statements), so a run overlapping the next leader's delivers nothing twice.
 * - A killed leader's connection is closed by its kernel, and PostgreSQL releases the lock at once:
 *   another replica takes over at its next check (within one job interval). A leader cut off by the
 *   network is found dead by the server's TCP keepalives, set short on this session (about 25 s).
 * - `release()` (shutdown) closes the connection: the next replica's check wins.
 */
import pg from 'pg';
import type { Logger } from '../log';
import { redactDatabaseUrl } from '../store/postgres-engine';
import type { Leadership } from './leadership';

/** The store's advisory lock keys are …01 (writes) and …02 (migrations); leadership is …03. */
export const LEADER_LOCK_KEY = 0x6770_7562_6f74_03n;

export interface PgLeadershipOptions {
  /** The store's DATABASE_URL. */
  url: string;
  logger: Logger;
  /** Connecting and each check must answer within this, or this process is not the leader (default 5 s). */
  timeoutMs?: number;
  /** Another lock key (tests running two fleets on one database). */
  key?: bigint;
}

export class PgLeadership implements Leadership {
  private client: pg.Client | null = null;
  private leader = false;
  private checking: Promise<boolean> | null = null;
  private released = false;
  /** Failed checks in a row: one warning per streak. */
  private failures = 0;
  private readonly key: bigint;
  private readonly timeoutMs: number;

  constructor(private readonly o: PgLeadershipOptions) {
    this.key = o.key ?? LEADER_LOCK_KEY;
    this.timeoutMs = o.timeoutMs ?? 5_000;
  }

  isLeader(): Promise<boolean> {
    if (this.released) return Promise.resolve(false);
    this.checking ??= this.check().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  async release(): Promise<void> {
    this.released = true;
    await this.checking?.catch(() => undefined);
    const client = this.client;
    this.drop(client, 'released');
    // closing the session releases its advisory lock
    if (client) await withTimeout(client.end(), this.timeoutMs).catch(() => undefined);
  }

  private async check(): Promise<boolean> {
    let client: pg.Client | null = null;
    try {
      client = this.client ?? (await this.connect());
      const holds = this.leader ? await this.stillHeld(client) : await this.tryLock(client);
      if (this.released || client !== this.client) return false; // lost or released meanwhile
      if (this.failures > 0) this.o.logger.info({ failedChecks: this.failures }, 'leadership check works again');
      this.failures = 0;
      this.become(holds);
      return holds;
    } catch (err) {
      if (this.released) return false; // shutting down: not a failure worth a warning
      this.failures += 1;
      if (this.failures === 1) this.o.logger.warn({ err: errorText(err), database: redactDatabaseUrl(this.o.url) }, 'leadership check failed: not leading until it works again');
      // a connection that failed a check may still hold the lock on the server: end it, never reuse it
      if (client) {
        this.drop(client, 'check failed');
        void client.end().catch(() => undefined);
      }
      return false;
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.o.url,
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'gpu-bot leadership',
    });
    // the session IS the leadership: when it goes, so does leadership, before the next check
    client.on('error', (err) => this.drop(client, `connection error: ${err.message}`));
    client.on('end', () => this.drop(client, 'connection closed'));
    try {
      await client.connect();
      // the server finds a vanished leader (network cut, machine gone) in about 10 + 5 × 3 s, not hours
      await client.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
    } catch (err) {
      void client.end().catch(() => undefined);
      throw err;
    }
    if (this.released) {
      void client.end().catch(() => undefined);
      throw new Error('leadership released');
    }
    this.client = client;
    return client;
  }

  private async tryLock(client: pg.Client): Promise<boolean> {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key.toString()]);
    return r.rows[0]?.ok === true;
  }

  /** Our session still holds the lock (a bigint key is classid = high, objid = low 32 bits, objsubid 1). */
  private async stillHeld(client: pg.Client): Promise<boolean> {
    const r = await client.query<{ ok: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
         AND classid = $1::oid AND objid = $2::oid AND objsubid = 1) AS ok`,
      [(this.key >> 32n).toString(), (this.key & 0xffff_ffffn).toString()],
    );
    return r.rows[0]?.ok === true;
  }

  private become(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.o.logger.info({ leader }, leader ? 'this replica is now the leader: it runs the periodic jobs' : 'this replica is no longer the leader');
  }

  /** Forgets `client` (if it is the current one): not the leader until a check wins the lock again. */
  private drop(client: pg.Client | null, reason: string): void {
    if (!client || client !== this.client) return;
    this.client = null;
    if (this.leader) this.o.logger.warn({ reason }, 'leadership lost: leader-only jobs stop until a check wins the lock again');
    this.leader = false;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}
