/**
 * The deploy flow end to end: signed Slack requests -> Bolt -> handlers -> DeployService ->
 * Fluence client -> simulator, with the Slack Web API answered by the stand-in.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';
import { fill, latestView, waitForField } from '../support/modal';
import { BLOCK } from '../../src/slack/ids';

const SSH = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

describe('deploy from Slack', () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot();
  });
  afterEach(async () => {
    await t.stop();
  });

  async function openForm(text = 'deploy') {
    const ack = await t.user.command(text);
    expect(ack.status).toBe(200);
    return waitForField(t.standin, BLOCK.name);
  }

  function cheapestPlan(view: any): string {
    const plan = view.blocks.find((b: any) => b.block_id === BLOCK.plan);
    return plan.element.options[0].value;
  }

  it('opens the modal with the trigger at once even when Fluence is slow, then fills in the plans', async () => {
    await t.stop();
    t = await startTestBot({ fluenceTimeoutMs: 10_000 }); // Fluence is slow here, not timed out
    t.sim.control.setFaults({ latencyMs: 4000 });
    const sent = Date.now();
    const ack = await t.user.command('deploy');
    expect(ack.status).toBe(200);
    const open = await t.standin.waitFor(() => t.standin.callsTo('views.open')[0]);
    // the trigger (alive 3 s) is used before Fluence (4 s away) could have answered; the margin
    // is wide on purpose, so a loaded machine does not make this flake
    expect(open.at - sent).toBeLessThan(3000);
    expect(JSON.stringify(open.args.view)).toMatch(/Loading/);
    const view = await waitForField(t.standin, BLOCK.plan, 15_000);
    expect(t.standin.callsTo('views.update').length).toBeGreaterThanOrEqual(1);
    const labels = view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.label.text);
    expect(labels).toEqual(expect.arrayContaining(['Plan', 'Name', 'Image', 'Ports', 'Environment', 'Startup command', 'Location', 'SSH public key']));
  });

  it('deploys a container, announces it in the channel and replies in its thread when ACTIVE', async () => {
    const view = await openForm();
    const planId = cheapestPlan(view);
    await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, planId);
    const form = await t.standin.waitFor(() => {
      const v = latestView(t.standin);
      return v.blocks.find((b: any) => b.block_id === BLOCK.cost)?.text?.text?.includes('/h') ? v : undefined;
    });
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'llm-box', [BLOCK.ports]: '22/tcp, 8000', [BLOCK.sshKey]: SSH }));
    expect(ack.status).toBe(200);
    expect(ack.body.response_action).toBe('update');
    expect(JSON.stringify(ack.body.view)).toMatch(/Deployed/);

    const creates = t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/');
    expect(creates).toHaveLength(1);
    const announcement = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => !m.thread_ts && /llm-box/.test(m.text ?? '')));
    expect(announcement.text).toMatch(/being deployed by <@U_ALICE>/);

    await t.tick(130_000); // provisioning takes 120 s in the simulator here
    const reply = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.thread_ts === announcement.ts));
    expect(JSON.stringify(reply.blocks)).toMatch(/ssh -p \d+ root@/);
    expect(reply.text).toMatch(/<@U_ALICE>/);
    // the living message was edited in place to ACTIVE
    const edited = t.standin.messages('C_GENERAL').find((m) => m.ts === announcement.ts)!;
    expect(edited.text).toMatch(/ACTIVE/);
  });

  it('deploys a VM with the OS image of the chosen option', async () => {
    const view = await openForm('deploy vm');
    const planSelect = view.blocks.find((b: any) => b.block_id === BLOCK.plan).element;
    await t.user.selectOption(view, planSelect.action_id, planSelect.options[0].value);
    const form = await t.standin.waitFor(() => {
      const v = latestView(t.standin);
      return v.blocks.find((b: any) => b.block_id === BLOCK.osImage)?.element ? v : undefined;
    });
    const os = form.blocks.find((b: any) => b.block_id === BLOCK.osImage).element;
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'train-vm', [BLOCK.sshKey]: SSH, [BLOCK.osImage]: os.options[0].value }));
    expect(ack.body.response_action).toBe('update');
    const vmCreates = t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/vms');
    expect(vmCreates).toHaveLength(1);
    await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => /train-vm/.test(m.text ?? '')));
    await t.tick(130_000);
    const reply = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.thread_ts && /ssh ubuntu@/.test(JSON.stringify(m.blocks))));
    expect(reply).toBeTruthy();
  });

  it('shows a local validation error under the field and deploys nothing', async () => {
    const view = await openForm();
    await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, cheapestPlan(view));
    const form = await waitForField(t.standin, BLOCK.ports);
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'Bad_Name', [BLOCK.ports]: '22/tcp, 70000' }));
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.name]).toMatch(/lowercase/);
    expect(ack.body.errors[BLOCK.ports]).toMatch(/65535/);
    expect(t.sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('never deploys twice for a double submit or a Slack retry of the same form', async () => {
    const view = await openForm();
    await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, cheapestPlan(view));
    const form = await waitForField(t.standin, BLOCK.ports);
    // a retry re-sends the very same payload, plan included
    const values = fill(form, { [BLOCK.plan]: cheapestPlan(form), [BLOCK.name]: 'twice', [BLOCK.ports]: '22' });
    const [a, b] = await Promise.all([t.user.submitView(form, values), t.user.submitView(form, values, { retryNum: 1 })]);
    const c = await t.user.submitView(form, values, { retryNum: 2 });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect(t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/')).toHaveLength(1);
    const texts = [a, b, c].map((r) => JSON.stringify(r.body));
    expect(texts.filter((x) => /already/i.test(x)).length).toBe(2);
    // and one announcement only
    await t.standin.waitFor(() => t.standin.messages('C_GENERAL').some((m) => /twice/.test(m.text ?? '')));
    expect(t.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && /twice/.test(m.text ?? ''))).toHaveLength(1);
  });

  it('a slow fresh price read is answered after the ack: Slack gets its answer in time, the modal the result', async () => {
    await t.stop();
    t = await startTestBot({ fluenceTimeoutMs: 6000 }); // slow on purpose, not timed out, even on a busy machine
    const view = await openForm();
    await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, cheapestPlan(view));
    const form = await waitForField(t.standin, BLOCK.ports);
    t.clock.advance(10 * 60_000); // the plan cache (60 s) has expired while the user typed
    t.sim.control.setFaults({ latencyMs: 1500, onlyPaths: /^\/gpu\/(plans|instances)\/$/ }); // price read + POST: 3 s
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'slow-typist', [BLOCK.ports]: '22' }));
    expect(ack.body.response_action).toBe('update');
    expect(JSON.stringify(ack.body.view)).toMatch(/Deploying `slow-typist`/);
    expect(ack.ms).toBeLessThan(2900); // inside Slack's 3 s although the price read and the POST take 3 s
    const done = await t.standin.waitFor(() => (/Deployed/.test(JSON.stringify(t.standin.views().get(form.id))) ? t.standin.views().get(form.id) : undefined), 8000);
    expect(JSON.stringify(done)).toMatch(/slow-typist/);
  });

  it('spends no Fluence list calls on a channel budget when the channel has none', async () => {
    for (const name of ['first-box', 'second-box']) {
      const view = await openForm();
      await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, cheapestPlan(view));
      const form = await waitForField(t.standin, BLOCK.ports);
      t.sim.control.resetRequests();
      const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: name, [BLOCK.ports]: '22' }));
      expect(ack.body.response_action).toBe('update');
      // the channel already has a live instance from the first deploy, but no budget to weigh it against
      expect(t.sim.control.requests.filter((r) => r.method === 'GET' && /^\/gpu\/instances/.test(r.path))).toEqual([]);
      await t.bot.context.inflight.idle();
    }
  });

  it('stops a deploy the balance cannot cover before it reaches Fluence, with the figures', async () => {
    t.sim.control.setBalance(1);
    const view = await openForm();
    await t.user.selectOption(view, view.blocks.find((b: any) => b.block_id === BLOCK.plan).element.action_id, cheapestPlan(view));
    const form = await waitForField(t.standin, BLOCK.ports);
    const ack = await t.user.submitView(form, fill(form, { [BLOCK.name]: 'poor', [BLOCK.ports]: '22' }));
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.plan]).toMatch(/reserves \$[\d.]+ upfront .* balance is \$1\.00/);
    expect(t.sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
