/** What the Slack stand-in (slack-web-api.ts) records and offers to tests. */
import type { ChannelInput, StandinChannel } from './channels';

export interface RecordedCall {
  method: string;
  args: Record<string, any>;
  at: number;
  /** Bearer token the caller used (tests may assert which token; never print it). */
  token?: string;
  /** The error code the stand-in answered with, when it did not answer ok. */
  error?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: any[];
  attachments?: any[];
  user: string;
  bot_id: string;
  edited?: { user: string; ts: string };
  /** Everything else the bot sent (metadata, unfurl flags, ...). */
  [k: string]: unknown;
}

/** A payload the stand-in refused the way Slack would (Block Kit limits, message text, view shape). */
export interface BlockKitRejection {
  /** `chat.postMessage`, `views.update`, `response_url`, `view_submission ack`, ... */
  where: string;
  error: string;
  /** Slack's wording: `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`. */
  errors: string[];
  at: number;
}

export interface FailAnswer {
  error: string;
  /** 429 sends HTTP 429 with Retry-After (how @slack/web-api detects rate limits); otherwise HTTP 200 {ok:false}. */
  status?: number;
  retryAfterSeconds?: number;
  /** Fail this many calls, then answer normally again; omitted = always. */
  times?: number;
  /** Only calls whose `channel` argument is this (e.g. an archived channel or one the bot is not in). */
  channel?: string;
}

/** Where a response URL came from, so replace_original / in_channel land where Slack would put them. */
export interface ResponseOrigin {
  channel?: string;
  messageTs?: string;
}

export interface SlackStandin {
  apiUrl: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** response_url posts Slack accepted (refused ones are in `rejections` only, as Slack shows nothing). */
  responses: Array<{ id: string; body: any; at: number }>;
  /**
   * Every payload refused for breaking Block Kit limits, from any path. The test harness fails a
   * test that leaves one here, so every e2e test also checks that what the bot sends is valid.
   */
  rejections: BlockKitRejection[];
  responseUrl(id?: string, origin?: ResponseOrigin): string;
  fail(method: string, answer: FailAnswer): void;
  /** Custom answer for one method (e.g. apps.connections.open in a Socket Mode test). */
  handle(method: string, answer: (args: Record<string, any>) => Record<string, any>): void;
  waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  reset(): void;
  stop(): Promise<void>;
  messages(channel?: string): StoredMessage[];
  views(): Map<string, any>;
  /** The App Home `userId` sees now (their last views.publish), or undefined. */
  homeOf(userId: string): any;
  /** A fresh trigger_id (single use, expires like Slack's); `viewId` ties it to a modal for views.push. */
  newTriggerId(viewId?: string): string;
  /** What Slack does with a view_submission ack: update/push the modal, or close it. SlackUser calls this. */
  applyViewSubmissionAck(viewId: string, ack: any): void;
  botUserId: string;
  botId: string;
  teamId: string;
  /** Registers a channel with its members: posts there are then answered as Slack would (channels.ts). */
  addChannel(channel: ChannelInput): StandinChannel;
  channel(id: string): StandinChannel | undefined;
  /** Callback ids of the app's global shortcuts (the manifest's); Slack sends no others. */
  globalShortcuts: readonly string[];
}

export interface SlackStandinOptions {
  /** The app's global shortcuts (manifest `features.shortcuts`, type global): their callback ids. */
  globalShortcuts?: readonly string[];
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Slack's trigger_ids expire after 3 s; views.open/push after that get expired_trigger_id. */
  triggerTtlMs?: number;
}
