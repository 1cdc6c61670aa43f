import { WebClient, ErrorCode } from '@slack/web-api';
import { startSlackStandin, type SlackStandin } from '../../src/standin';

let standin: SlackStandin;
let client: WebClient;

beforeEach(async () => {
  standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
  client = new WebClient('xoxb-standin-test', { slackApiUrl: standin.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
});
afterEach(() => standin.stop());

async function slackError(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { data?: { error?: string } }).data?.error ?? String(err);
  }
  throw new Error('expected the call to fail');
}

test('auth.test names the bot, and every call is recorded with its token and decoded args', async () => {
  const auth = await client.auth.test();
  expect(auth).toMatchObject({ ok: true, user_id: 'U_BOT', bot_id: 'B_BOT', team_id: 'T_TEAM' });
  await client.chat.postMessage({ channel: 'C1', text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] });
  const [call] = standin.callsTo('chat.postMessage');
  expect(call?.token).toBe('xoxb-standin-test');
  expect(call?.args.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
  expect(call?.args.token).toBeUndefined();
});

test('chat.postMessage gives unique increasing ts; messages() holds thread replies in order and chat.update replaces', async () => {
  const parent = await client.chat.postMessage({ channel: 'C1', text: 'deploying' });
  const reply1 = await client.chat.postMessage({ channel: 'C1', text: 'step 1', thread_ts: parent.ts! });
  const other = await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });
  const reply2 = await client.chat.postMessage({ channel: 'C1', text: 'step 2', thread_ts: parent.ts! });
  const all = [parent.ts, reply1.ts, other.ts, reply2.ts] as string[];
  expect(new Set(all).size).toBe(4);
  expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => a - b));
  expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);

  const updated = await client.chat.update({ channel: 'C1', ts: parent.ts!, text: 'ACTIVE' });
  expect(updated).toMatchObject({ ok: true, channel: 'C1', ts: parent.ts });

  const c1 = standin.messages('C1');
  expect(c1.map((m) => m.text)).toEqual(['ACTIVE', 'step 1', 'step 2']);
  expect(c1[0]?.edited).toBeDefined();
  expect(c1.slice(1).every((m) => m.thread_ts === parent.ts)).toBe(true);
  expect(standin.messages().map((m) => m.channel)).toEqual(['C1', 'C1', 'C2', 'C1']);

  expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }))).toBe('message_not_found');
});

test('a DM to a user id lands in the conversations.open channel for that user', async () => {
  const open = await client.conversations.open({ users: 'U_ALICE' });
  const posted = await client.chat.postMessage({ channel: 'U_ALICE', text: 'your instance is ready' });
  expect(posted.channel).toBe((open.channel as { id: string }).id);
  expect(standin.messages(posted.channel!)).toHaveLength(1);
});

test('views: open needs a fresh single-use trigger; update checks hash and finds views by external_id', async () => {
  expect(await slackError(client.views.open({ trigger_id: 'made-up', view: modal('a') }))).toBe('invalid_trigger_id');
  const trigger = standin.newTriggerId();
  const opened = await client.views.open({ trigger_id: trigger, view: { ...modal('loading'), external_id: 'deploy-1' } });
  const view = opened.view!;
  expect(view.id).toMatch(/^V/);
  expect(view.hash).toBeTruthy();
  expect(await slackError(client.views.open({ trigger_id: trigger, view: modal('again') }))).toBe('exchanged_trigger_id');

  const updated = await client.views.update({ view_id: view.id!, hash: view.hash!, view: modal('form') });
  expect(updated.view?.hash).not.toBe(view.hash);
  // the hash from before the update is stale now
  expect(await slackError(client.views.update({ view_id: view.id!, hash: view.hash!, view: modal('late') }))).toBe('hash_conflict');
  await client.views.update({ external_id: 'deploy-1', view: modal('by external id') });
  expect(standin.views().get(view.id!)?.title.text).toBe('by external id');
  expect(standin.views().get(view.id!)?.external_id).toBe('deploy-1');
  expect(await slackError(client.views.update({ view_id: 'V_NOPE', view: modal('x') }))).toBe('not_found');
});

test('triggers expire like Slack’s', async () => {
  const quick = await startSlackStandin({ triggerTtlMs: 0 });
  try {
    const c = new WebClient('xoxb-x', { slackApiUrl: quick.apiUrl, retryConfig: { retries: 0 } });
    const trigger = quick.newTriggerId();
    await new Promise((r) => setTimeout(r, 5));
    expect(await slackError(c.views.open({ trigger_id: trigger, view: modal('late') }))).toBe('expired_trigger_id');
  } finally {
    await quick.stop();
  }
});

