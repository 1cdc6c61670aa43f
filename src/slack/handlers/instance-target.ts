/**
 * Shared by the mutating instance features (terminate, update, rename): who is acting (from a
 * button or modal payload), finding the instance a user named, and the authorise-and-audit step
 * every change goes through at the moment of the action.
 */
import type { WorkloadType } from '../../fluence/workload';
import type { InstanceSummary } from '../../fluence/model';
import type { Authorization } from '../../services/guard';
import type { AuditAction, AuditOutcome } from '../../store/audit';
import type { BotContext } from '../context';
import { renderResolveFailure } from '../views/instance-lookup';
import type { MessageView } from '../views/blocks';
import type { SlackActor } from './types';

/**
 * True when a click's answer that replaces the message it is on lands in a message everyone in the
 * channel reads (a watcher reply, not the clicker's own ephemeral card): private parts (startup
 * command, Logs / Events) must not be put there whoever clicked. Slack marks ephemeral messages
 * `is_ephemeral: true`; anything else counts as public (fail closed).
 */
export function onPublicMessage(body: { container?: { type?: string; is_ephemeral?: boolean } | undefined }): boolean {
  return body.container?.is_ephemeral !== true;
}

/** The actor of a block_actions payload: the clicker, in the channel of the message. */
export function actorOfAction(body: {
  user: { id: string; name?: string; username?: string; team_id?: string };
  channel?: { id: string } | undefined;
  container?: { channel_id?: string } | undefined;
  team?: { id: string } | null | undefined;
}): SlackActor {
  const channelId = body.channel?.id ?? body.container?.channel_id ?? body.user.id;
  const userName = body.user.username ?? body.user.name;
  return { userId: body.user.id, ...(userName ? { userName } : {}), channelId, teamId: clickerTeam(body) };
}

/**
 * The clicker's own workspace: `user.team_id` first. In a Slack Connect channel the payload's
 * `team` may be the workspace the app is installed in while the user belongs to another; which
 * one Slack sends there is not documented clearly, so the user's own team wins when present.
 */
export function clickerTeam(body: { user: { team_id?: string }; team?: { id: string } | null | undefined }): string | null {
  return body.user.team_id ?? body.team?.id ?? null;
}

export type Lookup = { ok: true; instance: InstanceSummary; view?: undefined } | { ok: false; view: MessageView; instance?: undefined };

/** `/gpu <cmd> <id | 8+ char prefix | exact name>` -> one instance, or what to tell the user. */
export async function lookUp(ctx: BotContext, arg: string): Promise<Lookup> {
  const r = await ctx.instances.resolve(arg);
  if (r.ok) return { ok: true, instance: r.instance };
  return { ok: false, view: renderResolveFailure(r, new Date(ctx.now())) };
}

/** Authorises a change of one instance now: admins any, deployers only their own. */
export async function authorizeChange(
  ctx: BotContext,
  actor: SlackActor,
  action: 'update' | 'terminate',
  instanceId: string,
): Promise<Authorization> {
  return ctx.guard.authorize(actor, action, ctx.guard.owns(actor.userId, instanceId));
}

export interface ChangeAudit {
  action: Extract<AuditAction, 'update' | 'rename' | 'terminate'>;
  outcome: AuditOutcome;
  instanceId: string | null;
  instanceName?: string | null;
  type: WorkloadType | null;
  pricePerHour?: number | null;
  detail?: string | null;
}

export function auditChange(ctx: BotContext, actor: SlackActor, a: ChangeAudit): Promise<void> {
  return ctx.guard.audit({
    actorId: actor.userId,
    channelId: actor.channelId,
    action: a.action,
    instanceId: a.instanceId,
    instanceName: a.instanceName ?? null,
    type: a.type,
    pricePerHour: a.pricePerHour ?? null,
    outcome: a.outcome,
    detail: a.detail ?? null,
  });
}

/** An error as one short audit line (masked again by the guard). */
export function errorDetail(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500);
}
