/**
 * Clicks on the App Home go to the same handlers as the same buttons in a channel (one path for
 * roles, confirmations and audit), but a Home click carries no response_url and no channel. This
 * adapts such a click before its handler sees it:
 *  - the clicker acts as from their DM with the bot (no channel grant applies, like the Home's own
 *    view of their role), and the answer is one only they read;
 *  - `respond(...)` posts in the clicker's DM with the bot (the app's Messages tab) instead;
 *  - afterwards the clicker's Home is re-published (debounced), so it shows what the click changed.
 * Clicks anywhere else pass through untouched.
 */
import type { RespondArguments } from '@slack/bolt';
import type { BotContext } from './context';
import type { ActionListener } from './handlers/feature';

type ActionArgs = Parameters<ActionListener>[0];

export function isHomeClick(body: { container?: { type?: string }; view?: { type?: string } }): boolean {
  return body.container?.type === 'view' && body.view?.type === 'home';
}

export function homeAware(ctx: BotContext, listener: ActionListener): ActionListener {
  return async (args: ActionArgs) => {
    if (!isHomeClick(args.body)) return listener(args);
    const userId = args.body.user.id;
    const body = {
      ...args.body,
      channel: { id: userId, name: 'app-home' },
      container: { ...args.body.container, is_ephemeral: true },
    } as ActionArgs['body'];
    const respond = async (m: string | RespondArguments) => {
      const msg = typeof m === 'string' ? { text: m } : m;
      if (msg.delete_original) return;
      const { response_type: _t, replace_original: _r, delete_original: _d, ...content } = msg as RespondArguments & Record<string, unknown>;
      await args.client.chat.postMessage({ channel: userId, unfurl_links: false, ...(content as { text: string }) });
    };
    try {
      await listener({ ...args, body, respond: respond as unknown as ActionArgs['respond'] });
    } finally {
      ctx.home.userChanged(userId);
    }
  };
}
