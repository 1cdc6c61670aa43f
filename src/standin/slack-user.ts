/**
 * A Slack user, as the bot sees one: correctly signed HTTP requests to the bot's receiver, with
 * payloads shaped like Slack's (slash command form fields, `payload=<json>` interactivity),
 * trigger_ids and response_urls issued by the stand-in so follow-up calls are checked like Slack
 * would check them. Tests and the demo drive the bot only through this.
 */
import { createHmac } from 'node:crypto';
import { conversationTypeOf, filterAllows } from './conversation-select';
import type { SlackStandin } from './slack-web-api';
import { blocksOf, describe, findElement, findOption, inputState, stateValue, textOption, type Source } from './slack-user-elements';

export interface AckResult {
  status: number;
  /** Parsed JSON ack body, or the text (empty string for an empty ack). */
  body: any;
  ms: number;
  responseUrl?: string;
}

export interface SlackUserOptions {
  botUrl: string;
  signingSecret: string;
  standin: SlackStandin;
  userId?: string;
  userName?: string;
  channelId?: string;
  teamId?: string;
}


const FORM = 'application/x-www-form-urlencoded';
/** Legacy verification token; Bolt ignores it but Slack still sends it. */
const VERIFICATION_TOKEN = 'standin-verification-token';

export class SlackUser {
  private readonly opts: Required<SlackUserOptions>;
  /** Input state per view id, as Slack keeps it while the modal is open. */
  private readonly viewStates: Map<string, Record<string, Record<string, any>>>;

  constructor(opts: SlackUserOptions, viewStates?: Map<string, Record<string, Record<string, any>>>) {
    this.opts = {
      userId: 'U_USER',
      userName: 'user',
      channelId: 'C_GENERAL',
      teamId: opts.standin.teamId,
      ...opts,
    };
    this.viewStates = viewStates ?? new Map();
  }

  get userId(): string {
    return this.opts.userId;
  }
  get channelId(): string {
    return this.opts.channelId;
  }

  withUser(userId: string, userName = userId.toLowerCase()): SlackUser {
    return new SlackUser({ ...this.opts, userId, userName });
  }

  inChannel(channelId: string): SlackUser {
    return new SlackUser({ ...this.opts, channelId }, this.viewStates);
  }

  async command(text: string, opts: { command?: string; retryNum?: number } = {}): Promise<AckResult> {
    const responseUrl = this.opts.standin.responseUrl(undefined, { channel: this.opts.channelId });
    const form = new URLSearchParams({
      token: VERIFICATION_TOKEN,
      team_id: this.opts.teamId,
      team_domain: 'standin',
      channel_id: this.opts.channelId,
      channel_name: this.opts.channelId.toLowerCase(),
      user_id: this.opts.userId,
      user_name: this.opts.userName,
      command: opts.command ?? '/gpu',
      text,
      api_app_id: 'A_STANDIN',
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: this.opts.standin.newTriggerId(),
    });
    const result = await this.send(form.toString(), retryHeaders(opts.retryNum));
    return { ...result, responseUrl };
  }

  async clickButton(source: Source, actionId: string, opts: { value?: string; retryNum?: number } = {}): Promise<AckResult> {
    const found = findElement(blocksOf(source), actionId, opts.value);
    if (!found) throw new Error(`no element with action_id ${actionId}${opts.value ? ` and value ${opts.value}` : ''} in ${describe(source)}`);
    const { element, block } = found;
    const action: Record<string, any> = { type: element.type, action_id: actionId, block_id: block.block_id, action_ts: actionTs() };
    if (element.type === 'overflow') {
      const option = findOption(element, opts.value);
      if (!option) throw new Error(`overflow ${actionId} has no option ${opts.value}`);
      action.selected_option = option;
    } else {
      Object.assign(action, { text: element.text, value: element.value, ...(element.style ? { style: element.style } : {}) });
    }
    return this.sendAction(source, action, opts.retryNum);
  }

  /**
   * Picks an option in a select in a modal. Like Slack, a select inside an `input` block without
   * `dispatch_action: true` only changes the modal's state (sent with the submission): no request
   * reaches the bot and the result has status 0.
   */
  async selectOption(view: any, actionId: string, optionValue: string): Promise<AckResult> {
    const found = findElement(view?.blocks ?? [], actionId);
    if (!found) throw new Error(`no element with action_id ${actionId} in view ${view?.id}`);
    const { element, block } = found;
    const option = findOption(element, optionValue) ?? (element.type === 'external_select' ? textOption(optionValue) : undefined);
    if (!option) throw new Error(`select ${actionId} has no option ${optionValue}`);
    const state = this.stateOf(view.id);
    (state[block.block_id] ??= {})[actionId] = { type: element.type, selected_option: option };
    if (block.type === 'input' && block.dispatch_action !== true) return { status: 0, body: 'not dispatched (input block)', ms: 0 };
    const action = { type: element.type, action_id: actionId, block_id: block.block_id, selected_option: option, action_ts: actionTs() };
    return this.sendAction({ view }, action);
  }

