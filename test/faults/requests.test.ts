/**
 * Bad requests at the door: forged or stale signatures, malformed bodies, unknown action ids and
 * oversized text. Each is rejected or answered with a clear message, the bot keeps serving the
 * next good request, and none of them reaches Fluence.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';
import { signSlackRequest } from '../../src/standin';
import { answerOf, visibleText } from './support';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.sim.control.resetRequests();
  t.standin.reset();
});
afterEach(async () => {
  // never a crash: the next good request is still answered, and nothing reached Fluence
  expect(await answerOf(t, 'help')).toMatch(/\/gpu deploy/);
  expect(t.sim.control.requests).toEqual([]);
});

const now = () => Math.floor(Date.now() / 1000);

function commandForm(text: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'x',
    team_id: 'T_TEAM',
    channel_id: 'C_GENERAL',
    user_id: 'U_ALICE',
    user_name: 'alice',
    command: '/gpu',
    text,
    response_url: t.standin.responseUrl(),
    trigger_id: t.standin.newTriggerId(),
    ...extra,
  }).toString();
}

const payloadForm = (payload: unknown) => new URLSearchParams({ payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }).toString();

describe('signatures', () => {
  it('rejects a request signed with the wrong secret', async () => {
    const body = commandForm('plans');
    const res = await t.user.send(body, { signature: signSlackRequest('not-the-secret', now(), body) });
    expect(res.status).toBe(401);
    expect(t.standin.responses).toEqual([]);
  });

  it('rejects a request with no signature at all', async () => {
    const res = await t.user.send(commandForm('plans'), { signature: '' });
    expect(res.status).toBe(401);
  });

  it('rejects a correctly signed request whose timestamp is more than 5 minutes old (replay)', async () => {
    const res = await t.user.send(commandForm('plans'), { timestamp: now() - 6 * 60 });
    expect(res.status).toBe(401);
  });

  it('rejects a body changed after signing', async () => {
    const ts = now();
    const signature = signSlackRequest(t.signingSecret, ts, commandForm('help'));
    const res = await t.user.send(commandForm('plans'), { timestamp: ts, signature });
    expect(res.status).toBe(401);
  });
});

describe('malformed payloads', () => {
  it('a payload= that is not JSON is rejected, not crashed on', async () => {
    const res = await t.user.send(payloadForm('{"type": "block_actions", oops'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('a view_submission without a view is refused (Bolt answers 500), and the bot keeps serving', async () => {
    // Bolt itself throws on the missing view (TypeError in its context builder) and answers 500;
    // Slack never sends this shape, so the point is only: no crash, nothing executed.
    const res = await t.user.send(payloadForm({ type: 'view_submission', user: { id: 'U_ALICE' }, team: { id: 'T_TEAM' } }));
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it('a slash command without its text field is treated as an empty command (help)', async () => {
    const form = new URLSearchParams(commandForm(''));
    form.delete('text');
    const res = await t.user.send(form.toString());
    expect(res.status).toBe(200);
    const answer = await t.standin.waitFor(() => t.standin.responses[0]);
    expect(visibleText(answer.body)).toMatch(/\/gpu plans/);
  });

  it('a text/plain body is not executed', async () => {
    const res = await t.user.send(commandForm('plans'), { contentType: 'text/plain' });
    expect(res.status).toBeLessThan(500);
    expect(t.standin.responses).toEqual([]);
  });
});

describe('unknown and oversized input', () => {
  it('payloads no listener handles (unknown action id, unknown modal, unknown payload type, no actions, another slash command, a JSON body) are all refused without a crash', async () => {
    // Bolt answers what no listener acks with 404 once its 3 s ack window has passed; sent together
    // so the suite waits for that window once.
    const button = { type: 'button', action_id: 'no_such_action', text: { type: 'plain_text', text: 'Hm' }, value: 'container:abc' };
    const results = await Promise.all([
      t.user.clickButton({ blocks: [{ type: 'actions', block_id: 'b', elements: [button] }] }, 'no_such_action'),
      t.user.submitView({ id: 'V_UNKNOWN', callback_id: 'no_such_view', type: 'modal', blocks: [] }),
      t.user.send(payloadForm({ type: 'no_such_thing', user: { id: 'U_ALICE' } })),
      t.user.send(payloadForm({ type: 'block_actions', team: { id: 'T_TEAM' } })),
      t.user.command('plans', { command: '/not-gpu' }),
      t.user.send(JSON.stringify({ hello: 'world', text: 'plans' }), { contentType: 'application/json' }),
    ]);
    for (const r of results) expect(r.status).toBe(404);
    expect(t.standin.responses).toEqual([]);
  });

  it('oversized command text is answered with the limit, in the ack', async () => {
    const res = await t.user.command(`plans ${'h100 '.repeat(2000)}`);
    expect(res.status).toBe(200);
    expect(visibleText(res.body)).toMatch(/too long \(\d+ characters; the limit is 2000\)/);
  });

  it('a huge unknown word is answered with a short, clear error', async () => {
    const res = await t.user.command('x'.repeat(1999));
    expect(res.status).toBe(200);
    const text = visibleText(res.body);
    expect(text).toMatch(/I don't know the command/);
    expect(text.length).toBeLessThan(3000);
  });
});
