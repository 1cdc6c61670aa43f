/**
 * What Fluence says back to a deploy that passed our own checks, shown where the user fixes it:
 * a 422 under the field its `loc` names, a 400 verbatim at the top of the modal (values kept),
 * and nothing deployed either way. Fluence is the simulator behind a relay that answers the one
 * POST itself (the simulator never rejects a form our checks accept).
 */
import type { SimulatorHandle } from '../../src/simulator';
import { BLOCK } from '../../src/slack/ids';
import type { TestBot } from '../support/bot-harness';
import type { Relay } from '../support/fluence-relay';
import { startRelayedBot, stopRelayedBot } from '../support/relayed-bot';
import { fill, waitForField } from '../support/modal';

describe('Fluence rejects a deploy', () => {
  let sim: SimulatorHandle;
  let relay: Relay;
  let t: TestBot;
  beforeEach(async () => {
    ({ t, sim, relay } = await startRelayedBot());
  });
  afterEach(async () => stopRelayedBot({ t, sim, relay }));

  async function filledForm() {
    await t.user.command('deploy');
    const view = await waitForField(t.standin, BLOCK.plan);
    const plan = view.blocks.find((b: any) => b.block_id === BLOCK.plan).element;
    await t.user.selectOption(view, plan.action_id, plan.options[0].value);
    const form = await waitForField(t.standin, BLOCK.ports);
    return { form, values: fill(form, { [BLOCK.plan]: plan.options[0].value, [BLOCK.name]: 'api-says-no', [BLOCK.ports]: '22, 8080', [BLOCK.env]: 'HF_TOKEN=hf_secret_in_422' }) };
  }

  it('a 422 lands under the field its loc names, without echoing the input', async () => {
    const { form, values } = await filledForm();
    relay.answerNext({
      method: 'POST',
      path: /^\/gpu\/instances\/$/,
      status: 422,
      body: { detail: [{ type: 'value_error', loc: ['body', 'container_settings', 'expose', 1, 'port'], msg: 'Value error, Port 8080 is reserved', input: '8080' }, { type: 'value_error', loc: ['body', 'container_settings', 'environment', 0, 'value'], msg: 'Value error, value rejected', input: 'hf_secret_in_422' }] },
    });
    const ack = await t.user.submitView(form, values);
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.ports]).toMatch(/Port 8080 is reserved/);
    expect(ack.body.errors[BLOCK.env]).toMatch(/value rejected/);
    expect(JSON.stringify(ack.body)).not.toContain('hf_secret_in_422');
    expect(sim.control.instances()).toHaveLength(0);
    // the form was not consumed: fixing the field and submitting again deploys once
    const again = await t.user.submitView(form, { ...values, ...fill(form, { [BLOCK.ports]: '22' }) });
    expect(again.body.response_action).toBe('update');
    expect(sim.control.instances()).toHaveLength(1);
  });

  it('a 422 whose message quotes a secret value shows the message with the value masked', async () => {
    const { form, values } = await filledForm();
    relay.answerNext({
      method: 'POST',
      path: /^\/gpu\/instances\/$/,
      status: 422,
      body: { detail: [{ type: 'value_error', loc: ['body', 'container_settings', 'environment', 0, 'value'], msg: "Value error, 'hf_secret_in_422' is not a valid value", input: 'hf_secret_in_422' }] },
    });
    const ack = await t.user.submitView(form, values);
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.env]).toMatch(/is not a valid value/);
    expect(JSON.stringify(ack.body)).not.toContain('hf_secret_in_422');
  });

  it('a 400 is shown verbatim at the top of the modal, which keeps what was typed', async () => {
    const { form, values } = await filledForm();
    const detail = 'Plan is no longer available in the requested location';
    relay.answerNext({ method: 'POST', path: /^\/gpu\/instances\/$/, status: 400, body: { detail } });
    const ack = await t.user.submitView(form, values);
    expect(ack.body.response_action).toBe('update');
    const view = ack.body.view;
    expect(view.blocks[0].text.text).toContain(detail);
    const name = view.blocks.find((b: any) => b.block_id === BLOCK.name);
    expect(name.element.initial_value).toBe('api-says-no');
    expect(sim.control.instances()).toHaveLength(0);
  });
});
