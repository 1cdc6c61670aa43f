import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';
import { FEATURES } from '../../handlers';

/** Modal submissions: each feature's callback ids, bound once. */
export function register(app: App, ctx: BotContext): void {
  for (const feature of FEATURES) {
    for (const { callbackId, listener } of feature.views ?? []) {
      app.view({ callback_id: callbackId, type: 'view_submission' }, listener(ctx) as never);
    }
  }
}
