/**
 * The lease store on SQLite and on PostgreSQL: the first deploy or adoption decides owner and
 * channel, an announcement twice keeps the first lease, a new end clears the step markers, two
 * Extend clicks racing never shorten the lease, and the list view reads every lease in one query.
 */
import { HOUR_MS } from '../../src/duration';
import { ENGINE_KINDS } from '../support/engines';
import { bgDatabase, type BgDatabase } from '../support/bg-repos';

describe.each(ENGINE_KINDS)('leases on %s', (kind) => {
  const clock = { t: 1_800_000_000_000 };
  let db: BgDatabase;
  beforeEach(async () => {
    clock.t = 1_800_000_000_000;
    db = await bgDatabase(kind, () => clock.t);
  }, 130_000);
  afterEach(() => db.cleanup());

  test('set keeps the first owner and channel; start keeps the first lease; a new end clears the markers', async () => {
    const { leases, leaseSteps } = await db.open();
    const t0 = clock.t;
    const first = await leases.set({ instanceId: 'i-1', type: 'vm', ownerId: 'UALICE', channelId: 'CML', endsAt: t0 + 8 * HOUR_MS, by: 'UALICE' });
    expect(first).toMatchObject({ before: undefined, changed: true, after: { endsAt: t0 + 8 * HOUR_MS, ownerId: 'UALICE', channelId: 'CML', startedAt: t0 } });
    clock.t += HOUR_MS;
    const second = await leases.set({ instanceId: 'i-1', ownerId: 'UBOB', channelId: 'COTHER', endsAt: null, by: 'UADMIN' });
    expect(second.after).toEqual({ instanceId: 'i-1', type: 'vm', ownerId: 'UALICE', channelId: 'CML', endsAt: null, startedAt: t0, setBy: 'UADMIN', setAt: t0 + HOUR_MS, remindedAt: null, expiredAt: null });
    expect((await leases.set({ instanceId: 'i-1', endsAt: null, by: 'UADMIN' })).changed).toBe(false);
    expect(await leases.start({ instanceId: 'i-1', endsAt: 5, by: 'U2' })).toMatchObject({ created: false, lease: { endsAt: null, setBy: 'UADMIN' } });
    expect(await leases.start({ instanceId: 'i-2', endsAt: t0, by: 'U2' })).toMatchObject({ created: true, lease: { endsAt: t0, ownerId: null } });
    // the reminder of an end stays with that end: same end again keeps it, a new end clears it
    expect(await leaseSteps.claimReminder('i-2', t0, clock.t, async () => undefined)).toBe(true);
    await leases.set({ instanceId: 'i-2', endsAt: t0, by: 'U2' });
    expect((await leases.get('i-2'))!.remindedAt).toBe(clock.t);
    await leases.set({ instanceId: 'i-2', endsAt: t0 + HOUR_MS, by: 'U2' });
    expect((await leases.get('i-2'))!.remindedAt).toBeNull();
    expect((await leases.unremindedEndingBefore(t0 + 2 * HOUR_MS)).map((l) => l.instanceId)).toEqual(['i-2']);
    const many = await leases.getMany(['i-1', 'i-2', 'nope']);
    expect([...many.keys()].sort()).toEqual(['i-1', 'i-2']);
    expect(many.get('i-1')).toEqual(await leases.get('i-1'));
    expect(await leases.getMany([])).toEqual(new Map());
  });

  test('two Extend clicks on two replicas at once: the later end wins whatever the order, never shortened', async () => {
    const [a, b] = await Promise.all([db.open(), db.open()]);
    const end = clock.t + HOUR_MS;
    await a.leases.set({ instanceId: 'i-1', endsAt: end, by: 'U1' });
    const [two, four] = await Promise.all([a.leases.extendTo('i-1', end + 2 * HOUR_MS, 'U1'), b.leases.extendTo('i-1', end + 4 * HOUR_MS, 'U2')]);
    expect([two.changed, four.changed]).toContain(true);
    expect((await a.leases.get('i-1'))!.endsAt).toBe(end + 4 * HOUR_MS);
    expect(await b.leases.extendTo('i-1', end + 3 * HOUR_MS, 'U1')).toMatchObject({ changed: false, after: undefined });
    await a.leases.set({ instanceId: 'forever', endsAt: null, by: 'U1' });
    expect((await a.leases.extendTo('forever', end, 'U1')).changed).toBe(false);
    expect((await a.leases.extendTo('missing', end, 'U1')).changed).toBe(false);
  });

  test('the lease picked in a deploy form is kept by request id (null: until terminated)', async () => {
    const { leases } = await db.open();
    await leases.chooseForRequest('req-1', 2 * HOUR_MS);
    await leases.chooseForRequest('req-2', null);
    await leases.chooseForRequest('req-1', 3 * HOUR_MS);
    expect(await leases.choiceFor('req-1')).toEqual({ leaseMs: 3 * HOUR_MS });
    expect(await leases.choiceFor('req-2')).toEqual({ leaseMs: null });
    expect(await leases.choiceFor('req-3')).toBeUndefined();
  });
});
