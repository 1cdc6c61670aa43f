/**
 * The watcher's promise across a process restart and an unreachable channel, through Slack:
 * deploy from the modal, restart the bot on the same database file mid-provisioning, and still
 * get exactly one ready reply in the deploy's thread.
 */
import { startTestBot, type TestBot } from '../support/bot-harness';
import { fill, latestView, waitForField } from '../support/modal';
import { BLOCK } from '../../src/slack/ids';

async function deployContainer(t: TestBot, name: string): Promise<void> {
  await t.user.command('deploy');
  const view = await waitForField(t.standin, BLOCK.plan);
  const plan = view.blocks.find((b: any) => b.block_id === BLOCK.plan).element;
  await t.user.selectOption(view, plan.action_id, plan.options[0].value);
  const form = await waitForField(t.standin, BLOCK.ports);
  const ack = await t.user.submitView(latestView(t.standin), fill(form, { [BLOCK.name]: name, [BLOCK.ports]: '22' }));
  expect(ack.body.response_action).toBe('update');
}

describe('watching across a restart', () => {
  let t: TestBot;
  afterEach(async () => {
    await t.stop();
  });

  it('resumes the watch after a restart on the same database and replies exactly once', async () => {
    t = await startTestBot();
    await deployContainer(t, 'survivor');
    const parent = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => !m.thread_ts && /survivor/.test(m.text ?? '')));
    await t.tick(30_000); // still provisioning (120 s)
    t = await t.restart();
    await t.tick(100_000); // now ACTIVE
    await t.tick(15_000);
    await t.tick(15_000);
    const replies = t.standin.messages('C_GENERAL').filter((m) => m.thread_ts === parent.ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/survivor is ready: ssh -p \d+ root@/);
  });

  it('announces in a DM when the bot cannot post in the channel, and replies there', async () => {
    t = await startTestBot();
    t.standin.fail('chat.postMessage', { error: 'not_in_channel', channel: 'C_GENERAL' });
    await deployContainer(t, 'dm-me');
    const parent = await t.standin.waitFor(() => t.standin.messages('D_ALICE').find((m) => !m.thread_ts && /dm-me/.test(m.text ?? '')));
    expect(parent.text).toMatch(/could not post in <#C_GENERAL>/);
    await t.tick(130_000);
    const reply = await t.standin.waitFor(() => t.standin.messages('D_ALICE').find((m) => m.thread_ts === parent.ts));
    expect(reply.text).toMatch(/dm-me is ready/);
  });
});
