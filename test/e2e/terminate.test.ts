/**
 * Terminate end to end: `/gpu terminate` shows the card behind a confirm dialog; the click is
 * authorised at that moment, re-reads the instance, DELETEs only an ACTIVE one and only once, and
 * replaces the card with the ENDED one. Roles apply with a real API key (not sandbox).
 */
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import type { AckResult, SlackUser } from '../../src/standin';
import { ACTION } from '../../src/slack/ids';
import { nthResponse } from '../support/responses';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { deployViaModal } from './guardrails-kit';

// config accepts only real-looking Slack ids (U + capitals/digits)
const ADMIN = 'UADMIN01';
const DEPLOYER = 'UDEPLOY01';
const OWNER = 'UOWNER01';
const VIEWER = 'UVIEWER01';

/** Every text of a message body (fallback text, block texts, confirm dialogs). */
function textOf(body: any): string {
  const parts: string[] = [];
  const walk = (v: any) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(body?.text);
  walk(body?.blocks);
  return parts.join('\n');
}

/** The nth (0-based) response_url post answering a command or a click. */
function reply(t: TestBot, ack: AckResult, nth = 0): Promise<any> {
  return nthResponse(t.standin, ack.responseUrl!, nth + 1);
}

function terminateButton(msg: any): any {
  for (const b of msg.blocks ?? []) for (const e of b.elements ?? []) if (e.action_id === ACTION.terminate) return e;
  return undefined;
}

const deletes = (t: TestBot, id: string) => t.sim.control.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(id));

async function cardFor(t: TestBot, user: SlackUser, id: string): Promise<any> {
  return reply(t, await user.command(`terminate ${id}`));
}

describe('terminate (sandbox, admin)', () => {
  let t: TestBot;
  let admin: SlackUser;
  beforeEach(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: ADMIN } });
    admin = t.user.withUser(ADMIN);
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('shows the card with a Terminate button behind a confirm dialog that names the instance and the refund', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'web' });
    const card = await cardFor(t, admin, id!);
    const button = terminateButton(card);
    expect(button).toBeDefined();
    expect(button.value).toBe(`container:${id}`);
    expect(button.style).toBe('danger');
    expect(button.confirm.title.text).toContain('web-0');
    expect(button.confirm.text.text).toMatch(/refunded/);
    expect(deletes(t, id!)).toHaveLength(0); // the command alone deletes nothing
  });

  it('terminates an ACTIVE instance: one DELETE, the card becomes ENDED, the refund is mentioned, audited', async () => {
    const [id] = t.sim.control.seedInstances(1, 'vm', { namePrefix: 'box' });
    const card = await cardFor(t, admin, id!);
    const click = await admin.clickButton(card, ACTION.terminate);
    expect(click.status).toBe(200);
    const after = await reply(t, click);
    expect(after.replace_original).toBe(true);
    expect(textOf(after)).toMatch(/ENDED/);
    expect(textOf(after)).toMatch(/refunded/);
    expect(terminateButton(after)).toBeUndefined();
    expect(deletes(t, id!)).toHaveLength(1);
    expect(t.sim.control.instances().find((i) => i.id === id)).toBeDefined();
    const audit = (await t.bot.context.store.audit.recent(5)).find((a) => a.action === 'terminate');
    expect(audit).toMatchObject({ actorId: ADMIN, instanceId: id, outcome: 'ok' });
  });

  it('a provisioning instance: the card explains why there is no Terminate button', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { status: 'INITIALIZED', namePrefix: 'slow' });
    const card = await cardFor(t, admin, id!);
    expect(terminateButton(card)).toBeUndefined();
    expect(textOf(card)).toMatch(/Only ACTIVE instances can be terminated/);
  });

  it('a card that went stale (instance no longer ACTIVE): the click explains and sends no DELETE', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'stale' });
    const card = await cardFor(t, admin, id!);
    t.sim.control.setStatus(id!, 'INITIALIZED');
    const after = await reply(t, await admin.clickButton(card, ACTION.terminate));
    expect(after.replace_original).toBe(false);
    expect(textOf(after)).toMatch(/only ACTIVE instances/);
    t.sim.control.setStatus(id!, 'ENDED');
    const ended = await reply(t, await admin.clickButton(card, ACTION.terminate));
    expect(textOf(ended)).toMatch(/already ended/);
    expect(deletes(t, id!)).toHaveLength(0);
  });

  it('a double click sends one DELETE, whether the clicks come one after the other or at once', async () => {
    const [a, b] = t.sim.control.seedInstances(2, 'container', { namePrefix: 'twice' });
    const cardA = await cardFor(t, admin, a!);
    await reply(t, await admin.clickButton(cardA, ACTION.terminate));
    const second = await reply(t, await admin.clickButton(cardA, ACTION.terminate));
    expect(textOf(second)).toMatch(/already ended/);
    expect(deletes(t, a!)).toHaveLength(1);

    const cardB = await cardFor(t, admin, b!);
    const clicks = await Promise.all([admin.clickButton(cardB, ACTION.terminate), admin.clickButton(cardB, ACTION.terminate)]);
    const answers = await Promise.all(clicks.map((c) => reply(t, c)));
    expect(answers.map(textOf).join('\n')).toMatch(/ENDED/);
    expect(deletes(t, b!)).toHaveLength(1);
  });

  it('a Fluence failure on DELETE is explained, audited as an error, and the card is not replaced', async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'flaky' });
    const card = await cardFor(t, admin, id!);
    t.sim.control.setFaults({ errorRate: 1, onlyPaths: /^\/gpu\/instances\// });
    // the re-read fails first: nothing is deleted
    const after = await reply(t, await admin.clickButton(card, ACTION.terminate));
    expect(after.replace_original).toBe(false);
    expect(textOf(after)).toMatch(/Fluence/);
    t.sim.control.clearFaults();
    expect(t.sim.control.instances().find((i) => i.id === id)?.forced?.status).not.toBe('ENDED');
  });
});

