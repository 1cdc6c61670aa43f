/**
 * Plan browsing: `/gpu plans …` (filtered, cheapest first, paged), the Prev/Next buttons (the
 * page replaces the message it was clicked on), the Deploy button on each plan (the deploy modal
 * prefilled with that plan, opened with the click's trigger before any Fluence call), and
 * `/gpu images`.
 */
import type { BlockAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { WorkloadType } from '../../fluence/workload';
import { decodePlansQuery, type PlanFilters } from '../command';
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import { renderImages } from '../views/images';
import { renderPlanList } from '../views/plans';
import type { MessageView } from '../views/blocks';
import { openOrExplain, refusalText } from './deploy';
import type { ActionListener, Feature } from './feature';
import { reportFailure } from './failure';
import { actionActor, clickedRef } from './instances';
import type { CommandHandler } from './types';

export async function plansView(ctx: BotContext, type: WorkloadType, filters: PlanFilters, page: number): Promise<MessageView> {
  const result = await ctx.plans.browse(type, filters);
  return renderPlanList({
    type,
    offers: result.offers,
    filters,
    page,
    totalBeforeFilters: result.totalBeforeFilters,
    ...(result.emptyReason ? { emptyReason: result.emptyReason } : {}),
    sandbox: ctx.sandbox,
  });
}

/**
 * A Deploy button anywhere (help, a plan line): authorise as `/gpu deploy` does, then open the
 * modal with this click's trigger_id (it expires 3 s after the click).
 */
export async function openDeployFromClick(
  ctx: BotContext,
  args: { body: BlockAction; client: WebClient; respond: RespondFn },
  preset: { type?: WorkloadType; planId?: string; location?: string } = {},
): Promise<void> {
  const actor = actionActor(args.body);
  const auth = await ctx.guard.authorize(actor, 'deploy');
  if (!auth.allowed) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text: refusalText(auth.reason, auth.admins) });
    return;
  }
  await openOrExplain(ctx, { client: args.client, triggerId: args.body.trigger_id, actor, ...preset }, (m) =>
    args.respond({ ...m, replace_original: false }),
  );
}

const plansCommand: CommandHandler<'plans'> = async ({ ctx, command, respond }) => {
  await respond({ response_type: 'ephemeral', ...(await plansView(ctx, command.type, command.filters, command.page)) });
};

const imagesCommand: CommandHandler<'images'> = async ({ ctx, respond }) => {
  await respond({ response_type: 'ephemeral', ...renderImages(await ctx.plans.defaultImages()) });
};

const plansPage = (ctx: BotContext): ActionListener => async ({ ack, body, respond }) => {
  await ack();
  const action = body.actions[0];
  const query = action?.type === 'button' && action.value ? decodePlansQuery(action.value) : undefined;
  if (!query) return; // not a value we wrote: nothing sensible to page to
  try {
    await respond({ response_type: 'ephemeral', replace_original: true, ...(await plansView(ctx, query.type, query.filters, query.page)) });
  } catch (err) {
    await reportFailure(ctx, respond, err, 'list the plans');
  }
};

const deployPlan = (ctx: BotContext): ActionListener => async ({ ack, body, client, respond }) => {
  await ack();
  const ref = clickedRef(body);
  if (!ref) return;
  await openDeployFromClick(ctx, { body, client, respond }, { type: ref.type, planId: ref.id });
};

export const feature: Feature = {
  name: 'plans',
  commands: { plans: plansCommand, images: imagesCommand },
  actions: [
    { actionId: ACTION.plansPage, listener: plansPage },
    { actionId: ACTION.deployPlan, listener: deployPlan },
  ],
};
