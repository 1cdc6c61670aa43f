/**
 * Issue 13 §1: the guards against a double click or a double submit live in the store, so they hold
 * when the two requests reach two replicas. Two bots on one database (a SQLite file, or a
 * PostgreSQL database: their own connections, as two processes would have), one Slack stand-in
 * and one simulator; each request of a pair goes to
 * another bot, at the same moment, while Fluence is slow enough for the two to overlap.
 */
import type { SlackUser } from '../../src/standin';
import { ACTION, BLOCK } from '../../src/slack/ids';
import { nthResponse } from '../support/responses';
import { startTestBot, type TestBot } from '../support/bot-harness';
import { fill, latestView, waitForField } from '../support/modal';
import { PLAN_H100_1X } from '../../src/simulator/catalog';
import * as K from './guardrails-kit';
import { ENGINE_KINDS, testLocation, type TestLocation } from '../support/engines';
import type { EngineKind } from '../../src/store/engine';
import { DEPLOY_IN_FLIGHT } from '../../src/services/deploy';

const ADMIN = 'UADMIN01';

describe.each(ENGINE_KINDS)('on %s', (kind: EngineKind) => {
  let where: TestLocation;
  /** The store every replica shares: DATABASE_URL on PostgreSQL, else the first bot's SQLite file. */
  const shared = (extra: Record<string, string> = {}) => (kind === 'postgres' ? { ...extra, DATABASE_URL: where.location } : extra);
  beforeEach(async () => {
    where = await testLocation(kind);
  }, 130_000);
  afterEach(async () => {
    await where?.cleanup();
  });
  const env = () => shared({ GPU_BOT_ADMINS: ADMIN });

  describe('a double click or double submit reaching two replicas', () => {
    let a: TestBot;
    let b: TestBot;
    /** The admin, talking to replica A and to replica B. */
    let viaA: SlackUser;
    let viaB: SlackUser;

    beforeEach(async () => {
      a = await startTestBot({ env: env() });
      b = await startTestBot({ env: env(), dbPath: a.dbPath, clock: a.clock, standin: a.standin, sim: a.sim, ownsShared: false });
      viaA = a.user.withUser(ADMIN);
      viaB = b.user.withUser(ADMIN);
    });
    afterEach(async () => {
      await b?.stop();
      await a?.stop();
    });

    /** The deploy form opened through replica A, plan chosen; `values(name)` fills it in. */
    async function deployForm() {
      await a.user.command('deploy');
      const first = await a.standin.waitFor(() => latestView(a.standin)?.blocks?.some((x: any) => x.block_id === BLOCK.plan) && latestView(a.standin));
      const planBlock = first.blocks.find((x: any) => x.block_id === BLOCK.plan);
      const plan = planBlock.element.options[0].value;
      await a.user.selectOption(first, planBlock.element.action_id, plan);
      const view = await waitForField(a.standin, BLOCK.ports);
      return { view, values: (name: string) => fill(view, { [BLOCK.plan]: plan, [BLOCK.name]: name, [BLOCK.ports]: '22' }) };
    }

    const requests = (method: string, path: RegExp) => a.sim.control.requests.filter((r) => r.method === method && path.test(r.path));
    /** Fluence answers after `ms`: the first request is still at Fluence when the second arrives. */
    const slowFluence = (ms = 400) => a.sim.control.setFaults({ latencyMs: ms });

    it('a terminate clicked on two replicas at once sends one DELETE', async () => {
      const [id] = a.sim.control.seedInstances(1, 'container', { namePrefix: 'shared' }) as [string];
      const card = await nthResponse(a.standin, (await viaA.command(`terminate ${id}`)).responseUrl!, 1);
      slowFluence();
      const clicks = await Promise.all([viaA.clickButton(card, ACTION.terminate), viaB.clickButton(card, ACTION.terminate)]);
      const answers = await Promise.all(clicks.map((c) => nthResponse(a.standin, c.responseUrl!, 1)));
      a.sim.control.clearFaults();
      expect(requests('DELETE', new RegExp(`${id}$`))).toHaveLength(1);
      expect(JSON.stringify(answers)).toMatch(/already being terminated/);
      // the claim is released when the click's work ends: a later click finds the instance ENDED, not a claim
      const later = await nthResponse(a.standin, (await viaB.clickButton(card, ACTION.terminate)).responseUrl!, 1);
      expect(JSON.stringify(later)).toMatch(/already ended/);
      expect(requests('DELETE', new RegExp(`${id}$`))).toHaveLength(1);
    });

    it('an update form submitted to two replicas at once sends one PUT, is audited once, and a later resubmit sends nothing', async () => {
      const [id] = a.sim.control.seedInstances(1, 'container', { namePrefix: 'web' }) as [string];
      await viaA.command(`update ${id}`);
      const view = await a.standin.waitFor(() => {
        const v = latestView(a.standin);
        return v?.blocks?.some((x: any) => x.block_id === BLOCK.image) ? v : undefined;
      });
      const values = fill(view, { [BLOCK.image]: 'docker.io/acme/app:7' });
      slowFluence();
      const acks = await Promise.all([viaA.submitView(view, values), viaB.submitView(view, values, { retryNum: 1 })]);
      expect(acks.map((x) => x.status)).toEqual([200, 200]);
      await a.bot.context.inflight.idle();
      await b.bot.context.inflight.idle();
      a.sim.control.clearFaults();
      expect(requests('PUT', new RegExp(`${id}$`))).toHaveLength(1);
      expect(JSON.stringify(acks.map((x) => x.body))).toMatch(/already submitted/);
      const audited = (await a.bot.context.store.audit.recent(10)).filter((x) => x.action === 'update');
      expect(audited.map((x) => x.outcome)).toEqual(['ok']);
      // it went through: the form stays claimed, so a resubmit (on either replica) closes it and sends nothing
      const again = await viaB.submitView(view, values, { retryNum: 2 });
      expect(again.body ?? {}).not.toHaveProperty('response_action');
      expect(requests('PUT', new RegExp(`${id}$`))).toHaveLength(1);
    });

    it('a deploy form submitted to two replicas at once sends one POST and is announced once (the claim row is the guard)', async () => {
      const { view: form, values: valuesFor } = await deployForm();
      const values = valuesFor('across');
      slowFluence();
      const acks = await Promise.all([a.user.submitView(form, values), b.user.submitView(form, values, { retryNum: 1 })]);
      expect(acks.map((x) => x.status)).toEqual([200, 200]);
      await a.bot.context.inflight.idle();
      await b.bot.context.inflight.idle();
      a.sim.control.clearFaults();
      expect(requests('POST', /^\/gpu\/instances\/$/)).toHaveLength(1);
      await a.standin.waitFor(() => a.standin.messages('C_GENERAL').some((m) => /across/.test(m.text ?? '')));
      expect(a.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && /across/.test(m.text ?? ''))).toHaveLength(1);
    });

    it("a POST still on its way from one replica is not adopted by another replica's reconciler; once it ended, adopted once", async () => {
      const form = await deployForm();
      let created = false;
      // Fluence creates the instance and never answers: replica A waits for its POST (FLUENCE_TIMEOUT_MS)
      a.sim.control.setFaults({ lostAnswerNext: { count: 1, status: 0 }, onlyPaths: /^\/gpu\/instances\/$/, onHandled: () => void (created = true) });
      const submitted = a.user.submitView(form.view, form.values('in-flight'));
      await a.standin.waitFor(() => created || undefined);
      // the leader (B) reconciles meanwhile: the instance is there, named alike, but A's POST is running
      expect(await b.bot.reconciler.runOnce()).toMatchObject({ adopted: [], failed: [] });
      await submitted;
      await a.bot.context.inflight.idle();
      a.sim.control.clearFaults();
      expect(await b.bot.reconciler.runOnce()).toMatchObject({ adopted: [expect.any(String)] });
      await a.standin.waitFor(() => a.standin.messages('C_GENERAL').some((m) => !m.thread_ts && /in-flight/.test(m.text ?? '')));
      expect(await a.bot.reconciler.runOnce()).toMatchObject({ adopted: [] });
      expect(a.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && /in-flight/.test(m.text ?? ''))).toHaveLength(1);
      expect(requests('POST', /^\/gpu\/instances\/$/)).toHaveLength(1);
    });

    it('a POST left in flight by a killed replica is adopted, once, as soon as its claim lapses (not a reconcile interval later)', async () => {
      // replica C died mid-POST: its claim pending, its in-flight claim held, the instance made at Fluence
      const store = b.bot.context.store;
      await store.deployRequests.begin('dead-replica', { channelId: 'C_GENERAL', userId: 'U_ALICE', type: 'container', planId: 'p', name: 'orphan-0', pricePerHour: 1 });
      expect(await store.workClaims.claim(DEPLOY_IN_FLIGHT + 'dead-replica', 20_000)).toBeDefined();
      a.clock.advance(10_000); // the POST reached Fluence (seeded instances are dated 125 s back: within the claim's clock skew)
      a.sim.control.seedInstances(1, 'container', { namePrefix: 'orphan' });
      const announced = () => a.standin.messages('C_GENERAL').filter((m) => !m.thread_ts && /orphan-0/.test(m.text ?? ''));
      await Promise.all([a.bot.scheduler.runNow('deploys.reconcile'), b.bot.scheduler.runNow('deploys.reconcile')]);
      expect((await store.deployRequests.get('dead-replica'))?.state).toBe('pending');
      a.clock.advance(10_001); // the claim lapses: both replicas' follow-up passes fall due
      await Promise.all([a.bot.scheduler.idle(), b.bot.scheduler.idle()]);
      await Promise.all([a.bot.context.inflight.idle(), b.bot.context.inflight.idle()]);
      expect((await store.deployRequests.get('dead-replica'))?.state).toBe('succeeded');
      await a.standin.waitFor(() => announced().length > 0 || undefined);
      expect(announced()).toHaveLength(1);
    });
  });

  describe('an approved deploy being acted on by one replica', () => {
    const approvals = () => shared({ FLUENCE_API_KEY: 'sim-key', GPU_BOT_ADMINS: `${K.ADMIN},${K.ADMIN2}`, MAX_HOURLY_USD: '1', GPU_BOT_SEAL_KEY: 'one-seal-key-every-replica-shares-0123456789' });
    let first: TestBot;
    afterEach(async () => {
      await first?.stop();
    });

    it('is left alone by a replica starting meanwhile; once that claim has lapsed (its replica died), a start-up sends it, once', async () => {
      first = await startTestBot({ env: approvals() });
      await K.command(first, first.user.withUser(K.ADMIN), `access grant <@${K.DEPLOYER}> deployer`);
      await K.deployViaModal(first, first.user.withUser(K.DEPLOYER), { planId: PLAN_H100_1X, name: 'approved-elsewhere' });
      await K.messageMatching(first, 'C_GENERAL', /wants to deploy.*approved-elsewhere/s);
      const store = first.bot.context.store;
      const [pending] = await store.approvals.listPending();
      // decided on some replica, which is acting on it now (its claim is in the store)
      await store.approvals.decide(pending!.id, { decision: 'approved', by: K.ADMIN2, at: first.clock.now() });
      expect(await store.workClaims.claim(`approval:${pending!.id}`, 10 * 60_000)).toBeDefined();
      const posts = () => first.sim.control.requests.filter((r) => r.method === 'POST').length;

      const starting = await startTestBot({ env: approvals(), dbPath: first.dbPath, clock: first.clock, standin: first.standin, sim: first.sim, ownsShared: false });
      await starting.bot.context.inflight.idle();
      await starting.stop();
      expect(posts()).toBe(0);
      expect((await store.approvals.get(pending!.id))?.payload).not.toBe(''); // not wiped under the actor's feet

      first.clock.advance(10 * 60_000); // the acting replica was killed: its claim lapses
      const resuming = await startTestBot({ env: approvals(), dbPath: first.dbPath, clock: first.clock, standin: first.standin, sim: first.sim, ownsShared: false });
      await resuming.bot.context.inflight.idle();
      await resuming.stop();
      expect(posts()).toBe(1);
      await K.messageMatching(first, 'C_GENERAL', /restarted before sending this deploy/);
      expect((await store.approvals.get(pending!.id))?.payload).toBe('');
    });
  });
});
