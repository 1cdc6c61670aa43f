/**
 * The NoticeSender the outbox delivery (src/background/delivery.ts) uses: renders a notice with the
 * renderer table and sends it through a WatchNotifier. Give it the notifier over its OWN WebClient
 * with `rejectRateLimitedCalls: true` and no retries (watch-notifier.ts): a 429 comes back at once and
 * the outbox waits Retry-After with the same stored notice, instead of the client retrying behind our
 * back (a possible duplicate) or pausing every other call.
 */
import type { NoticeSender, SendResult } from '../../background/delivery';
import type { Notice, NoticeKind } from '../../background/notices';
import type { NotifyResult, WatchNotifier } from '../../watch/notifier';
import { withDmNote } from '../views/watch-replies';
import { laneOf, render, type RenderContext, type RendererTable } from './registry';

export function slackNoticeSender(notifier: WatchNotifier, renderers: RendererTable<NoticeKind>, ctx: RenderContext): NoticeSender {
  const result = (res: NotifyResult, via: string): SendResult => {
    if (res.ok) return { ok: true, via, ...(res.ts ? { ts: res.ts } : {}), ...(res.channel ? { channel: res.channel } : {}) };
    if (res.reason === 'rate_limited') return { ok: false, reason: 'rate_limited', ...(res.retryAfterSeconds !== undefined ? { retryAfterSeconds: res.retryAfterSeconds } : {}) };
    return { ok: false, reason: 'error', error: res.error ?? res.reason };
  };
  return {
    laneOf,
    async send(notice: Notice): Promise<SendResult> {
      const out = await render(renderers, notice, ctx);
      if (!out) return { ok: false, reason: 'drop', error: 'nothing_to_send' };
      switch (out.op) {
        case 'update': {
          // no deploy message to edit (its announcement could not be posted): the replies carry the news
          if (!out.to.messageTs) return { ok: false, reason: 'drop', error: 'no_message' };
          const res = await notifier.updateStatus(out.to, out.message);
          // the message cannot be edited any more; the thread replies (as DMs) carry the news
          if (!res.ok && res.reason === 'not_in_channel') return { ok: false, reason: 'drop', error: 'not_in_channel' };
          return result(res, 'update');
        }
        case 'reply': {
          const res = await notifier.reply(out.to, out.message);
          if (!res.ok && res.reason === 'not_in_channel') return result(await notifier.dm(out.to.requesterId, withDmNote(out.message, out.to.channelId)), 'dm');
          return result(res, 'thread');
        }
        case 'post': {
          const res = await notifier.post(out.channel, out.message);
          if (!res.ok && res.reason === 'not_in_channel' && out.dmFallback) return result(await notifier.dm(out.dmFallback, withDmNote(out.message, out.channel)), 'dm');
          return result(res, 'channel');
        }
        case 'dm':
          return result(await notifier.dm(out.userId, out.message), 'dm');
      }
    },
  };
}
