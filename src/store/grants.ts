/**
 * Who has which role beyond the default viewer: a grant to a user or to a whole channel. The rules
 * that combine grants live in services/access.ts; this only keeps them. Every change returns what
 * it changed (before/after) so the caller can audit it.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Transactor } from './engine';
import type { GrantsTable, StoreTables } from './tables';

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

/** The one mapping of a grants row (the subject is two columns). */
function toGrant(r: Selectable<GrantsTable>): Grant {
  return { subject: { kind: r.subjectKind, id: r.subjectId }, role: r.role, by: r.grantedBy, at: r.grantedAt };
}

export class GrantStore {
  constructor(
    private readonly db: Kysely<StoreTables>,
    private readonly tx: Transactor,
    private readonly now: () => number = Date.now,
  ) {}

  /** Grants `role` to a user or channel, replacing any earlier grant of that subject. */
  async set(subject: GrantSubject, role: GrantRole, by: string): Promise<GrantChange> {
    return this.tx(async (trx) => {
      const before = (await this.read(trx, subject))?.role ?? null;
      const at = this.now();
      if (before !== role) {
        await trx
          .insertInto('grants')
          .values({ subjectKind: subject.kind, subjectId: subject.id, role, grantedBy: by, grantedAt: at })
          .onConflict((oc) => oc.columns(['subjectKind', 'subjectId']).doUpdateSet({ role, grantedBy: by, grantedAt: at }))
          .execute();
      }
      return { subject: { ...subject }, before, after: role, by, at, changed: before !== role };
    });
  }

  /** Removes the subject's grant (back to the default role). */
  async revoke(subject: GrantSubject, by: string): Promise<GrantChange> {
    return this.tx(async (trx) => {
      const before = (await this.read(trx, subject))?.role ?? null;
      await trx.deleteFrom('grants').where('subjectKind', '=', subject.kind).where('subjectId', '=', subject.id).execute();
      return { subject: { ...subject }, before, after: null, by, at: this.now(), changed: before !== null };
    });
  }

  get(subject: GrantSubject): Promise<Grant | undefined> {
    return this.read(this.db, subject);
  }

  /** Every grant: users first, then channels, each by id. */
  async list(): Promise<Grant[]> {
    const rows = await this.db.selectFrom('grants').selectAll().orderBy('subjectKind', 'desc').orderBy('subjectId').execute();
    return rows.map(toGrant);
  }

  private async read(db: Kysely<StoreTables>, subject: GrantSubject): Promise<Grant | undefined> {
    const row = await db.selectFrom('grants').selectAll().where('subjectKind', '=', subject.kind).where('subjectId', '=', subject.id).executeTakeFirst();
    return row && toGrant(row);
  }
}