describe('terminate with roles (real API key)', () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot({ env: { FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: ADMIN } });
    for (const u of [DEPLOYER, OWNER]) {
      await reply(t, await t.user.withUser(ADMIN).command(`access grant <@${u}> deployer`));
    }
  });
  afterEach(async () => {
    await t?.stop();
  });

  it("a viewer clicking Terminate on someone else's card is refused, told the role and the admins; no DELETE", async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'prod' });
    const card = await cardFor(t, t.user.withUser(ADMIN), id!);
    const refusal = await reply(t, await t.user.withUser(VIEWER).clickButton(card, ACTION.terminate));
    expect(refusal.replace_original).toBe(false);
    expect(textOf(refusal)).toMatch(/⛔/);
    expect(textOf(refusal)).toMatch(/deployer|admin/);
    expect(textOf(refusal)).toContain(`<@${ADMIN}>`);
    expect(deletes(t, id!)).toHaveLength(0);
    expect((await t.bot.context.store.audit.recent(5)).find((a) => a.action === 'terminate')).toMatchObject({ actorId: VIEWER, outcome: 'refused' });
  });

  it("a viewer's own /gpu terminate card has no Terminate button, only the reason", async () => {
    const [id] = t.sim.control.seedInstances(1, 'container', { namePrefix: 'prod' });
    const card = await cardFor(t, t.user.withUser(VIEWER), id!);
    expect(terminateButton(card)).toBeUndefined();
    expect(textOf(card)).toMatch(/deployer role/);
  });

  it("a deployer may terminate what they deployed, not another deployer's instance", async () => {
    const ack = await deployViaModal(t, t.user.withUser(OWNER), { planId: PLAN_H100_1X, name: 'owners-box', image: 'docker.io/library/nginx:1' });
    expect(ack.status).toBe(200);
    const id = await t.standin.waitFor(() => t.sim.control.instances().find((i) => i.name === 'owners-box')?.id);
    await t.tick(130_000); // provisioning takes 120 s in the harness
    const card = await cardFor(t, t.user.withUser(OWNER), id);

    const refused = await reply(t, await t.user.withUser(DEPLOYER).clickButton(card, ACTION.terminate));
    expect(textOf(refused)).toMatch(/only terminate instances they deployed/);
    expect(textOf(refused)).toMatch(/admin/);
    expect(deletes(t, id)).toHaveLength(0);

    const done = await reply(t, await t.user.withUser(OWNER).clickButton(card, ACTION.terminate));
    expect(textOf(done)).toMatch(/ENDED/);
    expect(deletes(t, id)).toHaveLength(1);
  });
});

describe("terminate from the watcher's taking-long reply", () => {
  let t: TestBot;
  beforeEach(async () => {
    t = await startTestBot({ env: { GPU_BOT_ADMINS: ADMIN, WATCH_TIMEOUT_MS: '60000' }, simulator: { provisioningDelayMs: 600_000 } });
  });
  afterEach(async () => {
    await t?.stop();
  });

  it('explains while it is still provisioning, then replaces that reply with the ENDED card once ACTIVE', async () => {
    const admin = t.user.withUser(ADMIN);
    await deployViaModal(t, admin, { planId: PLAN_H100_1X, name: 'slow-box', image: 'docker.io/library/nginx:1' });
    const id = await t.standin.waitFor(() => t.sim.control.instances().find((i) => i.name === 'slow-box')?.id);
    await t.standin.waitFor(() => t.standin.messages('C_GENERAL').find((m) => /slow-box/.test(m.text ?? '')));
    await t.standin.waitFor(() => t.bot.context.store.watches.get(id)); // the watch starts after the announcement
    const slowReply = () => t.standin.messages('C_GENERAL').find((m) => m.thread_ts && terminateButton(m));
    for (let i = 0; i < 12 && !slowReply(); i++) await t.tick(15_000); // past WATCH_TIMEOUT_MS, one cycle at a time
    const slow = await t.standin.waitFor(slowReply);

    const early = await reply(t, await admin.clickButton(slow as any, ACTION.terminate));
    expect(textOf(early)).toMatch(/only ACTIVE instances/);
    expect(deletes(t, id)).toHaveLength(0);

    t.sim.control.setStatus(id, 'ACTIVE');
    await reply(t, await admin.clickButton(slow as any, ACTION.terminate));
    const replaced = await t.standin.waitFor(() => {
      const m = t.standin.messages('C_GENERAL').find((x) => x.ts === slow.ts);
      return m && /ENDED/.test(textOf(m)) ? m : undefined;
    });
    expect(textOf(replaced)).toMatch(/refunded/);
    expect(deletes(t, id)).toHaveLength(1);
  });
});
