/**
 * Every way a watched deploy can end, seen from Slack: ready (bare metal here; containers and VMs
 * in deploy.test.ts), FAILED, ENDED elsewhere, and too slow (timeout reply, then the hard limit).
 */
import { ACTION, BLOCK } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { fill, latestView, waitForField } from '../support/modal';

const SSH = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

async function deploy(t: TestBot, type: 'container' | 'baremetal', name: string): Promise<{ ts: string }> {
  await t.user.command(type === 'container' ? 'deploy' : 'deploy baremetal');
  const view = await waitForField(t.standin, BLOCK.plan);
  const plan = view.blocks.find((b: any) => b.block_id === BLOCK.plan).element;
  await t.user.selectOption(view, plan.action_id, plan.options[0].value);
  const form =
    type === 'container'
      ? await waitForField(t.standin, BLOCK.ports)
      : await t.standin.waitFor(() => {
          const v = latestView(t.standin);
          return v.blocks.find((b: any) => b.block_id === BLOCK.osImage)?.element ? v : undefined;
        });
  const fields: Record<string, string> =
    type === 'container'
      ? { [BLOCK.name]: name, [BLOCK.ports]: '22', [BLOCK.sshKey]: SSH }
      : { [BLOCK.name]: name, [BLOCK.sshKey]: SSH, [BLOCK.osImage]: form.blocks.find((b: any) => b.block_id === BLOCK.osImage).element.options[0].value };
  const ack = await t.user.submitView(form, fill(form, fields));
  expect(ack.body.response_action).toBe('update');
  const parent = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => !m.thread_ts && (m.text ?? '').includes(name)));
  await t.bot.context.inflight.idle();
  return { ts: parent.ts };
}

const thread = (t: TestBot, ts: string) => t.standin.messages('C_GENERAL').filter((m) => m.thread_ts === ts);

describe('how a watched deploy ends, in Slack', () => {
  let t: TestBot;
  afterEach(async () => {
    await t.stop();
  });

  it('bare metal: one ready reply with the SSH command, and the deploy message shows ACTIVE', async () => {
    t = await startTestBot();
    const { ts } = await deploy(t, 'baremetal', 'metal-box');
    expect(t.sim.control.requests.filter((r) => r.method === 'POST' && r.path === '/gpu/instances/baremetal')).toHaveLength(1);
    await t.tick(130_000);
    await t.tick();
    const replies = thread(t, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/<@U_ALICE> metal-box is ready: ssh \w+@/);
    expect(t.standin.messages('C_GENERAL').find((m) => m.ts === ts)!.text).toMatch(/ACTIVE/);
  });

  it('FAILED in a channel: one reply saying so and that the reserve is refunded; its events and logs behind buttons', async () => {
    t = await startTestBot();
    const { ts } = await deploy(t, 'container', 'will-fail'); // the simulator fails names matching /fail/
    await t.tick(130_000);
    await t.tick();
    await t.tick();
    const replies = thread(t, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/<@U_ALICE> will-fail failed to deploy; the reserve is refunded/);
    // lines may hold secrets: the owner and admins read them through the buttons (watch-diagnostics-privacy.test.ts)
    expect(JSON.stringify(replies[0]!.blocks)).not.toMatch(/Last events/);
    expect(JSON.stringify(replies[0]!.blocks)).toContain(ACTION.logs);
    expect(t.standin.messages('C_GENERAL').find((m) => m.ts === ts)!.text).toMatch(/FAILED/);
  });

  it('ENDED elsewhere while provisioning: one reply saying so, and the watch stops', async () => {
    t = await startTestBot();
    const { ts } = await deploy(t, 'container', 'gone-box');
    const id = (await t.bot.context.store.watches.listWatching())[0]!.instanceId;
    t.sim.control.setStatus(id, 'ENDED');
    await t.tick();
    await t.tick();
    expect(thread(t, ts).map((m) => m.text)).toEqual([expect.stringMatching(/<@U_ALICE> gone-box has ended/)]);
    t.sim.control.resetRequests();
    await t.tick();
    expect(t.sim.control.requests).toEqual([]); // nothing left to poll
  });

  it('too slow: one "taking long" reply with a Terminate button after WATCH_TIMEOUT_MS, one "stopped watching" at the hard limit', async () => {
    t = await startTestBot({
      env: { WATCH_TIMEOUT_MS: String(30 * 60_000), WATCH_HARD_LIMIT_MS: String(60 * 60_000) },
      simulator: { provisioningDelayMs: 10 * 60 * 60_000 },
    });
    const { ts } = await deploy(t, 'container', 'slow-box');
    for (let i = 0; i < 3; i++) await t.tick(15 * 60_000); // 45 min
    let replies = thread(t, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/slow-box is taking long/);
    expect(JSON.stringify(replies[0]!.blocks)).toContain(ACTION.terminate);
    for (let i = 0; i < 3; i++) await t.tick(15 * 60_000); // 90 min: past the hard limit
    replies = thread(t, ts);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.text).toMatch(/Stopped watching slow-box/);
    expect((await t.bot.context.store.watches.listWatching())).toEqual([]);
  });
});