test('views.push stacks on the modal its trigger came from, at most three deep', async () => {
  const root = (await client.views.open({ trigger_id: standin.newTriggerId(), view: modal('1') })).view!;
  const second = (await client.views.push({ trigger_id: standin.newTriggerId(root.id), view: modal('2') })).view!;
  expect(second.previous_view_id).toBe(root.id);
  const third = (await client.views.push({ trigger_id: standin.newTriggerId(second.id), view: modal('3') })).view!;
  expect(await slackError(client.views.push({ trigger_id: standin.newTriggerId(third.id), view: modal('4') }))).toBe('push_limit_reached');
});

test('fail() with 429 sends HTTP 429 + Retry-After, which @slack/web-api reports as a rate limit', async () => {
  standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 7, times: 1 });
  const raw = await fetch(`${standin.apiUrl}chat.postMessage`, { method: 'POST', body: 'channel=C1&text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(raw.status).toBe(429);
  expect(raw.headers.get('retry-after')).toBe('7');

  standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 3, times: 1 });
  const err = await client.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e) => e);
  expect(err.code).toBe(ErrorCode.RateLimitedError);
  expect(err.retryAfter).toBe(3);
  // times: 1 is used up: the next call succeeds
  await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  expect(standin.callsTo('chat.postMessage').map((c) => c.error)).toEqual(['ratelimited', 'ratelimited', undefined]);
});

test('fail() can target one channel (not_in_channel) and other errors are HTTP 200 {ok:false}', async () => {
  standin.fail('chat.postMessage', { error: 'not_in_channel', channel: 'C_ARCHIVED' });
  expect(await slackError(client.chat.postMessage({ channel: 'C_ARCHIVED', text: 'x' }))).toBe('not_in_channel');
  expect(await slackError(client.chat.postMessage({ channel: 'C_ARCHIVED', text: 'again' }))).toBe('not_in_channel');
  await expect(client.chat.postMessage({ channel: 'C_OK', text: 'x' })).resolves.toMatchObject({ ok: true });
  expect(standin.messages('C_ARCHIVED')).toEqual([]);

  standin.fail('views.open', { error: 'expired_trigger_id' });
  const raw = await fetch(`${standin.apiUrl}views.open`, { method: 'POST', body: '' });
  expect(raw.status).toBe(200);
  expect(await raw.json()).toEqual({ ok: false, error: 'expired_trigger_id' });
});

test('unknown methods answer unknown_method', async () => {
  expect(await slackError(client.apiCall('gpu.teleport', {}))).toBe('unknown_method');
});

test('response URLs record what the bot posts; in_channel and replace_original change the channel like Slack', async () => {
  const ephemeral = standin.responseUrl('cmd-1', { channel: 'C1' });
  await fetch(ephemeral, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text: 'only you' }) });
  expect(standin.responses).toEqual([expect.objectContaining({ id: 'cmd-1', body: { response_type: 'ephemeral', text: 'only you' } })]);
  expect(standin.messages('C1')).toEqual([]);

  await fetch(standin.responseUrl(undefined, { channel: 'C1' }), { method: 'POST', body: JSON.stringify({ response_type: 'in_channel', text: 'for everyone' }) });
  const [shared] = standin.messages('C1');
  expect(shared?.text).toBe('for everyone');

  await fetch(standin.responseUrl(undefined, { channel: 'C1', messageTs: shared!.ts }), { method: 'POST', body: JSON.stringify({ replace_original: true, text: 'replaced' }) });
  expect(standin.messages('C1').map((m) => m.text)).toEqual(['replaced']);
  expect(standin.responses).toHaveLength(3);
});

test('waitFor resolves with the first truthy value, and on timeout throws with a dump of the calls', async () => {
  setTimeout(() => void client.chat.postMessage({ channel: 'C1', text: 'later' }), 20);
  const msg = await standin.waitFor(() => standin.messages('C1')[0]);
  expect(msg.text).toBe('later');
  await expect(standin.waitFor(() => standin.callsTo('views.open')[0], 50)).rejects.toThrow(/timed out[\s\S]*chat\.postMessage/);
  standin.reset();
  expect(standin.calls).toEqual([]);
  expect(standin.messages()).toEqual([]);
});

function modal(title: string) {
  return { type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: [] };
}

