/**
 * Binds every Slack entry point (layout after Slack's bolt-ts-starter-template: one folder per
 * kind, each index exporting `register`). The features themselves live in ../handlers.
 */
import type { App } from '@slack/bolt';
import type { BotContext } from '../context';
import * as actions from './actions';
import * as commands from './commands';
import * as views from './views';

export function registerListeners(app: App, ctx: BotContext): void {
  // every request's whole handling (the ack and whatever follows it) is tracked, so shutdown and
  // tests can wait for handlers that are still working after their ack
  app.use(async ({ next }) => {
    await ctx.inflight.track(next());
  });
  commands.register(app, ctx);
  actions.register(app, ctx);
  views.register(app, ctx);
}
