import type { AckFn, App, SlackViewMiddlewareArgs, ViewResponseAction } from '@slack/bolt';
import type { BotContext } from '../../context';
import { FEATURES } from '../../handlers';

/**
 * Modal submissions: each feature's callback ids, bound once. A submission's ack is the HTTP
 * response (or Socket Mode reply) itself, so the masking fetch in front of the Web API never sees
 * it: the ack is masked here, in its text leaves, so a secret Fluence quotes back in a field
 * error (a 422 `msg`) or a re-rendered view does not reach Slack, whichever handler answers.
 */
export function register(app: App, ctx: BotContext): void {
  for (const feature of FEATURES) {
    for (const { callbackId, listener } of feature.views ?? []) {
      const handle = listener(ctx) as unknown as (args: SlackViewMiddlewareArgs) => Promise<void>;
      app.view({ callback_id: callbackId, type: 'view_submission' }, ((args: SlackViewMiddlewareArgs) => {
        const ack: AckFn<ViewResponseAction> = (response) => args.ack(response === undefined ? response : ctx.redactor.maskPayload(response));
        return handle({ ...args, ack: ack as SlackViewMiddlewareArgs['ack'] });
      }) as never);
    }
  }
}