describe('Block Kit limits are enforced like Slack', () => {
  const long = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } };
  const modal = (title: string) => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: title }, blocks: [] });

  test('chat.postMessage / update / postEphemeral answer invalid_blocks with errors and response_metadata.messages, and store nothing', async () => {
    const err = await client.chat.postMessage({ channel: 'C1', text: 'fallback', blocks: [long] }).catch((e) => e.data);
    expect(err).toEqual({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    expect(standin.messages('C1')).toHaveLength(0);
    const ok = await client.chat.postMessage({ channel: 'C1', text: 'fine' });
    expect(await slackError(client.chat.update({ channel: 'C1', ts: ok.ts!, text: 'fallback', blocks: [long] }))).toBe('invalid_blocks');
    expect(standin.messages('C1')[0]?.text).toBe('fine');
    expect(await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: '' }))).toBe('no_text');
    expect(standin.rejections.map((r) => [r.where, r.error])).toEqual([
      ['chat.postMessage', 'invalid_blocks'],
      ['chat.update', 'invalid_blocks'],
      ['chat.postEphemeral', 'msg_too_long'],
      ['chat.postEphemeral', 'no_text'],
    ]);
  });

  test('views.open / update / publish answer invalid_arguments with the pointer in response_metadata.messages', async () => {
    const err = await client.views.open({ trigger_id: standin.newTriggerId(), view: modal('A title longer than 24 chars') }).catch((e) => e.data);
    expect(err).toEqual({ ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'] } });
    const opened = await client.views.open({ trigger_id: standin.newTriggerId(), view: modal('Fine') });
    expect(await slackError(client.views.update({ view_id: opened.view!.id!, view: { ...modal('Fine'), private_metadata: 'x'.repeat(3001) } }))).toBe('invalid_arguments');
    expect(standin.views().get(opened.view!.id!)?.private_metadata).toBe('');
    const home = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    expect(await slackError(client.views.publish({ user_id: 'U1', view: home }))).toBe('invalid_arguments');
    expect(standin.rejections.map((r) => r.where)).toEqual(['views.open', 'views.update', 'views.publish']);
  });

  test('a response_url post beyond the limits gets HTTP 400 invalid_blocks and changes nothing', async () => {
    const url = standin.responseUrl('R1', { channel: 'C1' });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'in_channel', text: 't', blocks: [long] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(standin.responses).toHaveLength(0);
    expect(standin.messages('C1')).toHaveLength(0);
    const del = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delete_original: true }) });
    expect(del.status).toBe(200);
    expect(standin.rejections).toEqual([expect.objectContaining({ where: 'response_url', error: 'invalid_blocks' })]);
  });

  test('a view_submission ack with an invalid view, or errors for a block that is not an input, leaves the modal as it was', async () => {
    const form = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Form' },
      submit: { type: 'plain_text' as const, text: 'Go' },
      blocks: [{ type: 'input' as const, block_id: 'name', label: { type: 'plain_text' as const, text: 'Name' }, element: { type: 'plain_text_input' as const, action_id: 'v' } }],
    };
    const opened = await client.views.open({ trigger_id: standin.newTriggerId(), view: form });
    const id = opened.view!.id!;
    standin.applyViewSubmissionAck(id, { response_action: 'update', view: modal('x'.repeat(25)) });
    standin.applyViewSubmissionAck(id, { response_action: 'push', view: { ...modal('Next'), blocks: [long] } });
    standin.applyViewSubmissionAck(id, { response_action: 'errors', errors: { plan: 'pick a plan' } });
    expect(standin.views().get(id)?.title.text).toBe('Form');
    expect(standin.views().size).toBe(1);
    expect(standin.rejections.map((r) => r.errors[0])).toEqual([
      'must be less than 25 characters [json-pointer:/view/title/text]',
      'must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]',
      'must name an input block of the view [json-pointer:/errors/plan]',
    ]);
    standin.applyViewSubmissionAck(id, { response_action: 'errors', errors: { name: 'too short' } });
    expect(standin.rejections).toHaveLength(3);
  });
});

describe('views.publish (App Home), as strict as Slack', () => {
  const home = (n = 1, extra: Record<string, unknown> = {}) => ({
    type: 'home' as const,
    blocks: Array.from({ length: n }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `line ${i}` } })),
    ...extra,
  });

  it('publishes a Home per user, replacing the last one; homeOf() is what the user sees', async () => {
    const first = await client.views.publish({ user_id: 'UALICE', view: home(1) });
    await client.views.publish({ user_id: 'UALICE', view: home(100), hash: first.view!.hash! });
    expect(standin.homeOf('UALICE').blocks).toHaveLength(100);
    expect(standin.homeOf('UBOB')).toBeUndefined();
  });

  it('refuses more than 100 blocks, a modal, modal-only fields, a block a Home cannot hold, a bad user id and a stale hash', async () => {
    expect(await slackError(client.views.publish({ user_id: 'UALICE', view: home(101) }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'UALICE', view: { ...home(1), type: 'modal', title: { type: 'plain_text', text: 'x' } } as never }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'UALICE', view: home(1, { submit: { type: 'plain_text', text: 'Go' } }) as never }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'UALICE', view: { type: 'home', blocks: [{ type: 'file', external_id: 'x', source: 'remote' }] } as never }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'C_GENERAL', view: home(1) }))).toBe('user_not_found');
    await client.views.publish({ user_id: 'UALICE', view: home(1) });
    expect(await slackError(client.views.publish({ user_id: 'UALICE', view: home(2), hash: 'stale' }))).toBe('hash_conflict');
    expect(standin.rejections.map((r) => r.errors.join(' '))).toEqual([
      expect.stringContaining('/view/blocks'),
      expect.stringContaining('must be home'),
      expect.stringContaining('submit is not allowed in a home view'),
      expect.stringContaining('/view/blocks/0/type'),
    ]);
    standin.rejections.length = 0;
  });
});
