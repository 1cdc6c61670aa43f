/**
 * `/gpu lease <instance> <duration|off>` and `/gpu policy` (issue 11 §1). Reading policies is open
 * to everyone; changing one is for admins. A lease is set by the instance's owner (who deployed it
 * through the bot) or an admin, through the same Guard as every other change; going past the
 * channel's max-lease needs an admin. Both are audited, refusals too.
 */
import { formatDuration } from '../../duration';
import { effectivePolicy, policyProblem, type EffectivePolicy } from '../../services/leases';
import type { Lease } from '../../store/leases';
import { renderRefusal } from '../views/guardrails';
import { renderLeaseChange, renderPolicies, renderPolicyChange } from '../views/leases';
import type { MessageView } from '../views/blocks';
import { codeSpan } from '../views/format';
import type { Feature } from './feature';
import { lookUp } from './instance-target';
import type { CommandHandler, CommandRequest } from './types';

async function reply(req: { respond: CommandRequest['respond'] }, view: MessageView): Promise<void> {
  await req.respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
}

const endText = (l: Pick<Lease, 'endsAt'> | undefined) =>
  l === undefined ? 'none' : l.endsAt === null ? 'until terminated' : new Date(l.endsAt).toISOString();

// ---- lease --------------------------------------------------------------------------------

const leaseCommand: CommandHandler<'lease'> = async (req) => {
  const { ctx, command, actor } = req;
  const found = await lookUp(ctx, command.instance);
  if (!found.ok) return reply(req, found.view);
  const i = found.instance;
  const audit = (outcome: 'ok' | 'refused', detail: string) =>
    ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'lease', instanceId: i.id, instanceName: i.name, type: i.type, outcome, detail });
  if (i.state === 'ended' || i.state === 'failed') {
    await req.respond({ response_type: 'ephemeral', text: `${codeSpan(i.name, 100)} has ${i.state === 'ended' ? 'ended' : 'failed'}: nothing runs, so there is no lease to set.` });
    return;
  }
  const auth = await ctx.guard.authorize(actor, 'lease', ctx.guard.owns(actor.userId, i.id));
  if (!auth.allowed) {
    await audit('refused', auth.reason ?? 'not allowed');
    return reply(req, renderRefusal(auth));
  }
  const existing = await ctx.store.leases.get(i.id);
  const deployed = await ctx.store.deployRequests.findByInstance(i.id);
  // the policy of the channel it was deployed (or first leased) from; else where this is typed
  const policyChannel = existing?.channelId ?? deployed?.channelId ?? actor.channelId;
  const check = await ctx.leases.check(policyChannel, command.durationMs, Date.parse(i.createdAt));
  if (!check.ok && auth.role !== 'admin') {
    await audit('refused', check.reason);
    return reply(req, renderRefusal({ reason: check.reason, needs: 'admin', admins: auth.admins }));
  }
  const watched = deployed ? undefined : await ctx.store.watches.get(i.id);
  const change = await ctx.store.leases.set({
    instanceId: i.id,
    type: i.type,
    ownerId: deployed?.userId ?? watched?.requesterId ?? actor.userId,
    channelId: policyChannel,
    endsAt: check.endsAt,
    by: actor.userId,
  });
  const asked = command.durationMs === null ? 'off' : formatDuration(command.durationMs);
  await audit('ok', `lease ${asked}: ${endText(change.before)} → ${endText(change.after)}${check.ok ? '' : ' (past max-lease, by an admin)'}`);
  await reply(req, renderLeaseChange({ name: i.name, before: change.before, after: change.after, now: ctx.now(), byAdminPastMax: !check.ok }));
};

// ---- policy -------------------------------------------------------------------------------

function policyText(p: EffectivePolicy): string {
  return `lease ${formatDuration(p.leaseMs)}, max-lease ${p.maxLeaseMs === null ? 'none' : formatDuration(p.maxLeaseMs)}, on-expiry ${p.onExpiry}`;
}

const policyCommand: CommandHandler<'policy'> = async (req) => {
  const { ctx, command, actor } = req;
  const channelId = command.channelId ?? actor.channelId;
  if (!command.patch && !command.remove) {
    const defaultLeaseMs = ctx.leases.defaultLeaseMs;
    await reply(
      req,
      renderPolicies({
        policies: (await ctx.store.policies.list()).map((p) => effectivePolicy(p.channelId, p, defaultLeaseMs)),
        defaultLeaseMs,
        here: await ctx.leases.policyFor(channelId),
        sandbox: ctx.sandbox,
      }),
    );
    return;
  }
  const audit = (outcome: 'ok' | 'refused', detail: string) =>
    ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'policy', outcome, detail: `<#${channelId}>: ${detail}` });
  const auth = await ctx.guard.authorize(actor, 'admin');
  if (!auth.allowed) {
    await audit('refused', auth.reason ?? 'not allowed');
    return reply(req, renderRefusal(auth));
  }
  const before = await ctx.leases.policyFor(channelId);
  if (command.remove) {
    await ctx.store.policies.remove(channelId);
    await audit('ok', `${policyText(before)} → the defaults`);
    return reply(req, renderPolicyChange({ channelId, before, after: null }));
  }
  const result = await ctx.store.policies.update(channelId, command.patch!, actor.userId, (merged) => policyProblem(merged, ctx.leases.defaultLeaseMs));
  if ('refused' in result) {
    await req.respond({ response_type: 'ephemeral', text: `⛔ ${result.refused} Nothing changed.` });
    return;
  }
  const after = await ctx.leases.policyFor(channelId);
  await audit('ok', `${before.custom ? policyText(before) : 'the defaults'} → ${policyText(after)}`);
  await reply(req, renderPolicyChange({ channelId, before, after }));
};

export const feature: Feature = {
  name: 'leases',
  commands: { lease: leaseCommand, policy: policyCommand },
};

