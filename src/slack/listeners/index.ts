/**
 * Binds every Slack entry point (layout after Slack's bolt-ts-starter-template: one folder per
 * kind, each index exporting `register`). The features themselves live in ../handlers.
 */
import type { App } from '@slack/bolt';
import type { BotContext } from '../context';
import { FEATURES } from '../handlers';
import { requestMetrics } from '../request-metrics';
import * as actions from './actions';
import * as commands from './commands';
import * as shortcuts from './shortcuts';
import * as events from './events';
import * as views from './views';

export function registerListeners(app: App, ctx: BotContext): void {
  // every request's whole handling (the ack and whatever follows it) is tracked, so shutdown and
  // tests can wait for handlers that are still working after their ack; and counted for /metrics
  // by the ids bound here (nothing a request carries becomes a label)
  const known = new Set(
    FEATURES.flatMap((f) => [...(f.actions ?? []).map((a) => a.actionId), ...(f.views ?? []).map((v) => v.callbackId), ...(f.shortcuts ?? []).map((s) => s.callbackId)]),
  );
  app.use(requestMetrics(ctx.metrics, known, (work) => ctx.inflight.track(work)));
  commands.register(app, ctx);
  actions.register(app, ctx);
  views.register(app, ctx);
  shortcuts.register(app, ctx);
  events.register(app, ctx);
}
