import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';

/** Events API: the App Home tab was opened (the Messages tab is a DM and needs nothing here). */
export function register(app: App, ctx: BotContext): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await ctx.home.opened(event.user);
  });
}
