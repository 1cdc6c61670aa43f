/**
 * `/gpu watch <instance>`: watch an instance created elsewhere (console, API, another bot user)
 * from this channel. The bot posts the living status message here (the watcher edits it in place
 * and replies in its thread when the instance is ready), exactly as after a deploy through the bot.
 * When the bot cannot post here, the user is told how to invite it and the message goes to a DM.
 */
import type { InstanceDetail, PlanOffer } from '../../fluence/model';
import type { Quantity } from '../../fluence/schemas';
import type { AuditEntryInput } from '../../store/audit';
import type { WatchRecord } from '../../store/watches';
import type { BotContext } from '../context';
import { codeSpan, gpuWithCount } from '../views/format';
import { renderInstanceStatusMessage } from '../views/status-message';
import { refusalText } from './deploy';
import type { Feature } from './feature';
import { knownPrice, resolveOrExplain, type RequestWith } from './instances';
import type { SlackActor } from './types';

const code = (name: string) => codeSpan(name, 100);

/** "in <#C123>" or "in a direct message": where an existing watch posts. */
function where(w: WatchRecord): string {
  return /^D/.test(w.channelId) ? 'in a direct message with you' : `in <#${w.channelId}>`;
}

function audit(
  ctx: BotContext,
  actor: SlackActor,
  outcome: AuditEntryInput['outcome'],
  i: Partial<Pick<InstanceDetail, 'id' | 'name' | 'type'>>,
  extra: { detail?: string; pricePerHour?: number } = {},
): Promise<void> {
  return ctx.guard.audit({
    actorId: actor.userId,
    channelId: actor.channelId,
    action: 'watch',
    instanceId: i.id ?? null,
    instanceName: i.name ?? null,
    type: i.type ?? null,
    pricePerHour: extra.pricePerHour ?? null,
    outcome,
    detail: extra.detail ?? null,
  });
}

/**
 * The hourly price of an instance the bot did not deploy. Fluence reports `billing.hourly_usage`
 * only once it is ACTIVE (0 before), so a provisioning instance is priced by the catalogue offer with
 * the same GPU, resources (and location); 0 when none matches unambiguously.
 */
async function priceOf(ctx: BotContext, i: InstanceDetail): Promise<number> {
  const known = await knownPrice(ctx, i.id);
  if (known !== null) return known;
  if (i.billing && i.billing.hourly_usage > 0) return i.billing.hourly_usage;
  const offers = await ctx.plans.offers(i.type).catch(() => [] as PlanOffer[]);
  const prices = new Set(offers.filter((o) => sameMachine(o, i)).map((o) => o.pricePerHour));
  return prices.size === 1 ? [...prices][0]! : 0;
}

function sameMachine(o: PlanOffer, i: InstanceDetail): boolean {
  const q = (a: Quantity, b: Quantity) => a.count === b.count && a.units.toLowerCase() === b.units.toLowerCase();
  return (
    o.gpu.model.toLowerCase() === i.gpu.model.toLowerCase() &&
    o.gpu.count === i.gpu.count &&
    o.vcpu === i.vcpu &&
    q(o.memory, i.memory) &&
    q(o.storage, i.storage) &&
    (i.location === null || o.locations.some((l) => l.toLowerCase() === i.location!.toLowerCase()))
  );
}

const watchCommand = async ({ ctx, command, actor, respond, client }: RequestWith<{ instance: string }>): Promise<void> => {
  const auth = await ctx.guard.authorize(actor, 'watch');
  if (!auth.allowed) {
    await audit(ctx, actor, 'refused', {}, { detail: `watch ${command.instance}: ${auth.reason ?? 'not allowed'}` });
    await respond({ response_type: 'ephemeral', text: refusalText(auth.reason, auth.admins) });
    return;
  }
  const found = await resolveOrExplain(ctx, command.instance, respond);
  if (!found) return;

  const existing = await ctx.store.watches.get(found.id);
  if (existing?.state === 'watching') {
    await respond({ response_type: 'ephemeral', text: `👀 ${code(found.name)} is already being watched ${where(existing)}: I will reply in that thread when it is ready.` });
    return;
  }

  const instance = await ctx.fluence.getInstance(found.type, found.id);
  if (instance.state === 'ended' || instance.state === 'failed') {
    const why =
      instance.state === 'ended'
        ? 'has already ended: there is nothing to watch.'
        : 'has already failed: there is nothing to watch (the reserve of a failed deploy is refunded).';
    await respond({ response_type: 'ephemeral', text: `${instance.state === 'ended' ? '⚫' : '🔴'} ${code(instance.name)} ${why}` });
    return;
  }
  if (existing) {
    // a finished watch is kept (exactly-once replies): the store would return it unchanged
    await respond({
      response_type: 'ephemeral',
      text: `I already watched ${code(instance.name)} ${where(existing)} until it ${existing.outcome === 'gave_up' ? 'took too long and I gave up' : `was ${existing.outcome ?? 'done'}`}. See \`/gpu status ${instance.id.slice(0, 8)}\`.`,
    });
    return;
  }

  const pricePerHour = await priceOf(ctx, instance);
  const planLabel = gpuWithCount(instance.gpu);
  const message = renderInstanceStatusMessage({
    name: instance.name,
    type: instance.type,
    requesterId: actor.userId,
    planLabel,
    pricePerHour,
    status: instance.status,
    state: instance.state,
    sandbox: ctx.sandbox,
    updatedAt: ctx.now(),
  });

  let posted = await ctx.notifier.post(actor.channelId, message);
  if (!posted.ok && posted.reason === 'not_in_channel') {
    await respond({
      response_type: 'ephemeral',
      text: `I can't post in this channel, so I will follow ${code(instance.name)} in a direct message instead. To get updates here, invite me with \`/invite @gpu-bot\` and run \`/gpu watch\` again.`,
    });
    posted = await ctx.notifier.dm(actor.userId, message);
  }
  if (!posted.ok || !posted.ts || !posted.channel) {
    const reason = posted.ok ? 'Slack returned no message id' : (posted.error ?? posted.reason);
    ctx.logger.warn({ instanceId: instance.id, reason }, 'watch: could not post the status message');
    await audit(ctx, actor, 'error', instance, { detail: `could not post the status message: ${reason}` });
    await respond({ response_type: 'ephemeral', text: `❌ I could not post the status message for ${code(instance.name)} (${reason}), so I am not watching it. Please try again.` });
    return;
  }

  const watch = await ctx.watcher.watchPatiently({
    instanceId: instance.id,
    type: instance.type,
    teamId: actor.teamId,
    channelId: posted.channel,
    messageTs: posted.ts,
    requesterId: actor.userId,
    name: instance.name,
    planLabel,
    pricePerHour,
    createdAt: Date.parse(instance.createdAt),
    status: instance.status,
  });
  if (watch.messageTs !== posted.ts) {
    // someone else's `/gpu watch` of the same instance won the race: keep theirs, remove ours
    ctx.logger.debug({ instanceId: instance.id }, 'watch: lost a concurrent watch race');
    await client.chat.delete({ channel: posted.channel, ts: posted.ts }).catch((err: unknown) => ctx.logger.debug({ err }, 'watch: could not delete the duplicate'));
    await respond({ response_type: 'ephemeral', text: `👀 ${code(instance.name)} is already being watched ${where(watch)}.` });
    return;
  }
  await audit(ctx, actor, 'ok', instance, { pricePerHour, ...(posted.channel === actor.channelId ? {} : { detail: 'status message in a DM' }) });
};

export const feature: Feature = {
  name: 'watch',
  commands: { watch: watchCommand },
};
