import { startTestBot, type TestBot } from '../support/bot-harness';
import { nthResponse, visibleText } from '../support/responses';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});

async function answer(text: string, user = t.user): Promise<any> {
  const ack = await user.command(text);
  expect(ack.status).toBe(200);
  return nthResponse(t.standin, ack.responseUrl!);
}

/** Top-level messages in a channel, and the replies under one of them. */
const posts = (channel: string) => t.standin.messages(channel).filter((m) => !m.thread_ts);
const replies = (channel: string, ts: string) => t.standin.messages(channel).filter((m) => m.thread_ts === ts);

describe('/gpu watch', () => {
  it('watches a provisioning instance made elsewhere: a status message here, then exactly one ready reply in its thread', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'outside' });
    const ack = await t.user.command('watch outside-0');
    expect(ack.status).toBe(200);
    const status = await t.standin.waitFor(() => posts('C_GENERAL').find((m) => String(m.text).includes('outside-0')));
    // priced from the catalogue: Fluence bills nothing before ACTIVE (seeded instances run the 1-vCPU A100 plan, $1.22/h)
    expect(visibleText(status)).toMatch(/`outside-0` \(container\) is being deployed by <@U_ALICE>: A100 80GB SXM × 1, \$1\.22\/h — 🟡 INITIALIZED/);

    await t.tick();
    expect(replies('C_GENERAL', status.ts)).toEqual([]);

    t.sim.control.setStatus(id!, 'ACTIVE');
    await t.tick();
    await t.tick();
    await t.tick();
    const thread = replies('C_GENERAL', status.ts);
    expect(thread).toHaveLength(1);
    expect(visibleText(thread[0]!)).toMatch(/<@U_ALICE> `outside-0` is ready/);
    expect(visibleText(thread[0]!)).toMatch(/ssh -p \d+ root@/);
    // the living status message was edited in place, not reposted
    const edited = posts('C_GENERAL').find((m) => m.ts === status.ts)!;
    expect(edited.edited).toBeDefined();
    expect(visibleText(edited)).toMatch(/ACTIVE/);

    const audit = (await t.bot.context.store.audit.recent(5)).find((e) => e.action === 'watch' && e.instanceId === id);
    expect(audit).toMatchObject({ actorId: 'U_ALICE', outcome: 'ok', instanceName: 'outside-0' });
  });

  it('watching the same instance again says where it is watched and posts nothing new', async () => {
    t.sim.control.seedInstances(1, 'vm', { status: 'INITIALIZED', namePrefix: 'twice' });
    await t.user.command('watch twice-0');
    await t.standin.waitFor(() => posts('C_GENERAL').find((m) => String(m.text).includes('twice-0')));
    const before = t.standin.messages().length;
    const again = await answer('watch twice-0', t.user.inChannel('C_OTHER'));
    expect(visibleText(again)).toContain('`twice-0` is already being watched in <#C_GENERAL>');
    expect(t.standin.messages().length).toBe(before);
  });

  it.each([
    ['ENDED', /has already ended: there is nothing to watch/],
    ['FAILED', /has already failed: there is nothing to watch/],
  ] as const)('an instance that is %s is not watched', async (status, said) => {
    const [id] = t.sim.control.seedInstances(1, 'baremetal', { status, namePrefix: `done-${status.toLowerCase()}` });
    const msg = await answer(`watch ${id}`);
    expect(visibleText(msg)).toMatch(said);
    expect(await t.bot.context.store.watches.get(id!)).toBeUndefined();
    expect(t.standin.messages().some((m) => String(m.text).includes(`done-${status.toLowerCase()}`))).toBe(false);
  });

  it('resolve errors are answered with their message', async () => {
    expect(visibleText(await answer('watch nothing-here'))).toContain('No instance matches `nothing-here`');
  });

  it('in a channel the bot is not in: explains how to invite it, and follows the instance in a DM', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'private' });
    t.standin.fail('chat.postMessage', { error: 'not_in_channel', channel: 'C_PRIVATE' });
    const msg = await answer('watch private-0', t.user.inChannel('C_PRIVATE'));
    expect(visibleText(msg)).toMatch(/invite me with `\/invite @gpu-bot`/);
    const dm = await t.standin.waitFor(() => t.standin.messages().find((m) => m.channel.startsWith('D') && String(m.text).includes('private-0')));
    await t.bot.context.inflight.idle(); // the watch is stored once Slack has answered the DM post
    expect(await t.bot.context.store.watches.get(id!)).toMatchObject({ channelId: dm.channel, messageTs: dm.ts });
    t.sim.control.setStatus(id!, 'ACTIVE');
    await t.tick();
    await t.tick();
    expect(replies(dm.channel, dm.ts)).toHaveLength(1);
    expect(t.standin.messages('C_PRIVATE')).toEqual([]);
  });
});

describe('/gpu watch with roles (a real API key)', () => {
  let r: TestBot;
  beforeAll(async () => {
    r = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: 'UADMIN01' } });
    r.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'roles' });
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('a viewer is refused, told who can grant access, and the refusal is audited', async () => {
    const ack = await r.user.command('watch roles-0');
    const msg = await nthResponse(r.standin, ack.responseUrl!);
    expect(visibleText(msg)).toMatch(/You need the deployer role to watch instances; you are a viewer\. Ask an admin \(<@UADMIN01>\)/);
    expect(r.standin.messages()).toEqual([]);
    expect((await r.bot.context.store.audit.recent(1))[0]).toMatchObject({ action: 'watch', outcome: 'refused', actorId: 'U_ALICE' });
  });

  it('an admin may watch', async () => {
    const admin = r.user.withUser('UADMIN01');
    await admin.command('watch roles-0');
    const status = await r.standin.waitFor(() => r.standin.messages('C_GENERAL')[0]);
    expect(visibleText(status)).toContain('<@UADMIN01>');
  });
});
