import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';
import { FEATURES } from '../../handlers';
import { homeAware } from '../../home-actions';

/** Buttons and selects: each feature's action ids, bound once (clicked on the App Home too: home-actions.ts). */
export function register(app: App, ctx: BotContext): void {
  for (const feature of FEATURES) {
    for (const { actionId, listener } of feature.actions ?? []) {
      app.action(actionId, homeAware(ctx, listener(ctx)) as never);
    }
  }
}
