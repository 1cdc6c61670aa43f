/**
 * The lease job against a real store and the Fluence simulator, the races driven by hand: what it
 * claims, how many Fluence calls it makes, and that a termination is re-checked at action time
 * (a last-second extension wins; a restart after the DELETE reports it once, DELETEs nothing twice).
 * The end-to-end path through Slack is test/e2e/lease-reminders.test.ts.
 */
import { HOUR_MS, MINUTE_MS } from '../../src/duration';
import type { FluenceApi } from '../../src/fluence/api';
import { FluenceClient } from '../../src/fluence/client';
import { createLogger } from '../../src/log';
import { LeaseJob, type LeaseOutbox } from '../../src/services/lease-job';
import type { LeaseNotice } from '../../src/services/lease-notices';
import { LeaseService } from '../../src/services/leases';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import type { Store } from '../../src/store';
import { tempStores, type TempStores } from '../store/temp-store';

let t: TempStores;
let sim: SimulatorHandle;
let fluence: FluenceClient;
const logger = createLogger({ level: 'silent' });

beforeEach(async () => {
  t = tempStores();
  sim = await startSimulator({ provisioningDelayMs: 1, containerStartMs: 0, networkDelayMs: 0, now: () => t.clock.t });
  fluence = new FluenceClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: 2000, sleep: async () => {} });
});
afterEach(async () => {
  await sim.stop();
  await t.cleanup();
});

function jobOn(store: Store, o: { fluence?: Pick<FluenceApi, 'getInstance' | 'terminateInstance'> } = {}) {
  const notices: Array<{ key: string; notice: LeaseNotice }> = [];
  const outbox: LeaseOutbox = { enqueueIn: async (_trx, entries) => (notices.push(...entries), entries.map((e) => e.key)) };
  const lists = { calls: 0 };
  const job = new LeaseJob({
    steps: store.leaseSteps,
    deployRequests: store.deployRequests,
    watches: store.watches,
    outbox,
    leases: new LeaseService({ leases: store.leases, policies: store.policies, defaultLeaseMs: 8 * HOUR_MS, now: t.clock.now }),
    fluence: o.fluence ?? fluence,
    audit: async (e) => void (await store.audit.record(e)),
    reminderMs: 30 * MINUTE_MS,
    nagMs: 4 * HOUR_MS,
    logger,
  });
  const run = () => job.run({ now: t.clock.t, fleet: { list: (type) => (lists.calls++, fluence.listInstances(type)) } });
  return { job, run, notices, lists };
}

const deletes = () => sim.control.requests.filter((r) => r.method === 'DELETE').length;
const details = () => sim.control.requests.filter((r) => r.method === 'GET' && /\/instances\/(vms\/|baremetal\/)?[0-9a-f-]{8,}$/.test(r.path)).length;

