/**
 * Issue 9 §3, instance lookup: ids before names, and no name that can pass for someone else's id.
 * Repro: Mallory names her instance after the first 8 characters of the victim's id; the admin's
 * `/gpu rename <prefix> x` renamed Mallory's instance instead of the victim's.
 */
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { BLOCK } from '../../src/slack/ids';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, command, deployViaModal } from './guardrails-kit';

const puts = (t: TestBot) => t.sim.control.requests.filter((r) => r.method === 'PUT');
const nameOf = (t: TestBot, id: string) => t.sim.control.instances().find((i) => i.id === id)!.name;

describe('instance lookup: ids first, ambiguity said out loud', () => {
  let t: TestBot;
  const admin = () => t.user.withUser(ADMIN);
  beforeEach(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: ADMIN } });
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('a name equal to another instance\'s id prefix: the bot says it is ambiguous, lists both, changes nothing', async () => {
    const [victim, mallory] = t.sim.control.seedInstances(2, 'vm', { namePrefix: 'box' }) as [string, string];
    const prefix = victim.slice(0, 8);
    // named before the bot refused such names (or outside the bot): Fluence accepts it
    await t.bot.context.fluence.renameInstance('vm', mallory, prefix);
    const before = puts(t).length;

    const answer = await command(t, admin(), `rename ${prefix} renamed-x`);
    expect(answer).toMatch(/ambiguous/);
    expect(answer).toContain('box-0'); // the victim, by its id prefix
    expect(answer).toContain(prefix); // Mallory's, by name
    expect(puts(t)).toHaveLength(before);
    expect(nameOf(t, mallory)).toBe(prefix);
    expect(nameOf(t, victim)).toBe('box-0');

    const status = await command(t, admin(), `status ${prefix}`);
    expect(status).toMatch(/ambiguous/);

    // the full id is never ambiguous
    expect(await command(t, admin(), `rename ${victim} renamed-x`)).toMatch(/Renamed `box-0` to `renamed-x`/);
    expect(nameOf(t, mallory)).toBe(prefix);
  });

  it('an id prefix that only matches an id still works', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' }) as [string];
    expect(await command(t, admin(), `status ${vm.slice(0, 8)}`)).toContain('box-0');
  });

  it('deploy refuses a name that looks like an id prefix, under the name field', async () => {
    const ack = await deployViaModal(t, admin(), { planId: PLAN_RTX4090_1X, name: '1a2b3c4d' });
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.name]).toMatch(/looks like the start of an instance id/);
    expect(t.sim.control.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
