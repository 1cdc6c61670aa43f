/**
 * Leases and channel policies through the whole bot (real roles: FLUENCE_API_KEY set): the deploy
 * form's lease menu under a policy, the lease a deploy records, where its end shows (card, list,
 * ready reply), `/gpu lease` for owners, others and admins, and `/gpu policy`.
 */
import { DAY_MS, HOUR_MS } from '../../src/duration';
import { PLAN_RTX4090_1X } from '../../src/simulator/catalog';
import { BLOCK } from '../../src/slack/ids';
import type { SlackUser } from '../../src/standin';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { ADMIN, DEPLOYER, VIEWER, command, instanceIdOf, messageMatching, openDeployModal, submitDeployModal, textOf } from './guardrails-kit';

const REFUSED = /⛔/;
const ML = 'CML';

describe('leases', () => {
  let t: TestBot;
  const as = (id: string, channel = 'C_GENERAL'): SlackUser => t.user.withUser(id).inChannel(channel);
  const leaseOf = (id: string) => t.bot.context.store.leases.get(id);
  const leaseOptions = (view: any) => view.blocks.find((b: any) => b.block_id === BLOCK.lease)?.element;

  /** Deploys through the real form, optionally picking a lease; returns the instance id. */
  async function deploy(user: SlackUser, name: string, lease?: string, channel = 'C_GENERAL'): Promise<{ id: string; view: any }> {
    const view = await openDeployModal(t, user);
    const ack = await submitDeployModal(user, view, { planId: PLAN_RTX4090_1X, name, ...(lease ? { lease } : {}) });
    expect(JSON.stringify(ack.body)).toMatch(/Deployed/);
    await messageMatching(t, channel, new RegExp(name));
    return { id: await instanceIdOf(t, name), view };
  }

  beforeAll(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    expect(await command(t, as(ADMIN), `access grant <@${DEPLOYER}> deployer`)).toMatch(/deployer/);
  });
  afterAll(async () => {
    await t?.stop();
  });

  test('without a policy: the form offers 2 h … 1 week and "until I terminate it", 8 h selected; the deploy records it', async () => {
    const t0 = t.clock.now();
    const { id, view } = await deploy(as(DEPLOYER), 'plain-box');
    const select = leaseOptions(view);
    expect(select.options.map((o: any) => o.text.text)).toEqual(['2 hours', '8 hours (default)', '24 hours', '3 days', '1 week', 'Until I terminate it']);
    expect(select.initial_option.value).toBe('8h');
    expect(await leaseOf(id)).toMatchObject({ ownerId: DEPLOYER, channelId: 'C_GENERAL', endsAt: t0 + 8 * HOUR_MS });
  });

  test('the picked lease is recorded, and its end shows on the card, in the list and in the ready reply', async () => {
    const t0 = t.clock.now();
    await deploy(as(DEPLOYER), 'short-box', '2h');
    const announcement = await messageMatching(t, 'C_GENERAL', /short-box/);
    const id = await instanceIdOf(t, 'short-box');
    const end = t0 + 2 * HOUR_MS;
    expect((await leaseOf(id))!.endsAt).toBe(end);
    const token = `<!date^${Math.floor(end / 1000)}^`;

    await t.tick(130_000);
    const ready = await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => m.thread_ts === announcement.ts && /is ready/.test(m.text ?? '')));
    expect(textOf(ready)).toContain(`lease ends ${token}`);

    const card = await command(t, as(VIEWER), 'status short-box');
    expect(card).toMatch(new RegExp(`\\*Lease\\*\\nends ${token.replace(/[\^|!]/g, '\\$&')}.*\\(in 1h5\\dm\\)`));
    const list = await command(t, as(VIEWER), 'list');
    expect(list.split('\n').find((l) => l.includes('short-box'))).toContain(`lease ends ${token}`);
  });

  test('/gpu policy: everyone reads it, only admins change it (audited), an incoherent one is refused', async () => {
    expect(await command(t, as(VIEWER), 'policy')).toMatch(/Without a policy:\* lease \*8h\* .* no maximum · on-expiry \*remind\*/);
    const refused = await command(t, as(DEPLOYER), `policy <#${ML}> lease=2h`);
    expect(refused).toMatch(REFUSED);
    expect(refused).toMatch(/admin/);
    expect(await t.bot.context.store.policies.get(ML)).toBeUndefined();

    expect(await command(t, as(ADMIN), `policy <#${ML}> max-lease=1h`)).toMatch(/default lease \(8h, the bot's DEFAULT_LEASE_HOURS\) would be longer than max-lease \(1h\)/);
    const set = await command(t, as(ADMIN), `policy <#${ML}> lease=4h max-lease=24h on-expiry=terminate`);
    expect(set).toMatch(/lease \*4h\* · max-lease \*1d\* · on-expiry \*terminate\*/);
    expect(await command(t, as(VIEWER, ML), 'policy')).toMatch(/\*Here\* \(<#CML>\): lease \*4h\*/);
    const audit = (await t.bot.context.store.audit.recent(10)).filter((e) => e.action === 'policy');
    expect(audit.map((e) => e.outcome)).toEqual(expect.arrayContaining(['ok', 'refused']));
    expect((audit.find((e) => e.outcome === 'ok'))!.detail).toMatch(/<#CML>: the defaults → lease 4h, max-lease 1d, on-expiry terminate/);
  });

  test('under a maximum the form offers only what fits, no "until I terminate it"; past it needs an admin', async () => {
    const user = as(DEPLOYER, ML);
    const t0 = t.clock.now();
    const { id, view } = await deploy(user, 'ml-box', undefined, ML);
    expect(leaseOptions(view).options.map((o: any) => o.value)).toEqual(['2h', '4h', '8h', '1d']);
    expect(leaseOptions(view).initial_option.value).toBe('4h');
    expect((await leaseOf(id))!.endsAt).toBe(t0 + 4 * HOUR_MS);

    // a value the form did not offer (forged, or the policy changed meanwhile) is refused there, nothing deployed
    const posts = t.sim.control.requests.filter((r) => r.method === 'POST').length;
    for (const lease of ['off', '3d']) {
      const ack = await submitDeployModal(user, await openDeployModal(t, user), { planId: PLAN_RTX4090_1X, name: 'forged-box', lease });
      expect(ack.body.response_action).toBe('errors');
      expect(ack.body.errors[BLOCK.lease]).toMatch(/Leases in this channel are at most 1d/);
    }
    expect(t.sim.control.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    // an admin may pick past the maximum (they could set it with /gpu lease anyway)
    const admin = as(ADMIN, ML);
    const t1 = t.clock.now();
    const { id: adminMl } = await deploy(admin, 'admin-ml-box', '3d', ML);
    expect((await leaseOf(adminMl))!.endsAt).toBe(t1 + 3 * DAY_MS);

    // the owner: within the maximum yes, past it no (refused and audited)
    expect(await command(t, user, 'lease ml-box 12h')).toMatch(/The lease of `ml-box` now ends <!date\^\d+\^.*\(in 12h\)/);
    expect((await leaseOf(id))!.endsAt).toBe(t.clock.now() + 12 * HOUR_MS);
    const past = await command(t, user, 'lease ml-box 3d');
    expect(past).toMatch(REFUSED);
    expect(past).toMatch(/at most 1d from the deploy.*Only an admin/);
    expect(await command(t, user, 'lease ml-box off')).toMatch(/only an admin can let an instance run until it is terminated/);
    expect((await leaseOf(id))!.endsAt).toBe(t.clock.now() + 12 * HOUR_MS);
    // an admin may, and is told they went past the maximum
    expect(await command(t, as(ADMIN), 'lease ml-box off')).toMatch(/now runs until someone terminates it .*went past the channel's max-lease/);
    expect((await leaseOf(id))!.endsAt).toBeNull();
    const rows = (await t.bot.context.store.audit.recent(20)).filter((e) => e.action === 'lease' && e.instanceId === id);
    expect(rows.map((e) => e.outcome)).toEqual(['ok', 'refused', 'refused', 'ok']);
    expect(rows[0]!.detail).toMatch(/lease off: .* → until terminated \(past max-lease, by an admin\)/);
  });

  test("/gpu lease: a deployer cannot change someone else's, nor an instance deployed elsewhere; an admin can", async () => {
    const { id } = await deploy(as(ADMIN), 'admin-box');
    const other = await command(t, as(DEPLOYER), 'lease admin-box 1w');
    expect(other).toMatch(REFUSED);
    expect(other).toMatch(/Deployers may only set the lease of instances they deployed/);
    expect(await command(t, as(VIEWER), 'lease admin-box 1w')).toMatch(REFUSED);

    const [outside] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'outside' });
    expect(await command(t, as(DEPLOYER), `lease ${outside!.slice(0, 8)} 1d`)).toMatch(REFUSED);
    expect(await leaseOf(outside!)).toBeUndefined();
    expect(await command(t, as(ADMIN), `lease ${outside!.slice(0, 8)} 45m`)).toMatch(/now ends .*\(in 45m\) \(it had no lease\)/);
    expect(await leaseOf(outside!)).toMatchObject({ endsAt: t.clock.now() + 45 * 60_000, type: 'vm', channelId: 'C_GENERAL' });
    expect((await leaseOf(id))!.endsAt).not.toBe(t.clock.now() + 7 * DAY_MS);
  });

  test('/gpu lease and /gpu policy explain bad input before doing anything', async () => {
    expect(await command(t, as(ADMIN), 'lease admin-box')).toMatch(/needs how long from now/);
    expect(await command(t, as(ADMIN), 'lease admin-box 8')).toMatch(/has no unit: write it like/);
    expect(await command(t, as(ADMIN), 'policy #nope lease=2h')).toMatch(/is not a channel/);
    expect(await command(t, as(ADMIN), `policy <#${ML}> on-expiry=explode`)).toMatch(/on-expiry must be remind or terminate/);
    expect(await command(t, as(ADMIN), `policy <#${ML}> off`)).toMatch(/Removed <#CML>'s lease policy/);
    expect(await t.bot.context.store.policies.get(ML)).toBeUndefined();
  });
});