describe('lease job', () => {
  it('reminds once per end, with the spend from one detail call; lists come from the fleet snapshot', async () => {
    const store = await t.open();
    const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'box' });
    await store.leases.set({ instanceId: id!, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: t.clock.t + 2 * HOUR_MS, by: 'U1' });
    const { run, notices, lists } = jobOn(store);
    await run();
    expect(notices).toEqual([]);
    expect(lists.calls).toBe(0); // nothing due: not even the snapshot is read
    t.clock.t += 90 * MINUTE_MS;
    sim.control.resetRequests();
    await run();
    await run();
    expect(notices.map((n) => [n.key, n.notice.kind])).toEqual([[`lease:${id}:${t.clock.t + 30 * MINUTE_MS}:reminder`, 'lease.reminder']]);
    expect(notices[0]!.notice).toMatchObject({ ownerId: 'U1', spent: expect.any(Number), pricePerHour: expect.any(Number), to: { channelId: 'C1', messageTs: '' } });
    expect(details()).toBe(1);
    expect(lists.calls).toBe(1); // the second run had nothing due
  });

  it("a deploy newer than the tick's list is reminded on the next tick, not settled; a vanished instance is settled after one detail call", async () => {
    const store = await t.open();
    const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'fresh' });
    await store.leases.set({ instanceId: id!, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: t.clock.t + 20 * MINUTE_MS, by: 'U1' });
    const { job, run, notices } = jobOn(store);
    // the snapshot's list was taken before the deploy (it may be a whole interval old): the instance is not in it
    sim.control.resetRequests();
    const stale = await job.run({ now: t.clock.t, fleet: { list: async () => [] } });
    expect(stale).toMatchObject({ claimed: [], detailCalls: 1 });
    expect(notices).toEqual([]);
    expect((await store.leases.get(id!))!.remindedAt).toBeNull();
    await run();
    expect(notices.map((n) => n.notice.kind)).toEqual(['lease.reminder']);
    // an instance gone from Fluence (not listed, detail 404): settled, never asked about again
    const GONE = 'deadbeef-0000-4000-8000-00000000dead';
    await store.leases.set({ instanceId: GONE, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: t.clock.t + 10 * MINUTE_MS, by: 'U1' });
    sim.control.resetRequests();
    await run();
    expect(details()).toBe(1);
    expect((await store.leases.get(GONE))!.remindedAt).toBe(t.clock.t);
    expect((await store.leaseSteps.due(t.clock.t + HOUR_MS, t.clock.t + HOUR_MS)).map((l) => l.instanceId)).toEqual([id]);
    expect(notices).toHaveLength(1);
  });

  it('on-expiry=remind: the expiry notice, then a repeat every LEASE_NAG_HOURS while it runs, none after it ended', async () => {
    const store = await t.open();
    const [id] = sim.control.seedInstances(1, 'vm', { namePrefix: 'nag' });
    const end = t.clock.t + HOUR_MS;
    await store.leases.set({ instanceId: id!, type: 'vm', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    const { run, notices } = jobOn(store);
    t.clock.t = end;
    await run();
    t.clock.t = end + 4 * HOUR_MS - 1;
    await run();
    t.clock.t = end + 4 * HOUR_MS;
    await run();
    await run();
    expect(notices.map((n) => n.key)).toEqual([`lease:${id}:${end}:expired:0`, `lease:${id}:${end}:expired:1`]);
    sim.control.setStatus(id!, 'ENDED');
    t.clock.t = end + 8 * HOUR_MS;
    await run();
    expect(notices).toHaveLength(2);
  });

  it('on-expiry=terminate: one DELETE, an audit row "terminated by lease policy", a reply with the final spend', async () => {
    const store = await t.open();
    await store.policies.update('C1', { onExpiry: 'terminate' }, 'UADMIN');
    const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'doomed' });
    const end = t.clock.t + HOUR_MS;
    await store.leases.set({ instanceId: id!, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    const { run, notices } = jobOn(store);
    t.clock.t = end + 1;
    await run();
    await run();
    expect(deletes()).toBe(1);
    expect((await fluence.getInstance('container', id!)).status).toBe('ENDED');
    expect(notices.map((n) => n.notice.kind)).toEqual(['lease.terminated']);
    expect(notices[0]!.notice).toMatchObject({ finalSpent: expect.any(Number), endsAt: end });
    const audit = (await store.audit.recent(5)).filter((e) => e.action === 'terminate');
    expect(audit).toMatchObject([{ actorId: 'lease policy', outcome: 'ok', instanceId: id, detail: expect.stringMatching(/^terminated by lease policy/) }]);
  });

  it('on-expiry=terminate: an extension that lands between the claim and the DELETE wins; nothing is terminated', async () => {
    const store = await t.open();
    await store.policies.update('C1', { onExpiry: 'terminate' }, 'UADMIN');
    const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'saved' });
    const end = t.clock.t + HOUR_MS;
    await store.leases.set({ instanceId: id!, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    // the owner clicks Extend 2 h while the job is reading the instance before its DELETE
    const racing: Pick<FluenceApi, 'getInstance' | 'terminateInstance'> = {
      getInstance: async (type, i) => {
        const d = await fluence.getInstance(type, i);
        await store.leases.extendTo(i, end + 2 * HOUR_MS, 'U1');
        return d;
      },
      terminateInstance: (type, i) => fluence.terminateInstance(type, i),
    };
    const { run, notices } = jobOn(store, { fluence: racing });
    t.clock.t = end + 1;
    await run();
    expect(deletes()).toBe(0);
    expect(notices).toEqual([]);
    expect(await store.leaseSteps.terminating()).toEqual([]);
    expect((await store.leases.get(id!))!.endsAt).toBe(end + 2 * HOUR_MS);
  });

  it('a restart after the DELETE went out (marked deleting) reports it once and DELETEs nothing again', async () => {
    const store = await t.open();
    await store.policies.update('C1', { onExpiry: 'terminate' }, 'UADMIN');
    const [id] = sim.control.seedInstances(1, 'container', { namePrefix: 'cut' });
    const end = t.clock.t + HOUR_MS;
    await store.leases.set({ instanceId: id!, type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    t.clock.t = end + 1;
    // the first process claimed, marked deleting, sent the DELETE and died before recording
    await store.leaseSteps.claimExpiry(id!, end, t.clock.t, { onExpiry: 'terminate', nextNagAt: 0 }, async () => undefined);
    expect(await store.leaseSteps.startDeleting(id!, end, t.clock.t)).toBe(true);
    await fluence.terminateInstance('container', id!);
    await store.close();
    const again = await t.open();
    const { run, notices } = jobOn(again);
    await run();
    await run();
    expect(deletes()).toBe(1);
    expect(notices.map((n) => n.notice.kind)).toEqual(['lease.terminated']);
  });

  it('at 10,000 leases a tick costs the shared list call and one detail per notice; with nothing due, no Fluence call at all', async () => {
    const store = await t.open();
    const ids = sim.control.seedInstances(10_000, 'container', { namePrefix: 'fleet' });
    const t0 = t.clock.t;
    // seeded in bulk (10,000 lease changes one by one would be 10,000 transactions)
    const rows = ids.map((id, k) => ({ instanceId: id, type: 'container' as const, ownerId: 'U1', channelId: 'C1', endsAt: t0 + (k < 100 ? 20 * MINUTE_MS : 8 * HOUR_MS), startedAt: t0, setBy: 'U1', setAt: t0 }));
    await store.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('leases').values(rows.slice(i, i + 1000)).execute();
    });
    const { run, notices, lists } = jobOn(store);
    sim.control.resetRequests();
    const started = Date.now();
    const report = await run();
    const ms = Date.now() - started;
    expect(notices).toHaveLength(100);
    expect(lists.calls).toBe(1);
    expect(report.detailCalls).toBe(100);
    expect(details()).toBe(100);
    sim.control.resetRequests();
    await run();
    expect(sim.control.requests).toHaveLength(0);
    expect(lists.calls).toBe(1);
    process.stdout.write(`lease job at 10,000 leases, 100 due: ${lists.calls} list call (shared), ${report.detailCalls} detail calls, ${ms} ms\n`);
  }, 120_000); // the simulator's list of 10,000 instances alone takes seconds on a loaded 2-core runner
});
