/** The lease job's claims, on SQLite and on PostgreSQL (each open() is another process on the same database). */
import { HOUR_MS } from '../../src/duration';
import { ENGINE_KINDS } from '../support/engines';
import { bgDatabase, type BgDatabase } from '../support/bg-repos';

describe.each(ENGINE_KINDS)('lease step claims on %s', (kind) => {
  const t = { clock: { t: 1_700_000_000_000 }, open: () => db.open() };
  let db: BgDatabase;
  beforeEach(async () => {
    t.clock.t = 1_700_000_000_000;
    db = await bgDatabase(kind, () => t.clock.t);
  }, 130_000);
  afterEach(() => db.cleanup());

  it('a reminder is claimed once per end; the claim and its notices are one transaction; an extension is a new end', async () => {
    const s = await t.open();
    const t0 = t.clock.t;
    const end = t0 + 2 * HOUR_MS;
    await s.leases.set({ instanceId: 'i-1', type: 'vm', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    expect(await s.leaseSteps.due(t0, end - 1)).toEqual([]);
    const due = await s.leaseSteps.due(t0, end + 1);
    expect(due.map((l) => l.instanceId)).toEqual(['i-1']);

    const sent: string[] = [];
    expect(await s.leaseSteps.claimReminder('i-1', end, t0, async () => void sent.push('reminder'))).toBe(true);
    expect(await s.leaseSteps.claimReminder('i-1', end, t0, async () => void sent.push('again'))).toBe(false);
    expect(sent).toEqual(['reminder']);
    expect(await s.leaseSteps.due(t0, end + 1)).toEqual([]);

    // notices that fail to be claimed roll the step back: it is decided again next tick
    const end2 = end + 2 * HOUR_MS;
    expect((await s.leases.extendTo('i-1', end2, 'U1')).changed).toBe(true);
    await expect(s.leaseSteps.claimReminder('i-1', end2, t0, async () => { throw new Error('outbox refused'); })).rejects.toThrow('outbox refused');
    expect((await s.leaseSteps.due(t0, end2 + 1)).map((l) => l.remindedAt)).toEqual([null]);
    // a step decided for the old end claims nothing for the new one
    expect(await s.leaseSteps.claimReminder('i-1', end, t0, async () => undefined)).toBe(false);
    expect(await s.leaseSteps.claimReminder('i-1', end2, t0, async () => undefined)).toBe(true);
  });

  it('expiry with on-expiry=remind plans repeats; each repeat is claimed once; a new end stops them', async () => {
    const s = await t.open();
    const end = t.clock.t;
    await s.leases.set({ instanceId: 'i-1', endsAt: end, by: 'U1' });
    expect(await s.leaseSteps.claimExpiry('i-1', end, end, { onExpiry: 'remind', nextNagAt: end + 4 * HOUR_MS }, async () => undefined)).toBe(true);
    expect(await s.leaseSteps.claimExpiry('i-1', end, end, { onExpiry: 'remind', nextNagAt: end + 4 * HOUR_MS }, async () => undefined)).toBe(false);
    expect(await s.leaseSteps.due(end + 4 * HOUR_MS - 1, end)).toEqual([]);
    expect(await s.leaseSteps.due(end + 4 * HOUR_MS, end)).toMatchObject([{ remindedAt: end, expiredAt: end, nextNagAt: end + 4 * HOUR_MS, nags: 0 }]);
    expect(await s.leaseSteps.claimNag('i-1', end, end + 4 * HOUR_MS, end + 8 * HOUR_MS, async () => undefined)).toBe(true);
    expect(await s.leaseSteps.claimNag('i-1', end, end + 4 * HOUR_MS, end + 8 * HOUR_MS, async () => undefined)).toBe(false);
    expect(await s.leaseSteps.due(end + 8 * HOUR_MS, end)).toMatchObject([{ nags: 1 }]);
    await s.leases.set({ instanceId: 'i-1', endsAt: end + 24 * HOUR_MS, by: 'U1' });
    expect(await s.leaseSteps.due(end + 9 * HOUR_MS, end + 9 * HOUR_MS)).toEqual([]);
  });

  it('terminate: claimed at expiry, deleting only while the lease still ends at the passed claimed end', async () => {
    const s = await t.open();
    const end = t.clock.t;
    await s.leases.set({ instanceId: 'i-1', type: 'container', endsAt: end, by: 'U1' });
    await s.leases.set({ instanceId: 'i-2', type: 'container', endsAt: end, by: 'U1' });
    for (const id of ['i-1', 'i-2']) await s.leaseSteps.claimExpiry(id, end, end, { onExpiry: 'terminate', nextNagAt: 0 }, async () => undefined);
    expect((await s.leaseSteps.terminating()).map((x) => [x.instanceId, x.state, x.terminateEnd])).toEqual([['i-1', 'claimed', end], ['i-2', 'claimed', end]]);
    // the last-second extension of i-2 wins: it is never marked deleting
    await s.leases.set({ instanceId: 'i-2', endsAt: end + HOUR_MS, by: 'U1' });
    expect(await s.leaseSteps.startDeleting('i-2', end, end + 1)).toBe(false);
    expect(await s.leaseSteps.startDeleting('i-1', end, end + 1)).toBe(true);
    // survives a restart as 'deleting'
    await s.engine.close();
    const r = await t.open();
    expect((await r.leaseSteps.terminating()).find((x) => x.instanceId === 'i-1')!.state).toBe('deleting');
    expect(await r.leaseSteps.finishTerminate('i-1', end, 'done')).toBe(true);
    expect(await r.leaseSteps.finishTerminate('i-1', end, 'done')).toBe(false);
    expect((await r.leaseSteps.terminating()).map((x) => x.instanceId)).toEqual(['i-2']);
  });

  it('settle takes an ended lease out of every queue', async () => {
    const s = await t.open();
    const end = t.clock.t;
    await s.leases.set({ instanceId: 'i-1', endsAt: end, by: 'U1' });
    await s.leaseSteps.settle('i-1', end, end);
    expect(await s.leaseSteps.due(end + 100 * HOUR_MS, end + 100 * HOUR_MS)).toEqual([]);
  });

  it('two replicas deciding the same reminder at once: one claim, one notice in the outbox', async () => {
    const [a, b] = await Promise.all([t.open(), t.open()]);
    const end = t.clock.t + HOUR_MS;
    await a.leases.set({ instanceId: 'i-1', type: 'vm', ownerId: 'U1', channelId: 'C1', endsAt: end, by: 'U1' });
    const notice = { kind: 'watch.ended' as const, to: { teamId: null, channelId: 'C1', messageTs: '', requesterId: 'U1' }, instanceId: 'i-1', name: 'box', type: 'vm' as const, requesterId: 'U1' };
    const claimOn = (r: typeof a) => r.leaseSteps.claimReminder('i-1', end, t.clock.t, (trx) => r.outbox.enqueueIn(trx, [{ key: `lease:i-1:${end}:reminder`, notice }], t.clock.t));
    const won = await Promise.all([claimOn(a), claimOn(b), claimOn(a), claimOn(b)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await a.outbox.history('lease:i-1:')).map((h) => h.key)).toEqual([`lease:i-1:${end}:reminder`]);
  });
});