  /**
   * Runs a global shortcut from the shortcuts menu (or the search bar). Slack offers only the
   * shortcuts the app declares, and the payload has no channel and no response_url: only a
   * trigger_id (3 s) to open a modal with.
   */
  async shortcut(callbackId: string): Promise<AckResult> {
    if (!this.opts.standin.globalShortcuts.includes(callbackId)) {
      throw new Error(`the app declares no global shortcut ${callbackId} (declared: ${this.opts.standin.globalShortcuts.join(', ') || 'none'}): Slack would not offer it`);
    }
    const payload = {
      type: 'shortcut',
      token: VERIFICATION_TOKEN,
      action_ts: actionTs(),
      team: { id: this.opts.teamId, domain: 'standin' },
      user: { id: this.opts.userId, username: this.opts.userName, team_id: this.opts.teamId },
      is_enterprise_install: false,
      enterprise: null,
      callback_id: callbackId,
      trigger_id: this.opts.standin.newTriggerId(),
    };
    return this.send(formPayload(payload));
  }

  /**
   * Picks a conversation in a conversations select of a modal, as Slack's menu allows: only one
   * of the filter's types, and only one this user can see (a private channel only as a member).
   * Dispatched to the bot like selectOption when the block asks for it.
   */
  async selectConversation(view: any, actionId: string, conversationId: string): Promise<AckResult> {
    const found = findElement(view?.blocks ?? [], actionId);
    if (!found) throw new Error(`no element with action_id ${actionId} in view ${view?.id}`);
    const { element, block } = found;
    if (element.type !== 'conversations_select') throw new Error(`${actionId} is a ${element.type}, not a conversations_select`);
    const channel = this.opts.standin.channel(conversationId);
    const type = conversationTypeOf(conversationId, channel?.isPrivate);
    if (!filterAllows(element.filter, type)) throw new Error(`the menu of ${actionId} does not list ${type} conversations (filter ${JSON.stringify(element.filter)})`);
    if (!isVisible(this.opts.standin, conversationId, this.opts.userId)) {
      throw new Error(`${this.opts.userId} cannot see ${conversationId}: Slack would not list it`);
    }
    const state = this.stateOf(view.id);
    (state[block.block_id] ??= {})[actionId] = { type: element.type, selected_conversation: conversationId };
    if (block.type === 'input' && block.dispatch_action !== true) return { status: 0, body: 'not dispatched (input block)', ms: 0 };
    const action = { type: element.type, action_id: actionId, block_id: block.block_id, selected_conversation: conversationId, action_ts: actionTs() };
    return this.sendAction({ view }, action);
  }

