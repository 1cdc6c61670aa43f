/**
 * Lease reminders and expiry through the whole bot (issue 11 §6), on the manual clock: deploys
 * through the real modal, the lease job on the scheduler, the outbox delivering to the strict Slack
 * stand-in, clicks as signed requests. A 2 h lease gets one reminder; Extend moves the end and the
 * old end is never reminded again; a restart between reminder and expiry changes nothing;
 * on-expiry=terminate terminates exactly once and not after a last-second extension; a Slack 429
 * on the reminder delivers it once.
 */
import { HOUR_MS, MINUTE_MS } from '../../src/duration';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { ACTION } from '../../src/slack/ids';
import type { SlackUser, StoredMessage } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, instanceIdOf, messageMatching, openDeployModal, reply, submitDeployModal, textOf } from './guardrails-kit';

const REMINDER = /The lease of .* ends in/;
const EXPIRED = /lease of .* has ended, but it still runs|still runs .* after its lease ended/;

describe('lease reminders and expiry', () => {
  let t: TestBot;
  const as = (id: string, channel = 'C_GENERAL'): SlackUser => t.user.withUser(id).inChannel(channel);

  /** Moves the clock, runs the lease job, delivers the outbox. */
  async function leaseTick(ms: number): Promise<void> {
    await t.bot.context.inflight.idle();
    t.clock.advance(ms);
    await t.bot.scheduler.runNow('leases');
    await t.bot.delivery.deliverDue();
  }

  /** Deploys through the real form with a lease; returns its id, its deploy message and when its lease ends. */
  async function deploy(user: SlackUser, name: string, lease: string, channel = 'C_GENERAL'): Promise<{ id: string; parent: StoredMessage; end: number }> {
    const t0 = t.clock.now();
    const ack = await submitDeployModal(user, await openDeployModal(t, user), { planId: PLAN_RTX4090_1X, name, lease });
    expect(JSON.stringify(ack.body)).toMatch(/Deployed/);
    const parent = await messageMatching(t, channel, new RegExp(`${name}.* is being deployed`));
    const id = await instanceIdOf(t, name);
    return { id, parent, end: t0 + (lease === '2h' ? 2 * HOUR_MS : 8 * HOUR_MS) };
  }

  const inThread = (parent: StoredMessage, re: RegExp) =>
    t.standin.messages(parent.channel).filter((m) => m.thread_ts === parent.ts && re.test(textOf(m)));
  const deletesOf = (id: string) => t.sim.control.requests.filter((r) => r.method === 'DELETE' && r.path.includes(id)).length;

  beforeEach(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
  });
  afterEach(async () => {
    await t?.stop();
  });

  test('a 2 h lease gets one reminder 30 min before its end; Extend 2 h moves the end, the old end is never reminded again', async () => {
    const { id, parent, end } = await deploy(as(DEPLOYER), 'lease-box', '2h');
    await t.tick(130_000); // ACTIVE, ready reply
    await leaseTick(end - 31 * MINUTE_MS - t.clock.now());
    expect(inThread(parent, REMINDER)).toHaveLength(0);
    await leaseTick(MINUTE_MS);
    await leaseTick(MINUTE_MS);
    const [reminder, ...more] = inThread(parent, REMINDER);
    expect(more).toHaveLength(0);
    const text = textOf(reminder);
    expect(text).toMatch(new RegExp(`^<@${DEPLOYER}> The lease of \`lease-box\` ends in 30m`));
    expect(text).toMatch(/\*Up for\* 1h3\dm · \*spent so far\* \$\d+\.\d\d · \*price\* \$0\.\d\d\/h · \*lease ends\* <!date\^/);
    const buttons = reminder!.blocks!.flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b: any) => b.text.text)).toEqual(['Extend 2 h', 'Extend 8 h', 'Terminate now']);
    expect(buttons[2].confirm).toBeDefined();

    // a viewer's click is refused at the click, to them alone; nothing changes
    const refused = await as(VIEWER).clickButton(reminder!, ACTION.leaseExtend2h);
    expect(textOf(await reply(t, refused))).toMatch(/⛔/);
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(end);

    // the owner extends: 2 h from the reminded end; the reminder is replaced by who extended it
    const click = await as(DEPLOYER).clickButton(reminder!, ACTION.leaseExtend2h);
    expect(textOf(await reply(t, click))).toMatch(new RegExp(`<@${DEPLOYER}> extended the lease of \`lease-box\`: it now ends <!date\\^${Math.floor((end + 2 * HOUR_MS) / 1000)}\\^`));
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(end + 2 * HOUR_MS);
    // a second click on the same reminder extends nothing more
    const again = await as(DEPLOYER).clickButton(reminder!, ACTION.leaseExtend2h);
    expect(textOf(await reply(t, again))).toMatch(/nothing changed/);
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(end + 2 * HOUR_MS);

    // past the old end: no expiry, no second reminder for it
    await leaseTick(end + MINUTE_MS - t.clock.now());
    expect(inThread(parent, EXPIRED)).toHaveLength(0);
    expect(inThread(parent, REMINDER)).toHaveLength(0); // the only one was replaced by the extension
    // the new end gets its own reminder, once
    await leaseTick(end + 2 * HOUR_MS - 30 * MINUTE_MS - t.clock.now());
    await leaseTick(MINUTE_MS);
    expect(inThread(parent, REMINDER)).toHaveLength(1);
    const audit = (await t.bot.context.store.audit.recent(10)).filter((e) => e.action === 'lease' && e.instanceId === id);
    expect(audit.map((e) => [e.actorId, e.outcome])).toEqual([[DEPLOYER, 'ok'], [VIEWER, 'refused']]);
  });

  test('a restart between reminder and expiry changes nothing: one reminder, one expiry notice (thread and channel), then one repeat per LEASE_NAG_HOURS', async () => {
    const { parent, end } = await deploy(as(DEPLOYER), 'restart-box', '2h');
    await t.tick(130_000);
    await leaseTick(end - 20 * MINUTE_MS - t.clock.now());
    expect(inThread(parent, REMINDER)).toHaveLength(1);
    t = await t.restart();
    await leaseTick(MINUTE_MS);
    expect(inThread(parent, REMINDER)).toHaveLength(1);
    await leaseTick(end - t.clock.now());
    await leaseTick(MINUTE_MS);
    const expired = inThread(parent, EXPIRED);
    expect(expired).toHaveLength(1);
    expect(textOf(expired[0])).toMatch(new RegExp(`<@${DEPLOYER}> The lease of \`restart-box\` has ended, but it still runs: it costs \\$0\\.\\d\\d/h`));
    expect(String(expired[0]!.reply_broadcast)).toBe('true'); // also shown in the channel (form-encoded by the Web API client)
    t = await t.restart();
    await leaseTick(4 * HOUR_MS - 2 * MINUTE_MS);
    expect(inThread(parent, EXPIRED)).toHaveLength(1);
    await leaseTick(2 * MINUTE_MS);
    await leaseTick(MINUTE_MS);
    expect(inThread(parent, EXPIRED)).toHaveLength(2);
    expect(inThread(parent, REMINDER)).toHaveLength(1);
    // the owner terminates it from the notice (the card's confirmation and path): no more repeats
    const [, last] = inThread(parent, EXPIRED);
    const click = await as(DEPLOYER).clickButton(last!, ACTION.terminate);
    expect(textOf(await reply(t, click))).toMatch(/ENDED|Terminated/);
    await leaseTick(8 * HOUR_MS);
    // the clicked notice became the ENDED card; the first one stays; no new one
    expect(inThread(parent, EXPIRED)).toHaveLength(1);
  });

  test('on-expiry=terminate: terminated exactly once by lease policy, with the final spend; a last-second extension keeps the other one running', async () => {
    expect(await command(t, as(ADMIN), 'policy <#CML> on-expiry=terminate')).toMatch(/on-expiry \*terminate\*/);
    const doomed = await deploy(as(DEPLOYER, 'CML'), 'doomed-box', '2h', 'CML');
    const saved = await deploy(as(DEPLOYER, 'CML'), 'saved-box', '2h', 'CML');
    await t.tick(130_000);
    await leaseTick(doomed.end - 1000 - t.clock.now());
    // one second before the end, the owner gives saved-box another hour
    expect(await command(t, as(DEPLOYER, 'CML'), 'lease saved-box 1h')).toMatch(/now ends/);
    await leaseTick(saved.end - t.clock.now() + 1000);
    await leaseTick(MINUTE_MS);
    t = await t.restart();
    await leaseTick(MINUTE_MS);

    expect(deletesOf(doomed.id)).toBe(1);
    expect(deletesOf(saved.id)).toBe(0);
    expect((await t.bot.context.fluence.getInstance('container', doomed.id)).state).toBe('ended');
    expect((await t.bot.context.fluence.getInstance('container', saved.id)).state).toBe('active');
    const replies = inThread(doomed.parent, /terminated by lease policy/);
    expect(replies).toHaveLength(1);
    expect(textOf(replies[0])).toMatch(/Final spend: \$\d+\.\d\d/);
    expect(inThread(saved.parent, /terminated by lease policy/)).toHaveLength(0);
    const audit = (await t.bot.context.store.audit.recent(20)).filter((e) => e.action === 'terminate');
    expect(audit).toMatchObject([{ actorId: 'lease policy', instanceId: doomed.id, outcome: 'ok', detail: expect.stringMatching(/^terminated by lease policy/) }]);
  });

  test('a Slack 429 on the reminder: the same reminder goes out once, after Retry-After', async () => {
    const { parent, end } = await deploy(as(DEPLOYER), 'limited-box', '2h');
    await t.tick(130_000);
    const posts = () => t.standin.callsTo('chat.postMessage').filter((c) => REMINDER.test(String(c.args.text ?? ''))).length;
    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 30, times: 1 });
    await leaseTick(end - 30 * MINUTE_MS - t.clock.now());
    expect(posts()).toBe(1);
    expect(inThread(parent, REMINDER)).toHaveLength(0);
    await leaseTick(10_000); // still inside Retry-After: nothing is sent
    expect(posts()).toBe(1);
    await leaseTick(25_000);
    await leaseTick(MINUTE_MS);
    expect(posts()).toBe(2);
    expect(inThread(parent, REMINDER)).toHaveLength(1);
  });

  test('the thread cannot be written to (bot removed from the channel): the reminder goes to the owner as a DM, once', async () => {
    const { end } = await deploy(as(DEPLOYER), 'dm-box', '2h');
    await t.tick(130_000);
    t.standin.fail('chat.postMessage', { error: 'not_in_channel', channel: 'C_GENERAL' });
    await leaseTick(end - 30 * MINUTE_MS - t.clock.now());
    await leaseTick(MINUTE_MS);
    const dms = t.standin.messages().filter((m) => m.channel !== 'C_GENERAL' && REMINDER.test(textOf(m)));
    expect(dms).toHaveLength(1);
    expect(t.standin.callsTo('conversations.open').map((c) => c.args.users)).toContain(DEPLOYER);
    const buttons = dms[0]!.blocks!.flatMap((b: any) => (b.type === 'actions' ? b.elements : []));
    expect(buttons.map((b: any) => b.text.text)).toEqual(['Extend 2 h', 'Extend 8 h', 'Terminate now']);
  });

  test("extending past the channel's max-lease from the reminder needs an admin, checked at the click", async () => {
    expect(await command(t, as(ADMIN), 'policy <#CMAX> lease=2h max-lease=3h')).toMatch(/max-lease \*3h\*/);
    const { id, parent, end } = await deploy(as(DEPLOYER, 'CMAX'), 'capped-box', '2h', 'CMAX');
    await t.tick(130_000);
    await leaseTick(end - 30 * MINUTE_MS - t.clock.now());
    const [reminder] = inThread(parent, REMINDER);
    expect(textOf(reminder)).toMatch(/\(the channel's max-lease\) only an admin can extend it/);
    const owner = await as(DEPLOYER, 'CMAX').clickButton(reminder!, ACTION.leaseExtend2h);
    expect(textOf(await reply(t, owner))).toMatch(/⛔ Leases in <#CMAX> are at most 3h from the deploy.*Only an admin/);
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(end);
    const admin = await as(ADMIN, 'CMAX').clickButton(reminder!, ACTION.leaseExtend2h);
    expect(textOf(await reply(t, admin))).toMatch(/As an admin they went past the channel's max-lease/);
    expect((await t.bot.context.store.leases.get(id))!.endsAt).toBe(end + 2 * HOUR_MS);
  });
});
