/**
 * Update (containers) and rename (every type) end to end. Fluence answers come from the real
 * simulator; the few answers the simulator never gives for a valid form (a 422 on a field, an
 * arbitrary 400) come from a small HTTP relay in front of it that can answer one request itself.
 */
import Database from 'better-sqlite3';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import type { AckResult, SlackUser } from '../../src/standin';
import { ACTION, BLOCK, VIEW } from '../../src/slack/ids';
import { ManualClock } from '../../src/watch/clock';
import { nthResponse } from '../support/responses';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { fill, latestView } from '../support/modal';
import { startRelay, type Relay } from '../support/fluence-relay';

const ADMIN = 'UADMIN01';
const DEPLOYER = 'UDEPLOY01';
const VIEWER = 'UVIEWER01';

// ---- helpers ----------------------------------------------------------------------------------

function textOf(v: unknown): string {
  return JSON.stringify(v ?? '');
}

/** The nth (0-based) response_url post answering a command or a click. */
function reply(t: TestBot, ack: AckResult, nth = 0): Promise<any> {
  return nthResponse(t.standin, ack.responseUrl!, nth + 1);
}

const puts = (t: TestBot, id: string) => t.sim.control.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(id));
const simInstance = (t: TestBot, id: string) => t.sim.control.instances().find((i) => i.id === id)!;

/** Waits for a modal (opened after `since` calls to views.*) that has `blockId`, or matches `re`. */
async function modalWith(t: TestBot, what: { block?: string; re?: RegExp }, seen: number): Promise<any> {
  return t.standin.waitFor(() => {
    const calls = t.standin.calls.filter((c) => c.method === 'views.open' || c.method === 'views.update').slice(seen);
    if (!calls.length) return undefined;
    const v = latestView(t.standin);
    if (what.block && !v?.blocks?.some((b: any) => b.block_id === what.block)) return undefined;
    if (what.re && !what.re.test(textOf(v))) return undefined;
    return v;
  });
}

const viewCalls = (t: TestBot) => t.standin.calls.filter((c) => c.method === 'views.open' || c.method === 'views.update').length;

async function openUpdate(t: TestBot, user: SlackUser, id: string): Promise<any> {
  const seen = viewCalls(t);
  await user.command(`update ${id}`);
  return modalWith(t, { block: BLOCK.image }, seen);
}

// ---- update ---------------------------------------------------------------------------------

