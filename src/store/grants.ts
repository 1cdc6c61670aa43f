/**
 * Who has which role beyond the default viewer: a grant to a user or to a whole channel. The rules
 * that combine grants live in services/access.ts; this only keeps them. Every change returns what
 * it changed (before/after) so the caller can audit it.
 */
import type { Db } from './db';

export type GrantRole = 'viewer' | 'deployer' | 'admin';

export interface GrantSubject {
  kind: 'user' | 'channel';
  id: string;
}

export interface Grant {
  subject: GrantSubject;
  role: GrantRole;
  /** Slack user id of who granted it. */
  by: string;
  at: number;
}

export interface GrantChange {
  subject: GrantSubject;
  before: GrantRole | null;
  /** null after a revoke. */
  after: GrantRole | null;
  by: string;
  at: number;
  /** False when nothing changed (same role again, or revoking what was not granted). */
  changed: boolean;
}

interface Row {
  subject_kind: 'user' | 'channel';
  subject_id: string;
  role: GrantRole;
  granted_by: string;
  granted_at: number;
}

function toGrant(r: Row): Grant {
  return { subject: { kind: r.subject_kind, id: r.subject_id }, role: r.role, by: r.granted_by, at: r.granted_at };
}

function prepareStatements(db: Db) {
  return {
    get: db.prepare(`SELECT * FROM grants WHERE subject_kind = ? AND subject_id = ?`),
    upsert: db.prepare(
      `INSERT INTO grants (subject_kind, subject_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (subject_kind, subject_id) DO UPDATE SET
         role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
    ),
    delete: db.prepare(`DELETE FROM grants WHERE subject_kind = ? AND subject_id = ?`),
    list: db.prepare(`SELECT * FROM grants ORDER BY subject_kind DESC, subject_id`),
  };
}

export class GrantStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = prepareStatements(db);
  }

  /** Grants `role` to a user or channel, replacing any earlier grant of that subject. */
  set(subject: GrantSubject, role: GrantRole, by: string): GrantChange {
    return this.db
      .transaction((): GrantChange => {
        const before = this.get(subject)?.role ?? null;
        const at = this.now();
        if (before !== role) this.stmts.upsert.run(subject.kind, subject.id, role, by, at);
        return { subject: { ...subject }, before, after: role, by, at, changed: before !== role };
      })
      .immediate();
  }

  /** Removes the subject's grant (back to the default role). */
  revoke(subject: GrantSubject, by: string): GrantChange {
    return this.db
      .transaction((): GrantChange => {
        const before = this.get(subject)?.role ?? null;
        this.stmts.delete.run(subject.kind, subject.id);
        return { subject: { ...subject }, before, after: null, by, at: this.now(), changed: before !== null };
      })
      .immediate();
  }

  get(subject: GrantSubject): Grant | undefined {
    const row = this.stmts.get.get(subject.kind, subject.id) as Row | undefined;
    return row ? toGrant(row) : undefined;
  }

  /** Every grant: users first, then channels, each by id. */
  list(): Grant[] {
    return (this.stmts.list.all() as Row[]).map(toGrant);
  }
}
