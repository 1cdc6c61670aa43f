import Database from 'better-sqlite3';
import { migrate } from '../../src/store/db';
import { MIGRATIONS } from '../../src/store/schema';
import { HOUR_MS } from '../../src/duration';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

describe('lease store', () => {
  it('creates a lease, keeps its owner, channel and start on changes, survives a reopen', async () => {
    const s = await t.open();
    const t0 = t.clock.t;
    const first = await s.leases.set({ instanceId: 'i-1', type: 'vm', ownerId: 'UALICE', channelId: 'CML', endsAt: t0 + 8 * HOUR_MS, by: 'UALICE' });
    expect(first).toMatchObject({ before: undefined, changed: true, after: { endsAt: t0 + 8 * HOUR_MS, ownerId: 'UALICE', channelId: 'CML', startedAt: t0 } });
    t.clock.t += HOUR_MS;
    const second = await s.leases.set({ instanceId: 'i-1', ownerId: 'UBOB', channelId: 'COTHER', endsAt: null, by: 'UADMIN' });
    expect(second.after).toMatchObject({ endsAt: null, ownerId: 'UALICE', channelId: 'CML', startedAt: t0, setBy: 'UADMIN', type: 'vm' });
    expect((await s.leases.set({ instanceId: 'i-1', endsAt: null, by: 'UADMIN' })).changed).toBe(false);
    await s.close();
    expect(await (await t.open()).leases.get('i-1')).toMatchObject({ endsAt: null, setBy: 'UADMIN' });
  });

  it('start() keeps the first lease when an instance is announced twice', async () => {
    const s = await t.open();
    expect((await s.leases.start({ instanceId: 'i-1', endsAt: 100, by: 'U1' })).created).toBe(true);
    expect(await s.leases.start({ instanceId: 'i-1', endsAt: 999, by: 'U2' })).toMatchObject({ created: false, lease: { endsAt: 100, setBy: 'U1' } });
  });

  it('answers "ending before T, not reminded" from an index, and a new end clears the old reminder', async () => {
    const s = await t.open();
    const t0 = t.clock.t;
    for (let i = 0; i < 50; i++) await s.leases.set({ instanceId: `i-${i}`, endsAt: t0 + i * HOUR_MS, by: 'U1' });
    await s.leases.set({ instanceId: 'forever', endsAt: null, by: 'U1' });
    expect((await s.leases.unremindedEndingBefore(t0 + 3 * HOUR_MS)).map((l) => l.instanceId)).toEqual(['i-0', 'i-1', 'i-2']);
    // what a reminder job will do once the scheduler lands: stamp reminded_at for the current end
    s.db!.prepare(`UPDATE leases SET reminded_at = ? WHERE instance_id IN ('i-0', 'i-1')`).run(t0);
    expect((await s.leases.unremindedEndingBefore(t0 + 3 * HOUR_MS)).map((l) => l.instanceId)).toEqual(['i-2']);
    // extending moves the end: the reminder for the OLD end no longer counts
    await s.leases.set({ instanceId: 'i-1', endsAt: t0 + 2.5 * HOUR_MS, by: 'U1' });
    expect((await s.leases.get('i-1'))!.remindedAt).toBeNull();
    expect((await s.leases.unremindedEndingBefore(t0 + 3 * HOUR_MS)).map((l) => l.instanceId)).toEqual(['i-2', 'i-1']);
    // setting the same end again keeps the reminder
    await s.leases.set({ instanceId: 'i-0', endsAt: t0, by: 'U1' });
    expect((await s.leases.get('i-0'))!.remindedAt).toBe(t0);
    const plan = s.db!
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM leases WHERE ends_at IS NOT NULL AND reminded_at IS NULL AND ends_at < ? ORDER BY ends_at LIMIT ?`)
      .all(t0, 10) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX leases_to_remind/);
  });

  it('remembers the lease picked in a deploy form by its request id (null: until terminated)', async () => {
    const s = await t.open();
    await s.leases.chooseForRequest('req-1', 2 * HOUR_MS);
    await s.leases.chooseForRequest('req-2', null);
    expect(await s.leases.choiceFor('req-1')).toEqual({ leaseMs: 2 * HOUR_MS });
    expect(await s.leases.choiceFor('req-2')).toEqual({ leaseMs: null });
    expect(await s.leases.choiceFor('req-3')).toBeUndefined();
  });
});

describe('lease migrations', () => {
  it('keeps every audit row (and its id) when the audit table learns the lease and policy actions', async () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.filter((m) => m.version < 500));
    db.prepare(`INSERT INTO audit_log (at, actor_id, channel_id, action, outcome) VALUES (1, 'U1', 'C1', 'deploy', 'ok')`).run();
    expect(() => db.prepare(`INSERT INTO audit_log (at, actor_id, channel_id, action, outcome) VALUES (2, 'U1', 'C1', 'lease', 'ok')`).run()).toThrow(/CHECK/);
    migrate(db, MIGRATIONS);
    db.prepare(`INSERT INTO audit_log (at, actor_id, channel_id, action, outcome) VALUES (2, 'U1', 'C1', 'lease', 'ok')`).run();
    db.prepare(`INSERT INTO audit_log (at, actor_id, channel_id, action, outcome) VALUES (3, 'U1', 'C1', 'policy', 'ok')`).run();
    expect(db.prepare(`SELECT id, action FROM audit_log ORDER BY id`).all()).toEqual([
      { id: 1, action: 'deploy' },
      { id: 2, action: 'lease' },
      { id: 3, action: 'policy' },
    ]);
    db.close();
  });
});
