import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';
import { FEATURES } from '../../handlers';

/** Buttons and selects: each feature's action ids, bound once. */
export function register(app: App, ctx: BotContext): void {
  for (const feature of FEATURES) {
    for (const { actionId, listener } of feature.actions ?? []) {
      app.action(actionId, listener(ctx) as never);
    }
  }
}
