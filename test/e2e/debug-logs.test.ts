/**
 * LOG_LEVEL=debug must not print secrets (issue 10 §2). The Slack libraries' debug lines carry raw
 * payloads: the Socket Mode client logs every envelope it receives (a view submission holds what
 * was typed into the form), the Web API client logs every request body (a views.update re-render
 * holds the form's values). Those values are not yet known secrets when the line is written.
 * Both modes run a deploy at debug level and the whole log is searched.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { BLOCK } from '../../src/slack/ids';
import { startSlackStandin } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { startFakeSocketMode } from '../support/fake-socket-mode';
import { elementOf, fill, waitForField } from '../support/modal';
import { messageMatching } from './guardrails-kit';

const run = `${process.pid}${Date.now().toString(36)}`;
const SECRETS = {
  // credential-looking by value, marked with NAME=!value, and a registry password
  token: `hf_${run}Qz81xTokenValue`,
  marked: `marked-${run}-Lp4`,
  password: `reg-pw-${run}-Nb7`,
};
const ENV = `HF_TOKEN=${SECRETS.token}\nDB_URL=!${SECRETS.marked}\nMODE=prod`;

let t: TestBot | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

function expectNoSecretIn(logs: string[]): void {
  const text = logs.join('\n');
  expect(logs.join("\n")).toContain("gpu-bot is ready");
  for (const [what, value] of Object.entries(SECRETS)) expect({ what, inLogs: text.includes(value) }).toEqual({ what, inLogs: false });
}

test('HTTP mode at debug level: a deploy whose form was re-rendered (views.update) leaves no secret in the log', async () => {
  t = await startTestBot({ env: { LOG_LEVEL: 'debug' } });
  await t.user.command('deploy container');
  const form = await waitForField(t.standin, BLOCK.ports);
  const planSelect = elementOf(form, BLOCK.plan);
  const typed = fill(form, {
    [BLOCK.plan]: PLAN_RTX4090_1X,
    [BLOCK.name]: 'Not A Valid Name',
    [BLOCK.image]: 'docker.io/acme/private-app:1',
    [BLOCK.ports]: '22/tcp',
    [BLOCK.env]: ENV,
    [BLOCK.registryUser]: 'acme-bot',
    [BLOCK.registryPassword]: SECRETS.password,
  });
  // a mistake first: Slack keeps what was typed, nothing is registered as a secret yet
  const refused = await t.user.submitView(form, typed);
  expect(refused.body.response_action).toBe('errors');
  // picking the plan again re-renders the form with everything typed so far (views.update)
  const updates = t.standin.callsTo('views.update').length;
  await t.user.selectOption(form, planSelect.action_id, PLAN_RTX4090_1X);
  const bot = t;
  await bot.standin.waitFor(() => bot.standin.callsTo('views.update').length > updates || undefined);
  const again = await waitForField(t.standin, BLOCK.ports);
  const ack = await t.user.submitView(again, { ...fill(again, { [BLOCK.name]: 'debug-http' }) });
  expect(ack.status).toBe(200);
  await messageMatching(t, 'C_GENERAL', /debug-http/);
  expect(JSON.stringify(t.sim.control.instances())).toContain(SECRETS.token);
  expectNoSecretIn(t.logs);
});

test('Socket Mode at debug level: the view-submission envelope is not logged with the values typed into it', async () => {
  const socket = await startFakeSocketMode();
  try {
    const standin = await startSlackStandin({ botUserId: 'U_BOT', botId: 'B_BOT', teamId: 'T_TEAM' });
    standin.handle('apps.connections.open', () => ({ url: socket.url }));
    t = await startTestBot({ standin, ownsShared: true, env: { LOG_LEVEL: 'debug', SLACK_APP_TOKEN: 'xapp-debug-logs-test' } });
    const who = { user_id: 'U_ALICE', user_name: 'alice', team_id: 'T_TEAM', channel_id: 'C_GENERAL' };
    socket.push({
      envelope_id: 'cmd-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: { token: 'x', ...who, command: '/gpu', text: 'deploy container', response_url: standin.responseUrl('cmd-1', { channel: 'C_GENERAL' }), trigger_id: standin.newTriggerId() },
    });
    const loading = await waitForField(standin, BLOCK.plan);
    const planSelect = elementOf(loading, BLOCK.plan);
    socket.push({
      envelope_id: 'sel-1',
      type: 'interactive',
      accepts_response_payload: false,
      payload: {
        type: 'block_actions',
        user: { id: 'U_ALICE', username: 'alice', team_id: 'T_TEAM' },
        team: { id: 'T_TEAM', domain: 'standin' },
        api_app_id: 'A_STANDIN',
        token: 'x',
        trigger_id: standin.newTriggerId(loading.id),
        container: { type: 'view', view_id: loading.id },
        view: { ...loading, state: { values: {} } },
        actions: [{ type: 'static_select', action_id: planSelect.action_id, block_id: BLOCK.plan, selected_option: { text: { type: 'plain_text', text: 'plan' }, value: PLAN_RTX4090_1X }, action_ts: '1.0' }],
      },
    });
    const form = await waitForField(standin, BLOCK.ports);
    const text = (block: string, value: string) => ({ [elementOf(form, block).action_id]: { type: 'plain_text_input', value } });
    const values = {
      [BLOCK.plan]: { [planSelect.action_id]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'plan' }, value: PLAN_RTX4090_1X } } },
      [BLOCK.name]: text(BLOCK.name, 'debug-socket'),
      [BLOCK.image]: text(BLOCK.image, 'docker.io/acme/private-app:1'),
      [BLOCK.ports]: text(BLOCK.ports, '22/tcp'),
      [BLOCK.env]: text(BLOCK.env, ENV),
      [BLOCK.startup]: text(BLOCK.startup, ''),
      [BLOCK.registryUser]: text(BLOCK.registryUser, 'acme-bot'),
      [BLOCK.registryPassword]: text(BLOCK.registryPassword, SECRETS.password),
    };
    socket.push({
      envelope_id: 'sub-1',
      type: 'interactive',
      accepts_response_payload: true,
      payload: {
        type: 'view_submission',
        user: { id: 'U_ALICE', username: 'alice', team_id: 'T_TEAM' },
        team: { id: 'T_TEAM', domain: 'standin' },
        api_app_id: 'A_STANDIN',
        token: 'x',
        trigger_id: standin.newTriggerId(form.id),
        view: { ...form, state: { values } },
        response_urls: [],
      },
    });
    await standin.waitFor(() => socket.received.find((m) => m.envelope_id === 'sub-1'));
    await messageMatching(t, 'C_GENERAL', /debug-socket/);
    expect(JSON.stringify(t.sim.control.instances())).toContain(SECRETS.password);
    expectNoSecretIn(t.logs);
  } finally {
    await t?.stop();
    t = undefined;
    await socket.close();
  }
}, 15_000);