describe('/gpu update (sandbox, admin)', () => {
  let t: TestBot;
  let sim: SimulatorHandle;
  let relay: Relay;
  let admin: SlackUser;
  let ctr: string;

  beforeEach(async () => {
    const clock = new ManualClock();
    sim = await startSimulator({ now: () => clock.now(), provisioningDelayMs: 120_000, containerStartMs: 5_000, networkDelayMs: 0, updateApplyMs: 2_000 });
    relay = await startRelay(sim.url);
    t = await startTestBot({ clock, sim: { ...sim, url: relay.url }, env: { GPU_BOT_ADMINS: ADMIN } });
    admin = t.user.withUser(ADMIN);
    [ctr] = sim.control.seedInstances(1, 'container', { namePrefix: 'web' }) as [string];
  });
  afterEach(async () => {
    await t?.stop();
    await sim?.stop();
    await relay?.stop();
  });

  it('opens a loading modal with the trigger first, then the form prefilled from the container', async () => {
    sim.control.setFaults({ latencyMs: 800 });
    const sent = Date.now();
    await admin.command(`update ${ctr}`);
    const open = await t.standin.waitFor(() => t.standin.callsTo('views.open')[0]);
    expect(open.at - sent).toBeLessThan(700); // before the (slow) Fluence lookups
    const view = await modalWith(t, { block: BLOCK.image }, 0);
    sim.control.clearFaults();
    expect(view.callback_id).toBe(VIEW.update);
    const initial = (block: string) => view.blocks.find((b: any) => b.block_id === block).element.initial_value;
    expect(initial(BLOCK.name)).toBe('web-0');
    expect(initial(BLOCK.image)).toMatch(/debian-ssh/);
  });

  it('applies an update; typed secrets never reach Slack, logs or the audit; empty values keep the current one', async () => {
    const token = 'tok-unique-93f1c0a7';
    const password = 'pw-unique-5d2e8b44';
    const view = await openUpdate(t, admin, ctr);
    const values = fill(view, {
      [BLOCK.image]: 'docker.io/acme/private:2',
      [BLOCK.env]: `API_TOKEN=${token}\nMODE=fast`,
      [BLOCK.registryUser]: 'acme-bot',
      [BLOCK.registryPassword]: password,
    });
    // Fluence echoing what was typed: shown in the form, but masked
    relay.answerNext({ method: 'PUT', path: /^\/gpu\/instances\//, status: 400, body: { detail: `Login failed with ${password} for API_TOKEN=${token}` } });
    const echoed = await admin.submitView(view, values);
    expect(echoed.body.response_action).toBe('update');
    expect(textOf(echoed.body.view)).toContain('Login failed with ••••••');
    expect(textOf(echoed.body.view)).not.toContain(token);

    const ack = await admin.submitView(view, values);
    expect(ack.status).toBe(200);
    expect(ack.body).toBe(''); // closes the modal
    expect(puts(t, ctr)).toHaveLength(1);
    const note = await t.standin.waitFor(() => t.standin.callsTo('chat.postEphemeral')[0]);
    expect(note.args.user).toBe(ADMIN);
    expect(note.args.text).toMatch(/being updated/);

    t.clock.advance(3_000); // the simulator applies an update after 2 s
    // the key field was left empty: the bot sent the current key back, because a full replacement
    // without ssh_key removes it (the simulator does that, as Fluence's docs imply)
    expect(simInstance(t, ctr).sshKey).toMatch(/^ssh-ed25519 /);
    const again = await openUpdate(t, admin, ctr);
    const envField = again.blocks.find((b: any) => b.block_id === BLOCK.env).element.initial_value;
    // names only (the container's injected SSH_PUBKEY shows up too), never a value
    expect(envField.split('\n')).toEqual(expect.arrayContaining(['API_TOKEN=', 'MODE=']));
    expect(envField).not.toMatch(/=\S/);
    // submit unchanged: the empty values keep what the container has
    expect((await admin.submitView(again)).body).toBe('');
    t.clock.advance(3_000);
    const env = simInstance(t, ctr).container!.config.environment;
    expect(env).toEqual(expect.arrayContaining([{ name: 'API_TOKEN', value: token }, { name: 'MODE', value: 'fast' }]));

    const audit = (await t.bot.context.store.audit.recent(10)).filter((a) => a.action === 'update');
    expect(audit.map((a) => a.outcome)).toEqual(['ok', 'ok', 'error']);
    const allAudit = JSON.stringify(await t.bot.context.store.audit.recent(50));
    for (const where of [JSON.stringify(t.standin.calls), JSON.stringify(t.standin.responses), t.logs.join('\n'), allAudit, textOf(echoed.body)]) {
      expect(where).not.toContain(token);
      expect(where).not.toContain(password);
    }
  });

  it('a double submit (or a Slack retry) of one form sends one PUT', async () => {
    const view = await openUpdate(t, admin, ctr);
    const values = fill(view, { [BLOCK.image]: 'docker.io/acme/app:5' });
    const acks = await Promise.all([admin.submitView(view, values), admin.submitView(view, values, { retryNum: 1 })]);
    expect(acks.map((a) => a.status)).toEqual([200, 200]);
    expect(puts(t, ctr)).toHaveLength(1);
    expect((await t.bot.context.store.audit.recent(5)).filter((a) => a.action === 'update')).toHaveLength(1);
  });

  it('a submission the store cannot record (its claim) sends nothing, and the form stays for another try', async () => {
    const view = await openUpdate(t, admin, ctr);
    const values = fill(view, { [BLOCK.image]: 'docker.io/acme/app:6' });
    const holder = new Database(t.dbPath); // another connection holds the write lock
    holder.exec('BEGIN IMMEDIATE');
    let ack: AckResult;
    try {
      ack = await admin.submitView(view, values);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.name]).toMatch(/could not record this update.*nothing was sent/);
    expect(puts(t, ctr)).toHaveLength(0);
    expect((await admin.submitView(view, values)).status).toBe(200);
    expect(puts(t, ctr)).toHaveLength(1);
  });

  it('a field error stays in the form and costs no Fluence call', async () => {
    const view = await openUpdate(t, admin, ctr);
    const before = sim.control.requests.length;
    const ack = await admin.submitView(view, fill(view, { [BLOCK.name]: 'Bad_Name', [BLOCK.env]: 'lower=1' }));
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.name]).toMatch(/lowercase/);
    expect(ack.body.errors[BLOCK.env]).toBeDefined();
    expect(sim.control.requests.length).toBe(before);
  });

  it("an API 422 lands under the field its loc names", async () => {
    const view = await openUpdate(t, admin, ctr);
    relay.answerNext({
      method: 'PUT', path: /^\/gpu\/instances\//, status: 422,
      body: { detail: [{ type: 'value_error', loc: ['body', 'container_settings', 'image'], msg: 'Value error, manifest unknown for this tag', input: 'x' }] },
    });
    const ack = await admin.submitView(view, fill(view, { [BLOCK.image]: 'docker.io/acme/app:9' }));
    expect(ack.body.response_action).toBe('errors');
    expect(ack.body.errors[BLOCK.image]).toMatch(/manifest unknown for this tag/);
  });

  it('an API 400 is shown verbatim in the form, which stays open for another try', async () => {
    const view = await openUpdate(t, admin, ctr);
    const detail = 'Registry docker.io rejected the credentials: denied, requested access to the resource is denied';
    relay.answerNext({ method: 'PUT', path: /^\/gpu\/instances\//, status: 400, body: { detail } });
    const ack = await admin.submitView(view, fill(view, { [BLOCK.image]: 'docker.io/acme/app:9' }));
    expect(ack.body.response_action).toBe('update');
    expect(textOf(ack.body.view)).toContain(detail);
    expect(ack.body.view.callback_id).toBe(VIEW.update);
    expect(ack.body.view.blocks.some((b: any) => b.block_id === BLOCK.image)).toBe(true);
    expect((await t.bot.context.store.audit.recent(5)).find((a) => a.action === 'update')).toMatchObject({ outcome: 'error' });
  });

  it('an API 403 whose detail holds markup is shown escaped once, not as literal &lt;', async () => {
    const view = await openUpdate(t, admin, ctr);
    relay.answerNext({ method: 'PUT', path: /^\/gpu\/instances\//, status: 403, body: { detail: 'key lacks the <gpu:write> scope & more' } });
    const ack = await admin.submitView(view, fill(view, { [BLOCK.image]: 'docker.io/acme/app:9' }));
    expect(ack.body.response_action).toBe('update');
    const shown = textOf(ack.body.view);
    expect(shown).toContain('key lacks the &lt;gpu:write&gt; scope &amp; more');
    expect(shown).not.toContain('&amp;lt;');
  });

  it("the simulator's concurrent-update 400 is shown in the form", async () => {
    const first = await openUpdate(t, admin, ctr);
    expect((await admin.submitView(first, fill(first, { [BLOCK.image]: 'docker.io/acme/app:1' }))).body).toBe('');
    const second = await openUpdate(t, admin, ctr); // no time passed: the first one is still being applied
    const ack = await admin.submitView(second, fill(second, { [BLOCK.image]: 'docker.io/acme/app:2' }));
    expect(ack.body.response_action).toBe('update');
    expect(textOf(ack.body.view)).toContain('A previous update is still being applied');
  });

  it('when Fluence is slow the modal says "Updating…" within the 3 s and is updated with the result', async () => {
    const view = await openUpdate(t, admin, ctr);
    sim.control.setFaults({ latencyMs: 1_400, onlyPaths: /^\/gpu\/instances\/[0-9a-f-]+$/ });
    const ack = await admin.submitView(view, fill(view, { [BLOCK.image]: 'docker.io/acme/app:3' }));
    expect(ack.ms).toBeLessThan(3_000);
    expect(ack.body.response_action).toBe('update');
    expect(textOf(ack.body.view)).toMatch(/Updating/);
    const done = await t.standin.waitFor(() => t.standin.callsTo('views.update').find((c) => /being updated/.test(textOf(c.args.view))), 5_000);
    expect(done.args.view_id).toBe(view.id);
    expect(puts(t, ctr)).toHaveLength(1);
  });

  it('a VM cannot be updated: the modal says to rename it instead', async () => {
    const [vm] = sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    await admin.command(`update ${vm}`);
    const view = await modalWith(t, { re: /Only the name of a VM can change/ }, 0);
    expect(textOf(view)).toContain('/gpu rename');
    expect(puts(t, vm!)).toHaveLength(0);
  });
});

// ---- rename ---------------------------------------------------------------------------------

describe('/gpu rename (sandbox, admin)', () => {
  let t: TestBot;
  let admin: SlackUser;
  beforeEach(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: ADMIN } });
    admin = t.user.withUser(ADMIN);
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('renames a VM by command: one PUT with the name, confirmed, audited', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const answer = await reply(t, await admin.command(`rename ${vm} gpu-box-2`));
    expect(answer.text).toMatch(/Renamed `box-0` to `gpu-box-2`/);
    expect(simInstance(t, vm!).name).toBe('gpu-box-2');
    expect(puts(t, vm!).map((r) => r.path)).toEqual([`/gpu/instances/vms/${vm}`]);
    expect((await t.bot.context.store.audit.recent(5)).find((a) => a.action === 'rename')).toMatchObject({ outcome: 'ok', instanceName: 'gpu-box-2' });
  });

  it('a container rename by command opens the update form (restart warning, credentials asked) and PUTs only when submitted', async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const seen = viewCalls(t);
    await admin.command(`rename web-0 web-renamed`);
    const view = await modalWith(t, { block: BLOCK.image }, seen);
    expect(view.callback_id).toBe(VIEW.update);
    expect(view.blocks.find((b: any) => b.block_id === BLOCK.name).element.initial_value).toBe('web-renamed');
    expect(textOf(view)).toMatch(/restarts the container/);
    expect(textOf(view)).toMatch(/private.*registry credentials/);
    expect(view.blocks.some((b: any) => b.block_id === BLOCK.registryPassword)).toBe(true);
    expect(puts(t, ctr!)).toHaveLength(0); // nothing renamed behind the user's back
    expect(simInstance(t, ctr!).name).toBe('web-0');

    const ok = await admin.submitView(view, fill(view, { [BLOCK.registryUser]: 'acme', [BLOCK.registryPassword]: 'pw-0123456789' }));
    expect(ok.body).toBe('');
    expect(puts(t, ctr!)).toHaveLength(1);
    const note = await t.standin.waitFor(() => t.standin.callsTo('chat.postEphemeral')[0]);
    expect(note.args.text).toMatch(/`web-renamed` \(renamed from `web-0`\)/);
    expect((await t.bot.context.store.audit.recent(5)).find((a) => a.action === 'update')).toMatchObject({ outcome: 'ok', instanceName: 'web-renamed', detail: 'was web-0' });
    t.clock.advance(3_000); // the simulator applies an update after 2 s
    expect(simInstance(t, ctr!).name).toBe('web-renamed');
  });

  it('a container already named like an id (from before the rule) can still be updated under that name', async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    await t.bot.context.fluence.renameInstance('container', ctr!, 'deadbeef');
    t.clock.advance(3_000); // the simulator applies an update after 2 s
    const view = await openUpdate(t, admin, ctr!);
    expect(view.blocks.find((b: any) => b.block_id === BLOCK.name).element.initial_value).toBe('deadbeef');
    const before = puts(t, ctr!).length;
    const ok = await admin.submitView(view, fill(view, { [BLOCK.image]: 'docker.io/acme/web:2' }));
    expect(ok.body).toBe('');
    expect(puts(t, ctr!)).toHaveLength(before + 1);
  });

  it("a Rename click on a container (an old card, a forged button) opens the update form, never the bare rename", async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const card = { blocks: [{ type: 'actions', block_id: 'a', elements: [{ type: 'button', action_id: ACTION.rename, text: { type: 'plain_text', text: 'Rename' }, value: `container:${ctr}` }] }] };
    await admin.clickButton(card, ACTION.rename);
    const view = await modalWith(t, { block: BLOCK.name }, 0);
    expect(view.callback_id).toBe(VIEW.update);
    expect(view.blocks.some((b: any) => b.block_id === BLOCK.registryPassword)).toBe(true);
    expect(textOf(view)).toMatch(/restarts the container/);
  });

  it('a rename form submitted for a container (old or forged modal) is refused: no PUT without credentials', async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const forged = {
      id: 'V_FORGED', type: 'modal', callback_id: VIEW.rename,
      private_metadata: JSON.stringify({ v: 1, instanceId: ctr, type: 'container' }),
      blocks: [{ type: 'input', block_id: BLOCK.name, label: { type: 'plain_text', text: 'Name' }, element: { type: 'plain_text_input', action_id: 'value', initial_value: 'web-0' } }],
    };
    const ack = await admin.submitView(forged, { [BLOCK.name]: { value: 'web-x' } });
    expect(ack.body.response_action).toBe('errors');
    expect(puts(t, ctr!)).toHaveLength(0);
  });

  it('names that look like an id prefix are refused at rename, by command and in the form', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const answer = await reply(t, await admin.command(`rename ${vm} deadbeef`));
    expect(answer.text).toMatch(/looks like the start of an instance id/);
    expect(puts(t, vm!)).toHaveLength(0);
    const card = await reply(t, await admin.command(`terminate ${vm}`));
    await admin.clickButton(card, ACTION.rename);
    const view = await modalWith(t, { block: BLOCK.name }, 0);
    const bad = await admin.submitView(view, fill(view, { [BLOCK.name]: '0a1b2c3d-4e' }));
    expect(bad.body.response_action).toBe('errors');
    expect(bad.body.errors[BLOCK.name]).toMatch(/looks like the start of an instance id/);
    expect(puts(t, vm!)).toHaveLength(0);
  });

  it('a name Fluence would refuse is explained before any call', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const answer = await reply(t, await admin.command(`rename ${vm} Big_Box`));
    expect(answer.text).toMatch(/lowercase/);
    expect(puts(t, vm!)).toHaveLength(0);
  });

  it("the card's Rename button opens the rename modal; its submission renames", async () => {
    const [vm] = t.sim.control.seedInstances(1, 'baremetal', { namePrefix: 'metal' });
    const card = await reply(t, await admin.command(`terminate ${vm}`)); // the instance card
    await admin.clickButton(card, ACTION.rename);
    const view = await modalWith(t, { block: BLOCK.name }, 0);
    expect(view.callback_id).toBe(VIEW.rename);
    expect(view.blocks.find((b: any) => b.block_id === BLOCK.name).element.initial_value).toBe('metal-0');
    const bad = await admin.submitView(view, fill(view, { [BLOCK.name]: '-metal' }));
    expect(bad.body.response_action).toBe('errors');
    const ok = await admin.submitView(view, fill(view, { [BLOCK.name]: 'metal-big' }));
    expect(ok.body).toBe('');
    expect(simInstance(t, vm!).name).toBe('metal-big');
    const note = await t.standin.waitFor(() => t.standin.callsTo('chat.postEphemeral')[0]);
    expect(note.args.text).toMatch(/Renamed `metal-0` to `metal-big`/);
  });

  it('the confirmation arrives once even when the ephemeral fails and the DM is rate-limited', async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const card = await reply(t, await admin.command(`terminate ${vm}`));
    await admin.clickButton(card, ACTION.rename);
    const view = await modalWith(t, { block: BLOCK.name }, 0);
    t.standin.fail('chat.postEphemeral', { error: 'channel_not_found', times: 1 });
    t.standin.fail('chat.postMessage', { error: 'ratelimited', status: 429, retryAfterSeconds: 1, times: 1 });
    expect((await admin.submitView(view, fill(view, { [BLOCK.name]: 'box-renamed' }))).status).toBe(200);
    const dms = () => t.standin.callsTo('chat.postMessage').filter((c) => /^D/.test(String(c.args.channel)) && !c.error && /Renamed `box-0` to `box-renamed`/.test(String(c.args.text)));
    await t.standin.waitFor(() => dms()[0], 8_000);
    expect(dms()).toHaveLength(1);
  });
});

