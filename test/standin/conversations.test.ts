/**
 * What the stand-in knows about conversations and shortcuts (issue 12 §4): conversations selects
 * checked as Slack checks them, picks limited to what the menu lists for that user, posts answered
 * by channel membership, and global shortcuts only as the app declares them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { checkView, SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';

const plain = (text: string) => ({ type: 'plain_text', text });
const picker = (element: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  type: 'modal', callback_id: 'deploy', title: plain('Deploy'), submit: plain('Deploy'),
  blocks: [{ type: 'input', block_id: 'channel', label: plain('Channel'), element: { type: 'conversations_select', action_id: 'pick', ...element }, ...over }],
});
const violations = (element: Record<string, unknown>) => checkView(picker(element))?.violations.map((v) => `${v.pointer} ${v.message}`) ?? [];

describe('conversations_select validation', () => {
  it('accepts what Slack accepts', () => {
    expect(violations({ initial_conversation: 'C0123ABC', filter: { include: ['public', 'private'], exclude_bot_users: true } })).toEqual([]);
    expect(violations({ default_to_current_conversation: true, response_url_enabled: false })).toEqual([]);
  });

  it.each([
    [{ initial_conversation: 'general' }, '/view/blocks/0/element/initial_conversation must be a conversation id'],
    [{ initial_conversations: ['C1234'] }, '/view/blocks/0/element/initial_conversations not allowed in a single select: use initial_conversation'],
    [{ filter: {} }, '/view/blocks/0/element/filter must supply at least one of include, exclude_external_shared_channels, exclude_bot_users'],
    [{ filter: { include: [] } }, '/view/blocks/0/element/filter/include must be a non-empty array'],
    [{ filter: { include: ['channels'] } }, '/view/blocks/0/element/filter/include/0 must be one of im, mpim, private, public'],
    [{ filter: { exclude_bots: true } }, '/view/blocks/0/element/filter/exclude_bots unknown filter property'],
    [{ default_to_current_conversation: 'yes' }, '/view/blocks/0/element/default_to_current_conversation must be a boolean'],
    [{ options: [{ text: plain('x'), value: 'x' }] }, '/view/blocks/0/element/options options are not allowed in a conversations select'],
  ])('refuses %j', (element, expected) => {
    expect(violations(element)).toContain(expected);
  });
});

describe('channels, picks and shortcuts', () => {
  let standin: SlackStandin;
  let server: Server;
  let received: any[];
  let user: SlackUser;
  let slack: WebClient;

  beforeEach(async () => {
    standin = await startSlackStandin({ globalShortcuts: ['deploy_gpu'] });
    received = [];
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push(JSON.parse(new URLSearchParams(raw).get('payload') ?? '{}'));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    user = new SlackUser({ botUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, signingSecret: 's', standin, userId: 'U_ALICE', userName: 'alice' });
    slack = new WebClient('xoxb-t', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } });
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await standin.stop();
  });

  it('answers posts by membership: not_in_channel, channel_not_found, is_archived, user_not_in_channel', async () => {
    standin.addChannel({ id: 'C_OUT', members: ['U_ALICE'] });
    standin.addChannel({ id: 'G_SECRET', isPrivate: true, members: ['U_ALICE'] });
    standin.addChannel({ id: 'C_OLD', members: ['U_BOT', 'U_ALICE'], isArchived: true });
    standin.addChannel({ id: 'C_TEAM', members: ['U_BOT', 'U_BOB'] });
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e) => e.data?.error);
    expect(await code(slack.chat.postMessage({ channel: 'C_OUT', text: 'hi' }))).toBe('not_in_channel');
    expect(await code(slack.chat.postMessage({ channel: 'G_SECRET', text: 'hi' }))).toBe('channel_not_found');
    expect(await code(slack.chat.postMessage({ channel: 'C_OLD', text: 'hi' }))).toBe('is_archived');
    expect(await code(slack.chat.postEphemeral({ channel: 'C_TEAM', user: 'U_ALICE', text: 'hi' }))).toBe('user_not_in_channel');
    expect(await code(slack.chat.postEphemeral({ channel: 'C_TEAM', user: 'U_BOB', text: 'hi' }))).toBe('ok');
    // a channel nobody registered is open, as before
    expect(await code(slack.chat.postMessage({ channel: 'C_ANY', text: 'hi' }))).toBe('ok');
  });

  it('sends a global shortcut the app declares, with a trigger and no channel; refuses one it does not', async () => {
    await user.shortcut('deploy_gpu');
    expect(received[0]).toMatchObject({ type: 'shortcut', callback_id: 'deploy_gpu', user: { id: 'U_ALICE' }, team: { id: 'T_TEAM' } });
    expect(received[0].trigger_id).toBeTruthy();
    expect(received[0].channel).toBeUndefined();
    expect(received[0].response_url).toBeUndefined();
    await expect(user.shortcut('other')).rejects.toThrow(/declares no global shortcut other/);
  });

  it('lets a user pick only conversations the menu lists for them, and dispatches the pick when asked', async () => {
    standin.addChannel({ id: 'G_SECRET', isPrivate: true, members: ['U_BOB'] });
    const view = { id: 'V1', ...picker({ filter: { include: ['public', 'private'] } }, { dispatch_action: true }) };
    await expect(user.selectConversation(view, 'pick', 'D_ALICE')).rejects.toThrow(/does not list im/);
    await expect(user.selectConversation(view, 'pick', 'G_SECRET')).rejects.toThrow(/cannot see G_SECRET/);
    const ack = await user.selectConversation(view, 'pick', 'C_GENERAL');
    expect(ack.status).toBe(200);
    expect(received[0]).toMatchObject({ type: 'block_actions', actions: [{ type: 'conversations_select', action_id: 'pick', selected_conversation: 'C_GENERAL' }] });
    // and the submission carries it as Slack's state
    await user.submitView(view);
    expect(received[1].view.state.values.channel.pick).toEqual({ type: 'conversations_select', selected_conversation: 'C_GENERAL' });
  });
});
