/**
 * The App Home (issue 12 §1): building and publishing a user's Home, and its Deploy button. Every
 * other button on it is another feature's (Open, Terminate, Approve / Deny, Browse plans, My SSH key,
 * lease Extend), handled there and authorised at the click; home-actions.ts answers those clicks in the clicker's DM with the
 * bot, since a Home click has no response_url.
 */
import type { WebClient } from '@slack/web-api';
import { gatherHome } from '../../services/home';
import type { BotContext } from '../context';
import { renderHome, type HomeViewOptions } from '../views/home';
import { encodeLeaseRef } from '../views/lease-reminders';
import { ACTION } from '../ids';
import { openOrExplain } from './deploy';
import { lastChannelOf } from './deploy-shortcut';
import type { ActionListener, Feature } from './feature';
import { hourlyBurn } from './guardrails/commands';
import { clickerTeam } from './instance-target';

/** Buttons of other features the Home offers: the lease reminder's Extend 2 h (its handler checks role and max-lease at the click). */
export const homeViewOptions: HomeViewOptions = {
  extend: { text: 'Extend 2 h', actionId: ACTION.leaseExtend2h, value: (i) => encodeLeaseRef(i.type, i.id, i.lease.endsAt) },
};

/** Gathers the Home of `userId` and publishes it (views.publish). Rejects when Slack refuses. */
export async function publishHome(ctx: BotContext, client: WebClient, userId: string): Promise<void> {
  const data = await gatherHome(
    {
      fluence: ctx.fluence,
      instances: ctx.instances,
      store: ctx.store,
      guard: ctx.guard,
      sandbox: ctx.sandbox,
      now: ctx.now,
      burnOf: (listing) => hourlyBurn(ctx, listing),
      channelBurnPerHour: (channelId) => ctx.deploys.channelBurnPerHour(channelId),
    },
    userId,
  );
  await client.views.publish({ user_id: userId, view: renderHome(data, homeViewOptions) });
}

/**
 * "Deploy" on the Home: the Home is no channel, so the form is the one of the "Deploy a GPU"
 * shortcut, with its channel picker starting on the user's last channel; the picked channel's role,
 * budget, approvals and lease policy apply at submit, as for a deploy typed there.
 */
const onDeploy = (ctx: BotContext): ActionListener => async ({ ack, body, client, respond }) => {
  await ack();
  const userId = body.user.id;
  const actor = { userId, channelId: (await lastChannelOf(ctx, userId)) ?? '', teamId: clickerTeam(body) };
  await openOrExplain(ctx, { client, triggerId: body.trigger_id, actor, pick: true }, (m) => respond({ ...m, replace_original: false }));
};

export const feature: Feature = {
  name: 'home',
  actions: [{ actionId: ACTION.homeDeploy, listener: onDeploy }],
};