  /**
   * Submits a modal. `values[block_id][action_id]` is either a full state value ({ type, ... }) or
   * a shorthand (a string, or an array for multi-selects) turned into the shape Slack uses for that
   * element. Inputs not given keep what the user picked before, or their initial value, or null.
   */
  async submitView(view: any, values: Record<string, Record<string, any>> = {}, opts: { retryNum?: number } = {}): Promise<AckResult> {
    const state = this.stateOf(view.id);
    for (const [blockId, byAction] of Object.entries(values)) {
      for (const [actionId, value] of Object.entries(byAction)) {
        // the element of this block (many inputs share one action id, each in its own block)
        const blocks: any[] = view.blocks ?? [];
        const element = (findElement(blocks.filter((b) => b.block_id === blockId), actionId) ?? findElement(blocks, actionId))?.element;
        (state[blockId] ??= {})[actionId] = stateValue(element, value);
      }
    }
    const payload = {
      type: 'view_submission',
      ...this.who(),
      trigger_id: this.opts.standin.newTriggerId(view.id),
      view: { ...view, state: { values: inputState(view, state) } },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    const result = await this.send(formPayload(payload), retryHeaders(opts.retryNum));
    if (result.status === 200) {
      this.opts.standin.applyViewSubmissionAck(view.id, result.body);
      if (!(result.body && result.body.response_action === 'errors')) this.viewStates.delete(view.id);
    }
    return result;
  }

  /**
   * Opens the bot's App Home tab: an Events API `app_home_opened` callback (JSON, signed), as Slack
   * sends it over HTTP. `eventCallback` builds the same body for a Socket Mode `events_api` envelope.
   */
  async openHome(opts: { tab?: 'home' | 'messages'; retryNum?: number } = {}): Promise<AckResult> {
    return this.send(JSON.stringify(this.eventCallback(opts.tab ?? 'home')), { contentType: 'application/json', ...retryHeaders(opts.retryNum) });
  }

  eventCallback(tab: 'home' | 'messages' = 'home'): Record<string, any> {
    const { userId, teamId } = this.opts;
    const home = this.opts.standin.homeOf(userId);
    const now = Date.now() / 1000;
    return {
      token: VERIFICATION_TOKEN,
      team_id: teamId,
      api_app_id: 'A_STANDIN',
      event: {
        type: 'app_home_opened',
        user: userId,
        channel: `D${userId.replace(/^[UW]/, '')}`,
        tab,
        event_ts: now.toFixed(6),
        ...(tab === 'home' && home ? { view: home } : {}),
      },
      type: 'event_callback',
      event_id: `Ev${Math.floor(now * 1000).toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
      event_time: Math.floor(now),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: this.opts.standin.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  }

  /** Signs and POSTs `body`; the options break things on purpose for negative tests. */
  async send(
    body: string,
    opts: { contentType?: string; timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
  ): Promise<AckResult> {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = opts.signature ?? signSlackRequest(this.opts.signingSecret, timestamp, body);
    const started = Date.now();
    const res = await fetch(this.opts.botUrl, {
      method: 'POST',
      body,
      headers: {
        'content-type': opts.contentType ?? FORM,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...opts.headers,
      },
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : '';
    } catch {
      // plain-text ack: keep the text
    }
    return { status: res.status, body: parsed, ms: Date.now() - started };
  }

  private async sendAction(source: Source, action: Record<string, any>, retryNum?: number): Promise<AckResult> {
    const common = { type: 'block_actions', ...this.who(), actions: [action], is_enterprise_install: false, enterprise: null };
    if ('view' in source) {
      const view = source.view;
      const payload = {
        ...common,
        trigger_id: this.opts.standin.newTriggerId(view.id),
        container: { type: 'view', view_id: view.id },
        view: { ...view, state: { values: inputState(view, this.stateOf(view.id)) } },
      };
      return this.send(formPayload(payload), retryHeaders(retryNum));
    }
    const channel = source.channel ?? this.opts.channelId;
    const ephemeral = source.ts === undefined;
    const messageTs = source.ts ?? actionTs();
    const responseUrl = this.opts.standin.responseUrl(undefined, ephemeral ? { channel } : { channel, messageTs });
    const payload = {
      ...common,
      trigger_id: this.opts.standin.newTriggerId(),
      container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: ephemeral },
      channel: { id: channel, name: channel.toLowerCase() },
      message: { type: 'message', ts: messageTs, text: source.text ?? '', blocks: source.blocks, user: this.opts.standin.botUserId, bot_id: this.opts.standin.botId },
      state: { values: {} },
      response_url: responseUrl,
    };
    const result = await this.send(formPayload(payload), retryHeaders(retryNum));
    return { ...result, responseUrl };
  }

  private who() {
    const { userId, userName, teamId } = this.opts;
    return {
      user: { id: userId, username: userName, name: userName, team_id: teamId },
      team: { id: teamId, domain: 'standin' },
      api_app_id: 'A_STANDIN',
      token: VERIFICATION_TOKEN,
    };
  }

  private stateOf(viewId: string): Record<string, Record<string, any>> {
    let state = this.viewStates.get(viewId);
    if (!state) this.viewStates.set(viewId, (state = {}));
    return state;
  }
}

function isVisible(standin: SlackStandin, id: string, userId: string): boolean {
  const c = standin.channel(id);
  return !c || !c.isPrivate || c.members.includes(userId);
}

/** `v0=` + hex(HMAC_SHA256(secret, `v0:${ts}:${rawBody}`)): Slack's request signature. */
export function signSlackRequest(signingSecret: string, timestampSeconds: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;
}

function formPayload(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function retryHeaders(retryNum: number | undefined): { headers?: Record<string, string> } {
  return retryNum === undefined ? {} : { headers: { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } };
}

function actionTs(): string {
  return (Date.now() / 1000).toFixed(6);
}
