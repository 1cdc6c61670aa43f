/**
 * `/gpu alert add|list|remove` and the buttons of plan-alert messages: Deploy (the deploy form with
 * the plan and location preselected, through the same path and role check as a plan's Deploy
 * button), Renew (expiry notice, list) and Remove (list). Everyone may set alerts; removing and
 * renewing is for the alert's owner and admins. The rules are services/plan-alerts.ts.
 */
import type { BlockAction } from '@slack/bolt';
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import type { MessageView } from '../views/blocks';
import {
  decodeAlertDeploy,
  renderAlertCreated,
  renderAlertLimit,
  renderAlertList,
  renderAlertRemoved,
  renderAlertRenewed,
} from '../views/plan-alerts';
import type { ChangeResult } from '../../services/plan-alerts';
import type { ActionListener, Feature } from './feature';
import { actionActor } from './instances';
import { openDeployFromClick } from './plans';
import type { CommandHandler, SlackActor } from './types';

const ephemeral = (view: MessageView, replace = false) => ({
  response_type: 'ephemeral' as const,
  replace_original: replace,
  text: view.text,
  blocks: view.blocks,
});

async function alertActor(ctx: BotContext, actor: SlackActor) {
  return { userId: actor.userId, teamId: actor.teamId, channelId: actor.channelId, isAdmin: (await ctx.guard.authorize(actor, 'admin')).allowed };
}

/** Why an alert could not be removed or renewed. */
function problem(r: Extract<ChangeResult, { ok: false }>, id: number, verb: 'remove' | 'renew'): string {
  if (r.reason === 'not_found') return `There is no plan alert ${id} (any more): \`/gpu alert list\` shows yours.`;
  return `⛔ Alert ${id} is <@${r.ownerId}>'s: only they or an admin can ${verb} it.`;
}

const alertCommand: CommandHandler<'alert'> = async ({ ctx, command, actor, respond }) => {
  const who = await alertActor(ctx, actor);
  const svc = ctx.planAlerts;
  switch (command.action) {
    case 'add': {
      const r = await svc.add(who, command.type, command.filters);
      const view = r.ok
        ? renderAlertCreated({ alert: r.alert, matchingNow: r.matchingNow, owned: r.owned, limit: svc.maxPerUser, ttlDays: svc.ttlDays, sandbox: ctx.sandbox })
        : renderAlertLimit(svc.maxPerUser, r.alerts);
      await respond(ephemeral(view));
      return;
    }
    case 'list':
      await respond(ephemeral(renderAlertList(await svc.list(actor.userId), ctx.now(), svc.maxPerUser, ctx.sandbox)));
      return;
    case 'remove': {
      const r = await svc.remove(who, command.id);
      await respond(r.ok ? ephemeral(renderAlertRemoved(r.alert, r.byOther)) : { response_type: 'ephemeral', text: problem(r, command.id, 'remove') });
      return;
    }
  }
};

const clickedId = (body: BlockAction): number | undefined => {
  const a = body.actions[0];
  const id = a?.type === 'button' && /^\d{1,9}$/.test(a.value ?? '') ? Number(a.value) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
};

const onDeploy = (ctx: BotContext): ActionListener => async ({ ack, body, client, respond }) => {
  await ack();
  const a = body.actions[0];
  const ref = a?.type === 'button' && a.value ? decodeAlertDeploy(a.value) : undefined;
  if (!ref) return; // not a value we wrote
  await openDeployFromClick(ctx, { body, client, respond }, { type: ref.type, planId: ref.planId, ...(ref.location ? { location: ref.location } : {}) });
};

const onRenew = (ctx: BotContext): ActionListener => async ({ ack, body, respond }) => {
  await ack();
  const id = clickedId(body);
  if (id === undefined) return;
  const r = await ctx.planAlerts.renew(await alertActor(ctx, actionActor(body)), id);
  await respond(r.ok ? ephemeral(renderAlertRenewed(r.alert)) : { response_type: 'ephemeral', replace_original: false, text: problem(r, id, 'renew') });
};

/** Remove on the (ephemeral) list: the list is shown again without it. */
const onRemove = (ctx: BotContext): ActionListener => async ({ ack, body, respond }) => {
  await ack();
  const id = clickedId(body);
  if (id === undefined) return;
  const actor = actionActor(body);
  const r = await ctx.planAlerts.remove(await alertActor(ctx, actor), id);
  if (!r.ok) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: problem(r, id, 'remove') });
    return;
  }
  await respond(ephemeral(renderAlertList(await ctx.planAlerts.list(actor.userId), ctx.now(), ctx.planAlerts.maxPerUser, ctx.sandbox), true));
};

export const feature: Feature = {
  name: 'plan-alerts',
  commands: { alert: alertCommand },
  actions: [
    { actionId: ACTION.alertDeploy, listener: onDeploy },
    { actionId: ACTION.alertRenew, listener: onRenew },
    { actionId: ACTION.alertRemove, listener: onRemove },
  ],
};
