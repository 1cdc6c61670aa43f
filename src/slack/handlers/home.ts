/**
 * The App Home (issue 12 §1): building and publishing a user's Home, and the one button of its own
 * ("My SSH key"). Everything else on the Home reuses the buttons of the other features (Open,
 * Terminate, Approve / Deny, Deploy, Browse plans, lease Extend) with their handlers, authorised at
 * the click; home-actions.ts answers those clicks in the clicker's DM with the bot, since a Home
 * click has no response_url.
 */
import type { WebClient } from '@slack/web-api';
import { gatherHome } from '../../services/home';
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import { renderHome, type HomeViewOptions } from '../views/home';
import type { ActionListener, Feature } from './feature';
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

export const SSH_KEY_HELP =
  '🔑 *Your SSH key*\n' +
  '• `/gpu key` shows the key saved for you (its type and SHA256 fingerprint)\n' +
  '• `/gpu key set` saves one: an OpenSSH *public* key (ed25519, ecdsa, or rsa of 2048 bits or more)\n' +
  '• `/gpu key clear` forgets it\n' +
  'VM and bare-metal deploys need a public key; the deploy form offers the saved one.';

/** "My SSH key" on the Home: how to manage it (the key modal itself is `/gpu key set`). */
const onSshKey = (_ctx: BotContext): ActionListener => async ({ ack, respond }) => {
  await ack();
  await respond({ response_type: 'ephemeral', replace_original: false, text: SSH_KEY_HELP });
};

export const feature: Feature = {
  name: 'home',
  actions: [{ actionId: ACTION.homeSshKey, listener: onSshKey }],
};
