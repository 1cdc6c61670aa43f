/**
 * The guardrail in front of every mutating action: who is asking, what role they have right now
 * (user grant, channel grant, bootstrap admins, sandbox), and the audit trail of what was done.
 * Listeners call `authorize` at the moment of the action, never trusting a message's age.
 */
import type { Logger } from '../log';
import type { SecretRedactor } from '../secrets';
import type { Store } from '../store';
import type { AuditEntryInput } from '../store/audit';
import { decide, effectiveRole, personalRole, type Action, type Decision, type Role } from './access';

export interface Actor {
  userId: string;
  channelId: string;
  /** The workspace the request came from (Slack's team_id); channel grants need it to be ours. */
  teamId?: string | null;
}

export interface Authorization extends Decision {
  role: Role;
  /** Who can grant access, for the refusal message. */
  admins: string[];
}

export interface GuardOptions {
  store: Store;
  bootstrapAdmins: string[];
  sandbox: boolean;
  redactor: SecretRedactor;
  logger: Logger;
  /**
   * The bot's own workspace (auth.test's team_id), null while unknown. Channel grants apply only to
   * requests from it: in a Slack Connect channel, members of the other organisation act in the
   * same channel id and must not inherit its grant. Unknown means no channel grant applies.
   */
  homeTeamId: () => string | null;
  /** Posts audit lines to AUDIT_CHANNEL when set (best effort, never blocks the action). */
  publishAudit?: (entry: AuditEntryInput) => Promise<void>;
}

export class Guard {
  constructor(private readonly opts: GuardOptions) {}

  async roleOf(actor: Actor): Promise<Role> {
    const { grants } = this.opts.store;
    const [userGrant, channelGrant] = await Promise.all([
      grants.get({ kind: 'user', id: actor.userId }),
      this.fromHomeTeam(actor) ? grants.get({ kind: 'channel', id: actor.channelId }) : undefined,
    ]);
    return effectiveRole({
      userGrant: userGrant?.role ?? null,
      channelGrant: channelGrant?.role ?? null,
      bootstrapAdmin: this.opts.bootstrapAdmins.includes(actor.userId),
      sandbox: this.opts.sandbox,
    });
  }

  /** Own grant or bootstrap only: what may change grants (a channel never makes anyone an admin). */
  async personalRoleOf(actor: Actor): Promise<Role> {
    return personalRole({
      userGrant: (await this.opts.store.grants.get({ kind: 'user', id: actor.userId }))?.role ?? null,
      bootstrapAdmin: this.opts.bootstrapAdmins.includes(actor.userId),
    });
  }

  /** `ownsInstance`: whether the actor owns the instance acted on (`owns`, which may still be reading). */
  async authorize(actor: Actor, action: Action, ownsInstance: boolean | Promise<boolean> = false): Promise<Authorization> {
    const [role, admins, owns] = await Promise.all([action === 'manage-access' ? this.personalRoleOf(actor) : this.roleOf(actor), this.admins(), ownsInstance]);
    return { ...decide(role, action, owns), role, admins };
  }

  private fromHomeTeam(actor: Actor): boolean {
    const home = this.opts.homeTeamId();
    return home !== null && actor.teamId != null && actor.teamId === home;
  }

  /** Bootstrap admins plus users granted admin in the store. */
  async admins(): Promise<string[]> {
    const granted = (await this.opts.store.grants.list())
      .filter((g) => g.subject.kind === 'user' && g.role === 'admin')
      .map((g) => g.subject.id);
    return [...new Set([...this.opts.bootstrapAdmins, ...granted])];
  }

  /** True when `userId` deployed `instanceId` through the bot. */
  async owns(userId: string, instanceId: string): Promise<boolean> {
    return (await this.opts.store.deployRequests.findByInstance(instanceId))?.userId === userId;
  }

  /** Records a mutating action; secret values are masked before the row is written. Never rejects. */
  async audit(entry: AuditEntryInput): Promise<void> {
    const masked = this.opts.redactor.maskDeep(entry);
    try {
      await this.opts.store.audit.record(masked);
    } catch (err) {
      this.opts.logger.error({ err }, 'audit write failed');
    }
    if (this.opts.publishAudit) {
      // rendered (and escaped) by the Slack side: the entry may hold Fluence's words
      this.opts.publishAudit(masked).catch((err) => this.opts.logger.warn({ err }, 'audit channel post failed'));
    }
  }
}
