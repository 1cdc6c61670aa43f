import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';
import { FEATURES } from '../../handlers';

/** Global shortcuts (manifest.yml `features.shortcuts`): each feature's callback ids, bound once. */
export function register(app: App, ctx: BotContext): void {
  for (const feature of FEATURES) {
    for (const { callbackId, listener } of feature.shortcuts ?? []) {
      app.shortcut({ callback_id: callbackId, type: 'shortcut' }, listener(ctx) as never);
    }
  }
}
