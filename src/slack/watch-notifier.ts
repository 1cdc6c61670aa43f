/**
 * WatchNotifier over the Slack Web API. Give it its OWN WebClient built with
 * `rejectRateLimitedCalls: true` and `retryConfig: { retries: 0 }` (BOLT.md pitfall 9): a 429 then
 * comes back at once as `rate_limited` + Retry-After and the watcher keeps the message pending,
 * instead of the client pausing its whole queue or retrying behind our back (a possible duplicate).
 * Never throws: every failure becomes a NotifyResult the watcher stores.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log';
import type { NotifyResult, WatchMessage, WatchNotifier, WatchTarget } from '../watch/notifier';

/** Slack errors that mean "this bot cannot write in that channel": fall back to a DM. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

export interface SlackWatchNotifierOptions {
  client: WebClient;
  logger?: Logger;
}

export class SlackWatchNotifier implements WatchNotifier {
  constructor(private readonly o: SlackWatchNotifierOptions) {}

  async updateStatus(target: WatchTarget, message: WatchMessage): Promise<NotifyResult> {
    return this.call(() =>
      this.o.client.chat.update({ channel: target.channelId, ts: target.messageTs, text: message.text, blocks: message.blocks }),
    );
  }

  async reply(target: WatchTarget, message: WatchMessage): Promise<NotifyResult> {
    const args = {
      channel: target.channelId,
      thread_ts: target.messageTs,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    };
    // a broadcast reply is also shown in the channel (a lease's expiry notice)
    return this.call(() => this.o.client.chat.postMessage(message.broadcast ? { ...args, reply_broadcast: true } : args));
  }

  async post(channelId: string, message: WatchMessage): Promise<NotifyResult> {
    return this.call(() =>
      this.o.client.chat.postMessage({ channel: channelId, text: message.text, ...blocksOf(message), unfurl_links: false, unfurl_media: false }),
    );
  }

  async dm(userId: string, message: WatchMessage): Promise<NotifyResult> {
    let channel: string | undefined;
    const opened = await this.call(async () => {
      const res = await this.o.client.conversations.open({ users: userId });
      channel = res.channel?.id;
      return res;
    });
    if (!opened.ok) return opened.reason === 'not_in_channel' ? { ok: false, reason: 'error', error: opened.error ?? 'dm_unavailable' } : opened;
    if (!channel) return { ok: false, reason: 'error', error: 'conversations.open returned no channel' };
    const dmChannel = channel;
    return this.call(() =>
      this.o.client.chat.postMessage({ channel: dmChannel, text: message.text, ...blocksOf(message), unfurl_links: false, unfurl_media: false }),
    );
  }

  private async call(fn: () => Promise<{ ok?: boolean; ts?: string; channel?: unknown; error?: string }>): Promise<NotifyResult> {
    try {
      const res = await fn();
      if (res.ok === false) return this.failure(res.error ?? 'unknown_error');
      return {
        ok: true,
        ...(res.ts ? { ts: res.ts } : {}),
        ...(typeof res.channel === 'string' ? { channel: res.channel } : {}),
      };
    } catch (err) {
      return this.fromError(err);
    }
  }

  private fromError(err: unknown): NotifyResult {
    const e = err as { code?: string; retryAfter?: number; data?: { error?: string }; message?: string };
    if (e.code === 'slack_webapi_rate_limited_error') {
      return { ok: false, reason: 'rate_limited', retryAfterSeconds: typeof e.retryAfter === 'number' ? e.retryAfter : 1 };
    }
    if (e.code === 'slack_webapi_platform_error' && e.data?.error) return this.failure(e.data.error);
    // network error, HTTP 5xx, timeout: retried on a later cycle
    return { ok: false, reason: 'error', error: e.code ?? e.message ?? 'unknown' };
  }

  private failure(code: string): NotifyResult {
    if (CANNOT_POST.has(code)) return { ok: false, reason: 'not_in_channel', error: code };
    if (code === 'ratelimited' || code === 'rate_limited') return { ok: false, reason: 'rate_limited', retryAfterSeconds: 1 };
    this.o.logger?.debug({ slackError: code }, 'Slack refused a watch message');
    return { ok: false, reason: 'error', error: code };
  }
}

/** A text-only message is sent without `blocks` (an empty array is not a layout Slack documents). */
function blocksOf(message: WatchMessage): { blocks?: WatchMessage['blocks'] } {
  return message.blocks.length ? { blocks: message.blocks } : {};
}