// ---- roles ----------------------------------------------------------------------------------

describe('update and rename with roles (real API key)', () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    await reply(t, await t.user.withUser(ADMIN).command(`access grant <@${DEPLOYER}> deployer`));
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('a viewer gets a refusal naming the role and the admins, and no modal', async () => {
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const answer = await reply(t, await t.user.withUser(VIEWER).command(`update ${ctr}`));
    expect(answer.text).toMatch(/⛔/);
    expect(answer.text).toMatch(/deployer/);
    expect(answer.text).toContain(`<@${ADMIN}>`);
    expect(t.standin.callsTo('views.open')).toHaveLength(0);
  });

  it("a deployer cannot rename or update someone else's instance", async () => {
    const [vm] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const [ctr] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const deployer = t.user.withUser(DEPLOYER);
    const answer = await reply(t, await deployer.command(`rename ${vm} mine-now`));
    expect(answer.text).toMatch(/only change instances they deployed/);
    expect(puts(t, vm!)).toHaveLength(0);

    await deployer.command(`update ${ctr}`);
    const view = await modalWith(t, { re: /only change instances they deployed/ }, 0);
    expect(view.blocks.some((b: any) => b.block_id === BLOCK.image)).toBe(false);
    const refused = (await t.bot.context.store.audit.recent(5)).filter((a) => a.outcome === 'refused').map((a) => a.action);
    expect(refused).toEqual(expect.arrayContaining(['rename', 'update']));
  });
});
