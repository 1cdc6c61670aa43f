/**
 * Issue 9 §1, the real process: a bot killed (SIGKILL, no shutdown) while its deploy POST is still
 * unanswered leaves a pending claim; the next process adopts the instance Fluence made at start-up
 * and announces it in the channel. Before, the claim stayed pending forever and nothing was said.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/simulator';
import { BLOCK, VIEW } from '../../src/slack/ids';
import { SlackUser, startSlackStandin } from '../../src/standin';
import { fill } from '../support/modal';
import { startBotProcess } from '../support/bot-process';

const SECRET = 'process-kill-signing-secret';
const SSH = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';

it('a bot killed mid-POST: the next process adopts and announces the instance at start-up', async () => {
  const standin = await startSlackStandin();
  const sim = await startSimulator({ provisioningDelayMs: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-bot-kill-'));
  const children: ChildProcess[] = [];
  let output = () => '';
  const launch = async () => {
    const bot = await startBotProcess({
      SLACK_BOT_TOKEN: 'xoxb-process-kill',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: standin.apiUrl,
      DATABASE_PATH: join(dir, 'bot.sqlite'),
      FLUENCE_API_URL: sim.url,
      FLUENCE_API_KEY: sim.apiKey,
      FLUENCE_TIMEOUT_MS: '10000', // the POST is still waiting when the process dies (killed at once); its in-flight claim lapses 15 s later
      GPU_BOT_ADMINS: 'UALICE',
    });
    children.push(bot.child);
    output = bot.output;
    return bot;
  };
  try {
    const first = await launch();
    const user = new SlackUser({ botUrl: `http://127.0.0.1:${first.port}/slack/events`, signingSecret: SECRET, standin, userId: 'UALICE', channelId: 'C_GENERAL' });
    sim.control.setFaults({ lostAnswerNext: { count: 1, status: 0 }, onlyPaths: /^\/gpu\/instances\/$/ });
    expect((await user.command('deploy')).status).toBe(200);
    const form = await standin.waitFor(
      () => [...standin.views().values()].find((v) => v.callback_id === VIEW.deploy && (v.blocks ?? []).some((b: any) => b.block_id === BLOCK.ports)),
      30_000,
    );
    const plan = form.blocks.find((b: any) => b.block_id === BLOCK.plan).element.options[0].value;
    await user.submitView(form, fill(form, { [BLOCK.plan]: plan, [BLOCK.name]: 'killed-mid-post', [BLOCK.ports]: '22', [BLOCK.sshKey]: SSH }));
    await standin.waitFor(() => sim.control.instances().find((i) => i.name === 'killed-mid-post'), 30_000);

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(standin.messages('C_GENERAL').filter((m) => /killed-mid-post/.test(String(m.text)))).toHaveLength(0);

    await launch();
    const announced = await standin
      .waitFor(() => standin.messages('C_GENERAL').find((m) => !m.thread_ts && /killed-mid-post/.test(String(m.text))), 30_000)
      .catch((err) => {
        throw new Error(`${String(err)}\n--- bot output ---\n${output().slice(-4000)}`);
      });
    expect(announced.text).toMatch(/killed-mid-post/);
    expect(sim.control.instances().filter((i) => i.name === 'killed-mid-post')).toHaveLength(1);
    expect(sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sim.stop();
    await standin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
