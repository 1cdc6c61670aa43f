/**
 * The App Home (issue 12 §1): building and publishing a user's Home. Every button on it is another
 * feature's (Open, Terminate, Approve / Deny, Deploy, Browse plans, My SSH key, lease Extend), handled
 * there and authorised at the click; home-actions.ts answers those clicks in the clicker's DM with the
 * bot, since a Home click has no response_url.
 */
import type { WebClient } from '@slack/web-api';
import { gatherHome } from '../../services/home';
import type { BotContext } from '../context';
import { renderHome, type HomeViewOptions } from '../views/home';
import { hourlyBurn } from './guardrails/commands';

/** Which buttons of other features the Home offers (set where those features are wired). */
export const homeViewOptions: HomeViewOptions = {};

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
