import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { SlackUser, startSlackStandin, type SlackStandin } from '../../src/standin';

const SECRET = 'user-test-secret';
let standin: SlackStandin;
let server: Server;
let received: Array<{ raw: string; headers: IncomingHttpHeaders }>;
let nextAck: unknown;
let user: SlackUser;

beforeEach(async () => {
  standin = await startSlackStandin();
  received = [];
  nextAck = '';
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      received.push({ raw, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(nextAck === '' ? '' : JSON.stringify(nextAck));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  user = new SlackUser({ botUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, signingSecret: SECRET, standin, userId: 'U_ALICE', userName: 'alice', channelId: 'C_GENERAL' });
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await standin.stop();
});

const payloadOf = (i = received.length - 1) => JSON.parse(new URLSearchParams(received[i]!.raw).get('payload')!);

test('requests carry a signature Bolt accepts, form-encoded like Slack; a slash command has every field', async () => {
  const ack = await user.command('plans --gpu h100', { retryNum: 1 });
  const { raw, headers } = received[0]!;
  expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(headers['x-slack-retry-num']).toBe('1');
  const signed = { signingSecret: SECRET, body: raw, headers: { 'x-slack-signature': String(headers['x-slack-signature']), 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) } };
  expect(isValidSlackRequest(signed)).toBe(true);
  expect(isValidSlackRequest({ ...signed, signingSecret: 'other' })).toBe(false);
  const form = Object.fromEntries(new URLSearchParams(raw));
  expect(form).toMatchObject({ command: '/gpu', text: 'plans --gpu h100', user_id: 'U_ALICE', user_name: 'alice', channel_id: 'C_GENERAL', team_id: 'T_TEAM', response_url: ack.responseUrl });
  expect(form.trigger_id).toBeTruthy();
});

test('submitView sends every input with Slack’s state shapes: given values, initial values, or null', async () => {
  const view = (await fetchViewOpen()).view;
  nextAck = { response_action: 'errors', errors: { name: 'too short' } };
  const ack = await user.submitView(view, { name: { name_input: 'x' }, plan: { plan_select: 'h100' } });
  expect(ack.body).toEqual(nextAck);
  const p = payloadOf();
  expect(p).toMatchObject({ type: 'view_submission', user: { id: 'U_ALICE', username: 'alice', team_id: 'T_TEAM' }, view: { id: view.id, hash: view.hash, callback_id: 'deploy' } });
  expect(p.view.state.values).toEqual({
    name: { name_input: { type: 'plain_text_input', value: 'x' } },
    plan: { plan_select: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'H100' }, value: 'h100' } } },
    region: { region_select: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'EU' }, value: 'eu' } } },
    note: { note_input: { type: 'plain_text_input', value: null } },
  });
  // errors keep the modal open; a bare ack closes it, like Slack
  expect(standin.views().has(view.id)).toBe(true);
  nextAck = '';
  await user.submitView(view, { name: { name_input: 'long enough' } });
  expect(standin.views().has(view.id)).toBe(false);
});

test('selectOption: in an input block only the state changes; with dispatch_action it sends block_actions', async () => {
  const view = (await fetchViewOpen()).view;
  const quiet = await user.selectOption(view, 'region_select', 'us');
  expect(quiet.status).toBe(0);
  expect(received).toHaveLength(0);
  const loud = await user.selectOption(view, 'plan_select', 'a100');
  expect(loud.status).toBe(200);
  const p = payloadOf();
  expect(p).toMatchObject({ type: 'block_actions', container: { type: 'view', view_id: view.id }, actions: [{ action_id: 'plan_select', block_id: 'plan', selected_option: { value: 'a100' } }] });
  expect(p.view.state.values.region.region_select.selected_option.value).toBe('us');
  await expect(user.selectOption(view, 'plan_select', 'tpu')).rejects.toThrow(/no option tpu/);
});

test('clickButton finds the button by action_id and value, with the message, channel and a response_url', async () => {
  const message = { ts: '1700000000.000100', channel: 'C_OPS', blocks: [{ type: 'actions', block_id: 'row', elements: [btn('terminate', 'i-1'), btn('terminate', 'i-2')] }] };
  const ack = await user.clickButton(message, 'terminate', { value: 'i-2' });
  const p = payloadOf();
  expect(p).toMatchObject({ type: 'block_actions', channel: { id: 'C_OPS' }, container: { type: 'message', message_ts: message.ts, channel_id: 'C_OPS', is_ephemeral: false }, message: { ts: message.ts }, response_url: ack.responseUrl, actions: [{ action_id: 'terminate', block_id: 'row', value: 'i-2', type: 'button' }] });
  await expect(user.clickButton(message, 'terminate', { value: 'i-9' })).rejects.toThrow(/no element/);
});

async function fetchViewOpen() {
  const res = await fetch(`${standin.apiUrl}views.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      trigger_id: standin.newTriggerId(),
      view: {
        type: 'modal',
        callback_id: 'deploy',
        title: { type: 'plain_text', text: 'Deploy' },
        submit: { type: 'plain_text', text: 'Deploy' },
        blocks: [
          { type: 'input', block_id: 'name', label: txt('Name'), element: { type: 'plain_text_input', action_id: 'name_input' } },
          { type: 'input', block_id: 'plan', dispatch_action: true, label: txt('Plan'), element: { type: 'static_select', action_id: 'plan_select', options: [opt('H100', 'h100'), opt('A100', 'a100')] } },
          { type: 'input', block_id: 'region', label: txt('Region'), element: { type: 'static_select', action_id: 'region_select', initial_option: opt('EU', 'eu'), options: [opt('EU', 'eu'), opt('US', 'us')] } },
          { type: 'input', block_id: 'note', optional: true, label: txt('Note'), element: { type: 'plain_text_input', action_id: 'note_input' } },
        ],
      },
    }),
  });
  return (await res.json()) as { ok: boolean; view: any };
}

function txt(text: string) {
  return { type: 'plain_text', text };
}
function opt(text: string, value: string) {
  return { text: txt(text), value };
}
function btn(action_id: string, value: string) {
  return { type: 'button', action_id, value, text: txt('Terminate') };
}

test('openHome sends a signed Events API app_home_opened callback as JSON, with the Home the user sees', async () => {
  await new WebClient('xoxb-x', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 } }).views.publish({ user_id: 'U_ALICE', view: { type: 'home', blocks: [] } });
  await user.openHome();
  const { raw, headers } = received[0]!;
  expect(headers['content-type']).toBe('application/json');
  expect(isValidSlackRequest({ signingSecret: SECRET, body: raw, headers: headers as never })).toBe(true);
  const body = JSON.parse(raw);
  expect(body).toMatchObject({ type: 'event_callback', team_id: standin.teamId, event: { type: 'app_home_opened', user: 'U_ALICE', tab: 'home', view: { id: 'VHU_ALICE', type: 'home' } } });
  await user.openHome({ tab: 'messages' });
  expect(JSON.parse(received[1]!.raw).event).not.toHaveProperty('view');
});
