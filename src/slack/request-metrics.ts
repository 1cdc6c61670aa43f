/**
 * Slack-side measurements for `GET /metrics`: how long each request waited for its ack, how
 * each request ended (by type and name), and which of the bot's own posts failed. The outcome slot itself lives in src/metrics.ts
 * (`withOutcome`, `markOutcome`), so the Fluence observer can mark it too.
 */
import type { App, Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import { withOutcome, type Metrics, type SlackRequestType } from '../metrics';
import type { NotifyResult, WatchNotifier } from '../watch/notifier';

type Body = Record<string, unknown> & { type?: unknown; command?: unknown };

export function requestType(body: Body): SlackRequestType {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'shortcut':
    case 'message_action':
      return 'shortcut';
    case 'block_suggestion':
      return 'options';
    default:
      return 'event';
  }
}

/** A label-safe name: only ids the bot registered (or Slack's own event types); anything else is 'other'. */
function requestName(body: Body, type: SlackRequestType, known: ReadonlySet<string>): string {
  const pick = (id: unknown) => (typeof id === 'string' && known.has(id) ? id : 'other');
  switch (type) {
    case 'command':
      return 'gpu'; // gpu.ts names it by sub-command kind once parsed
    case 'action':
    case 'options': {
      const actions = body.actions as Array<{ action_id?: unknown }> | undefined;
      return pick(actions?.[0]?.action_id ?? body.action_id);
    }
    case 'view':
      return pick((body.view as { callback_id?: unknown } | undefined)?.callback_id);
    case 'shortcut':
      return pick(body.callback_id);
    default: {
      const event = body.event as { type?: unknown } | undefined;
      return typeof event?.type === 'string' && /^[a-z_]{1,40}$/.test(event.type) ? event.type : 'other';
    }
  }
}

/**
 * Global middleware: counts every request by type, name and outcome. `track` wraps the rest of the
 * chain (the bot's in-flight tracking); `known` lists the action and callback ids the bot binds.
 */
export function requestMetrics(metrics: Metrics, known: ReadonlySet<string>, track: (work: Promise<void>) => Promise<void>): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const type = requestType(body as Body);
    await withOutcome(
      () => track(next()),
      (outcome, name) => metrics.slackRequest(type, name ?? requestName(body as Body, type, known), outcome),
    );
  };
}

/**
 * Times each request from reaching Bolt (the receiver has read and verified it) to its ack, in
 * both modes: receivers hand every request to `app.processEvent` with the ack function in it.
 */
export function timeAcks(app: App, observe: (type: SlackRequestType, seconds: number) => void): void {
  const process = app.processEvent.bind(app);
  app.processEvent = (event) => {
    const started = performance.now();
    const ack = event.ack;
    let acked = false;
    event.ack = async (response) => {
      await ack(response);
      if (acked) return;
      acked = true;
      observe(requestType(event.body as Body), (performance.now() - started) / 1000);
    };
    return process(event);
  };
}

/**
 * The same notifier, counting each failed post/update/DM in gpu_bot_delivery_failures_total by
 * operation and reason (the notifier's closed set: not_in_channel, rate_limited, error).
 */
export function countingNotifier(inner: WatchNotifier, metrics: Metrics): WatchNotifier {
  const counted = async (op: string, res: Promise<NotifyResult>): Promise<NotifyResult> => {
    const r = await res;
    if (!r.ok) metrics.deliveryFailed(op, r.reason);
    return r;
  };
  return {
    updateStatus: (t, m) => counted('update_status', inner.updateStatus(t, m)),
    reply: (t, m) => counted('reply', inner.reply(t, m)),
    dm: (u, m) => counted('dm', inner.dm(u, m)),
    post: (c, m) => counted('post', inner.post(c, m)),
  };
}
