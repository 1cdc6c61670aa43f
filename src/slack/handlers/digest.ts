/**
 * `/gpu digest` shows where and when the daily spend digest goes (everyone); `/gpu digest #channel
 * on|off` switches a channel (admins, audited as a channel setting, action `policy`, detail
 * "digest #channel on", refusals too). The digest itself is a background job (services/digest-job.ts).
 */
import { renderDigestChange, renderDigestSettings } from '../views/digest';
import { renderRefusal } from '../views/guardrails';
import type { Feature } from './feature';
import type { CommandHandler } from './types';

const digestCommand: CommandHandler<'digest'> = async ({ ctx, command, actor, respond }) => {
  const { DIGEST_TIME: time, DIGEST_TZ: tz, DIGEST_CHANNEL } = ctx.config;
  if (command.channelId === undefined || command.on === undefined) {
    const view = renderDigestSettings({ time, tz, configured: DIGEST_CHANNEL ?? null, optedIn: await ctx.store.digests.optedIn() }, ctx.sandbox);
    await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
    return;
  }
  const target = `<#${command.channelId}>`;
  const auth = await ctx.guard.authorize(actor, 'admin');
  if (!auth.allowed) {
    await ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'policy', outcome: 'refused', detail: `digest ${target} ${command.on ? 'on' : 'off'}: ${auth.reason ?? ''}` });
    const view = renderRefusal(auth);
    await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
    return;
  }
  const { changed } = await ctx.store.digests.setOptIn(command.channelId, command.on, actor.userId);
  await ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'policy', outcome: 'ok', detail: `digest ${target} ${command.on ? 'on' : 'off'}${changed ? '' : ' (unchanged)'}` });
  const view = renderDigestChange({ channelId: command.channelId, on: command.on, changed, time, tz });
  await respond({ response_type: 'ephemeral', text: view.text, blocks: view.blocks });
};

export const feature: Feature = {
  name: 'digest',
  commands: { digest: digestCommand },
};
