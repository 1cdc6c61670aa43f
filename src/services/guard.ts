/**
 * The guardrail in front of every mutating action: who is asking, what role they have right now
 * (user grant, channel grant, bootstrap admins, sandbox), and the audit trail of what was done.
 * Listeners call `authorize` at the moment of the action, never trusting a message's age.
 */
import type { Logger } from '../log';
import type { SecretRedactor } from '../secrets';
import type { Store } from '../store';
import type { AuditEntryInput } from '../store/audit';
import { decide, effectiveRole, type Action, type Decision, type Role } from './access';

export interface Actor {
  userId: string;
  channelId: string;
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
  /** Posts audit lines to AUDIT_CHANNEL when set (best effort, never blocks the action). */
  publishAudit?: (line: string) => Promise<void>;
}

export class Guard {
  constructor(private readonly opts: GuardOptions) {}

  roleOf(actor: Actor): Role {
    const { grants } = this.opts.store;
    return effectiveRole({
      userGrant: grants.get({ kind: 'user', id: actor.userId })?.role ?? null,
      channelGrant: grants.get({ kind: 'channel', id: actor.channelId })?.role ?? null,
      bootstrapAdmin: this.opts.bootstrapAdmins.includes(actor.userId),
      sandbox: this.opts.sandbox,
    });
  }

  authorize(actor: Actor, action: Action, ownsInstance = false): Authorization {
    const role = this.roleOf(actor);
    return { ...decide(role, action, ownsInstance), role, admins: this.admins() };
  }

  /** Bootstrap admins plus users granted admin in the store. */
  admins(): string[] {
    const granted = this.opts.store.grants
      .list()
      .filter((g) => g.subject.kind === 'user' && g.role === 'admin')
      .map((g) => g.subject.id);
    return [...new Set([...this.opts.bootstrapAdmins, ...granted])];
  }

  /** True when `userId` deployed `instanceId` through the bot. */
  owns(userId: string, instanceId: string): boolean {
    return this.opts.store.deployRequests.findByInstance(instanceId)?.userId === userId;
  }

  /** Records a mutating action; secret values are masked before the row is written. */
  audit(entry: AuditEntryInput): void {
    const masked = this.opts.redactor.maskDeep(entry);
    try {
      this.opts.store.audit.record(masked);
    } catch (err) {
      this.opts.logger.error({ err }, 'audit write failed');
    }
    if (this.opts.publishAudit) {
      const line = `${masked.outcome === 'ok' ? '✅' : masked.outcome === 'refused' ? '⛔' : masked.outcome === 'pending' ? '⏳' : '❌'} <@${masked.actorId}> *${masked.action}*${masked.instanceName ? ` \`${masked.instanceName}\`` : ''}${masked.pricePerHour != null ? ` at $${masked.pricePerHour.toFixed(2)}/h` : ''} in <#${masked.channelId}> — ${masked.outcome}${masked.detail ? `: ${masked.detail}` : ''}`;
      this.opts.publishAudit(line).catch((err) => this.opts.logger.warn({ err }, 'audit channel post failed'));
    }
  }
}
