/**
 * A local stand-in for the Slack Web API and for response URLs: a real node:http server on
 * 127.0.0.1:0 that answers the methods gpu-bot calls the way Slack does (ids, ts, hashes, error
 * codes, HTTP 429 + Retry-After) and records every call. Tests and the offline demo point
 * `clientOptions.slackApiUrl` / SLACK_API_URL at `apiUrl`; nothing here knows about gpu-bot.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage, checkView, describeViolation, type BlockKitRefusal } from './block-kit-limits';
import { ChannelRegistry } from './channels';
import type { BlockKitRejection, FailAnswer, RecordedCall, ResponseOrigin, SlackStandin, SlackStandinOptions, StoredMessage } from './slack-standin-types';
import { checkSubmissionErrors, compareTs, describeRejection, parseBody, readBody, send, SlackError, slackErrorBody, truncate, type Answer } from './slack-wire';

export type * from './slack-standin-types';
export { describeRejection } from './slack-wire';

const SLACK_BASE_TS = 1_700_000_000;


export async function startSlackStandin(opts: SlackStandinOptions = {}): Promise<SlackStandin> {
  const botUserId = opts.botUserId ?? 'U_BOT';
  const botId = opts.botId ?? 'B_BOT';
  const teamId = opts.teamId ?? 'T_TEAM';
  const triggerTtlMs = opts.triggerTtlMs ?? 3000;

  const calls: RecordedCall[] = [];
  const responses: Array<{ id: string; body: any; at: number }> = [];
  const rejections: BlockKitRejection[] = [];
  /** Records a refusal and throws it as Slack's answer (`errors` + `response_metadata.messages`). */
  const refuse = (where: string, refusal: BlockKitRefusal | undefined): void => {
    if (!refusal) return;
    const errors = refusal.violations.map(describeViolation);
    rejections.push({ where, error: refusal.error, errors, at: Date.now() });
    throw new SlackError(refusal.error, errors);
  };
  const failures = new Map<string, FailAnswer[]>();
  const channels = new ChannelRegistry(botUserId);
  const canPost = (channel: string) => {
    const error = channels.postError(channel);
    if (error) throw new SlackError(error);
  };
  const custom = new Map<string, (args: Answer) => Answer>();
  const stored: StoredMessage[] = [];
  const openViews = new Map<string, any>();
  /** The Home tab each user sees now (the last views.publish for them). */
  const homes = new Map<string, any>();
  const triggers = new Map<string, { issuedAt: number; viewId?: string; used: boolean }>();
  const origins = new Map<string, ResponseOrigin>();
  // Counters are never reset: ids and ts stay unique for the stand-in's whole life.
  let seq = 0;
  const next = () => ++seq;
  const nextTs = () => {
    const micros = next() * 100;
    return `${SLACK_BASE_TS + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  };
  const newViewId = () => `V${String(next()).padStart(8, '0')}`;
  const newHash = () => `${Date.now()}.${randomBytes(4).toString('hex')}`;

  const dmFor = (user: string) => `D${user.replace(/^[UW]/, '')}`;
  const resolveChannel = (channel: unknown): string => {
    if (typeof channel !== 'string' || channel === '') throw new SlackError('channel_not_found');
    return /^[UW]/.test(channel) ? dmFor(channel) : channel;
  };
  const findMessage = (channel: string, ts: unknown) => stored.find((m) => m.channel === channel && m.ts === ts);
  const messageFields = (args: Answer) => {
    const { channel: _c, ts: _t, token: _k, as_user: _a, ...rest } = args;
    return rest;
  };
  const useTrigger = (triggerId: unknown) => {
    const t = typeof triggerId === 'string' ? triggers.get(triggerId) : undefined;
    if (!t) throw new SlackError('invalid_trigger_id');
    if (t.used) throw new SlackError('exchanged_trigger_id');
    if (Date.now() - t.issuedAt > triggerTtlMs) throw new SlackError('expired_trigger_id');
    t.used = true;
    return t;
  };
  const depth = (view: any): number => {
    let d = 1;
    for (let v = view; v?.previous_view_id; v = openViews.get(v.previous_view_id)) d++;
    return d;
  };
  const storeView = (input: any, base: Answer): any => {
    if (!input || typeof input !== 'object') throw new SlackError('invalid_arguments');
    const view = {
      team_id: teamId,
      app_id: 'A_STANDIN',
      bot_id: botId,
      state: { values: {} },
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...base,
      ...input,
      hash: newHash(),
    };
    openViews.set(view.id, view);
    return view;
  };
  const viewFor = (args: Answer) => {
    const byId = args.view_id ? openViews.get(args.view_id) : undefined;
    const byExt = args.external_id ? [...openViews.values()].find((v) => v.external_id === args.external_id) : undefined;
    const view = byId ?? byExt;
    if (!view) throw new SlackError('not_found');
    return view;
  };

  const methods: Record<string, (args: Answer) => Answer> = {
    'auth.test': () => ({ url: 'https://standin.slack.local/', team: 'Stand-in', user: 'gpu-bot', team_id: teamId, user_id: botUserId, bot_id: botId, is_enterprise_install: false }),
    'chat.postMessage': (args) => {
      const channel = resolveChannel(args.channel);
      canPost(channel);
      refuse('chat.postMessage', checkMessage(args));
      const msg: StoredMessage = { ...messageFields(args), type: 'message', channel, ts: nextTs(), user: botUserId, bot_id: botId };
      if (args.thread_ts !== undefined) msg.thread_ts = String(args.thread_ts);
      stored.push(msg);
      return { channel, ts: msg.ts, message: { ...msg } };
    },
    'chat.update': (args) => {
      const channel = resolveChannel(args.channel);
      const msg = findMessage(channel, args.ts);
      if (!msg) throw new SlackError('message_not_found');
      canPost(channel);
      refuse('chat.update', checkMessage(args));
      const keep = { channel, ts: msg.ts, user: msg.user, bot_id: msg.bot_id, ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}) };
      const replaced: StoredMessage = { ...msg, ...messageFields(args), ...keep, edited: { user: botUserId, ts: nextTs() } };
      stored[stored.indexOf(msg)] = replaced;
      return { channel, ts: msg.ts, text: replaced.text, message: { ...replaced } };
    },
    'chat.delete': (args) => {
      const channel = resolveChannel(args.channel);
      const msg = findMessage(channel, args.ts);
      if (!msg) throw new SlackError('message_not_found');
      stored.splice(stored.indexOf(msg), 1);
      return { channel, ts: msg.ts };
    },
    // Ephemeral messages are not held by Slack: recorded in `calls` only.
    'chat.postEphemeral': (args) => {
      const ephemeralError = channels.ephemeralError(resolveChannel(args.channel), args.user);
      if (ephemeralError) throw new SlackError(ephemeralError);
      refuse('chat.postEphemeral', checkMessage(args));
      return { message_ts: nextTs() };
    },
    'chat.getPermalink': (args) => {
      const channel = resolveChannel(args.channel);
      return { channel, permalink: `https://standin.slack.local/archives/${channel}/p${String(args.message_ts ?? '').replace('.', '')}` };
    },
    'views.open': (args) => {
      useTrigger(args.trigger_id);
      refuse('views.open', checkView(args.view));
      const id = newViewId();
      return { view: storeView(args.view, { id, root_view_id: id, previous_view_id: null }) };
    },
    'views.push': (args) => {
      const trigger = useTrigger(args.trigger_id);
      const parent = trigger.viewId ? openViews.get(trigger.viewId) : undefined;
      if (!parent) throw new SlackError('invalid_trigger_id');
      if (depth(parent) >= 3) throw new SlackError('push_limit_reached');
      refuse('views.push', checkView(args.view));
      return { view: storeView(args.view, { id: newViewId(), root_view_id: parent.root_view_id, previous_view_id: parent.id }) };
    },
    'views.update': (args) => {
      const current = viewFor(args);
      if (args.hash !== undefined && args.hash !== current.hash) throw new SlackError('hash_conflict');
      refuse('views.update', checkView(args.view));
      const { id, root_view_id, previous_view_id, state, external_id } = current;
      return { view: storeView(args.view, { id, root_view_id, previous_view_id, state, external_id }) };
    },
    // [views.publish] publishes a Home tab view for one user: a user id, a `home` view (not a modal),
    // the Home's limits (100 blocks, its block types), `hash` of the view it replaces when given.
    'views.publish': (args) => {
      if (typeof args.user_id !== 'string' || args.user_id === '') throw new SlackError('invalid_arguments', ['[ERROR] missing required field: user_id']);
      if (!/^[UW][A-Z0-9_]+$/.test(args.user_id)) throw new SlackError('user_not_found');
      if (args.view?.type !== 'home') {
        refuse('views.publish', { error: 'invalid_arguments', violations: [{ pointer: '/view/type', message: 'must be home' }] });
      }
      refuse('views.publish', checkView(args.view));
      const id = `VH${args.user_id}`;
      const current = openViews.get(id);
      if (args.hash !== undefined && current && args.hash !== current.hash) throw new SlackError('hash_conflict');
      const view = storeView(args.view, { id, root_view_id: id, previous_view_id: null });
      homes.set(args.user_id, view);
      return { view };
    },
    'conversations.open': (args) => {
      const users = String(args.users ?? '').split(',').filter(Boolean);
      if (users.length !== 1) throw new SlackError(users.length ? 'not_supported' : 'users_list_not_supplied');
      return { channel: { id: dmFor(users[0]!) } };
    },
    'users.info': (args) => {
      if (typeof args.user !== 'string') throw new SlackError('user_not_found');
      const name = args.user.toLowerCase();
      return { user: { id: args.user, team_id: teamId, name, real_name: name, is_bot: false, deleted: false, tz: 'UTC', profile: { display_name: name, real_name: name } } };
    },
  };

  const answerFor = (method: string, args: Answer): { status: number; body: Answer; headers?: Record<string, string> } => {
    const queue = failures.get(method) ?? [];
    const failure = queue.find((f) => f.channel === undefined || f.channel === args.channel);
    if (failure) {
      if (failure.times !== undefined && --failure.times <= 0) queue.splice(queue.indexOf(failure), 1);
      if (failure.status === 429) {
        return { status: 429, body: { ok: false, error: failure.error }, headers: { 'Retry-After': String(failure.retryAfterSeconds ?? 1) } };
      }
      return { status: failure.status ?? 200, body: { ok: false, error: failure.error } };
    }
    const handler = custom.get(method) ?? methods[method];
    if (!handler) return { status: 200, body: { ok: false, error: 'unknown_method' } };
    try {
      return { status: 200, body: { ok: true, ...handler(args) } };
    } catch (err) {
      if (err instanceof SlackError) return { status: 200, body: slackErrorBody(method, err) };
      return { status: 200, body: { ok: false, error: 'internal_error', detail: String(err) } };
    }
  };

  /** Slack answers a refused response_url post with HTTP 400 and the bare error code (no details). */
  const handleResponseUrl = (id: string, body: any): string | undefined => {
    const deleting = body?.delete_original === true || body?.delete_original === 'true';
    try {
      if (!deleting) refuse('response_url', checkMessage(body ?? {}));
    } catch (err) {
      if (err instanceof SlackError) return err.code;
      throw err;
    }
    responses.push({ id, body, at: Date.now() });
    const origin = origins.get(id);
    if (!origin?.channel || !body || typeof body !== 'object') return undefined;
    const { replace_original, delete_original, response_type, ...content } = body;
    const original = origin.messageTs ? findMessage(origin.channel, origin.messageTs) : undefined;
    if (delete_original === true || delete_original === 'true') {
      if (original) stored.splice(stored.indexOf(original), 1);
    } else if ((replace_original === true || replace_original === 'true') && original) {
      stored[stored.indexOf(original)] = { ...original, ...content, channel: original.channel, ts: original.ts, edited: { user: botUserId, ts: nextTs() } };
    } else if (response_type === 'in_channel') {
      stored.push({ ...content, type: 'message', channel: origin.channel, ts: nextTs(), user: botUserId, bot_id: botId });
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const args = parseBody(raw, req.headers['content-type']);
        if (url.pathname.startsWith('/api/')) {
          const method = url.pathname.slice('/api/'.length);
          const auth = req.headers.authorization;
          const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;
          delete args.token;
          const answer = answerFor(method, args);
          calls.push({ method, args, at: Date.now(), ...(token ? { token } : {}), ...(answer.body.ok ? {} : { error: answer.body.error }) });
          return send(res, answer.status, answer.body, answer.headers);
        }
        if (url.pathname.startsWith('/response/') && req.method === 'POST') {
          const refused = handleResponseUrl(decodeURIComponent(url.pathname.slice('/response/'.length)), args);
          return refused ? send(res, 400, { ok: false, error: refused }) : send(res, 200, { ok: true });
        }
        return send(res, 404, { ok: false, error: 'not_found' });
      })
      .catch((err) => send(res, 400, { ok: false, error: 'invalid_request', detail: String(err) }));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const dump = () =>
    [
      `${calls.length} Web API call(s):`,
      ...calls.map((c) => `  ${c.method}${c.error ? ` -> ${c.error}` : ''} ${truncate(JSON.stringify(c.args), 300)}`),
      `${responses.length} response_url post(s):`,
      ...responses.map((r) => `  ${r.id} ${truncate(JSON.stringify(r.body), 300)}`),
      ...(rejections.length ? [`${rejections.length} Block Kit rejection(s):`, ...rejections.map(describeRejection)] : []),
    ].join('\n');

  return {
    apiUrl: `${base}/api/`,
    calls,
    responses,
    rejections,
    botUserId,
    botId,
    teamId,
    addChannel: (c) => channels.add(c),
    channel: (id) => channels.get(id),
    globalShortcuts: [...(opts.globalShortcuts ?? [])],
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrl(id, origin) {
      const key = id ?? `R${next()}`;
      if (origin) origins.set(key, origin);
      return `${base}/response/${encodeURIComponent(key)}`;
    },
    fail(method, answer) {
      const queue = failures.get(method) ?? [];
      queue.push({ ...answer });
      failures.set(method, queue);
    },
    handle(method, answer) {
      custom.set(method, answer);
    },
    async waitFor(fn, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await fn();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`standin.waitFor timed out after ${timeoutMs} ms\n${dump()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      rejections.length = 0;
      stored.length = 0;
      failures.clear();
      custom.clear();
      openViews.clear();
      homes.clear();
      triggers.clear();
      origins.clear();
      channels.clear();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    messages(channel) {
      return stored.filter((m) => channel === undefined || m.channel === channel).sort((a, b) => compareTs(a.ts, b.ts));
    },
    views: () => new Map(openViews),
    homeOf: (userId) => homes.get(userId),
    newTriggerId(viewId) {
      const id = `${SLACK_BASE_TS}.${next()}.${randomBytes(8).toString('hex')}`;
      triggers.set(id, { issuedAt: Date.now(), used: false, ...(viewId ? { viewId } : {}) });
      return id;
    },
    applyViewSubmissionAck(viewId, ack) {
      const current = openViews.get(viewId);
      if (!current) return;
      const action = ack && typeof ack === 'object' ? ack.response_action : undefined;
      // A refused ack leaves the modal as it was (Slack shows its "trouble connecting" notice).
      try {
        if (action === 'errors') refuse('view_submission ack', checkSubmissionErrors(current, ack.errors));
        if (action === 'update' || action === 'push') refuse('view_submission ack', checkView(ack.view));
      } catch (err) {
        if (err instanceof SlackError) return;
        throw err;
      }
      if (action === 'errors') return;
      if (action === 'update') {
        const { id, root_view_id, previous_view_id } = current;
        storeView(ack.view, { id, root_view_id, previous_view_id });
      } else if (action === 'push') {
        storeView(ack.view, { id: newViewId(), root_view_id: current.root_view_id, previous_view_id: current.id });
      } else if (action === 'clear') {
        for (const [id, v] of openViews) if (v.root_view_id === current.root_view_id) openViews.delete(id);
      } else {
        openViews.delete(viewId); // a bare ack closes the submitted view (Slack then answers not_found to views.update)
      }
    },
  };
}
