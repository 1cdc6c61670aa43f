/** The audit log on SQLite and on PostgreSQL (issue 13 §1): the same rows, order and caps from both. */
import { AUDIT_DETAIL_MAX, AUDIT_RECENT_MAX } from '../../src/store/audit';
import { describeOnEachEngine } from '../support/engines';

describeOnEachEngine('AuditLog', (r) => {
  it('records an action with everything an admin reviews later', async () => {
    const { audit } = r;
    const entry = await audit.record({
      actorId: 'U1', channelId: 'C1', action: 'deploy', instanceId: 'inst-1', instanceName: 'llm',
      type: 'vm', pricePerHour: 3.2, outcome: 'ok', detail: 'approved by <@UA>',
    });
    expect(entry).toEqual({
      id: expect.any(Number), at: r.clock.t, actorId: 'U1', channelId: 'C1', action: 'deploy', instanceId: 'inst-1',
      instanceName: 'llm', type: 'vm', pricePerHour: 3.2, outcome: 'ok', detail: 'approved by <@UA>',
    });
    expect(await audit.recent(10)).toEqual([entry]);
    expect(await audit.record({ actorId: 'U1', channelId: 'C1', action: 'grant', outcome: 'refused' })).toMatchObject({
      instanceId: null, type: null, pricePerHour: null, detail: null,
    });
  });

  it('recent(n) returns the newest n first, ties in insertion order reversed', async () => {
    const { audit } = r;
    await audit.record({ at: 3000, actorId: 'U', channelId: 'C', action: 'terminate', outcome: 'ok', detail: 'c' });
    await audit.record({ at: 1000, actorId: 'U', channelId: 'C', action: 'deploy', outcome: 'ok', detail: 'a' });
    await audit.record({ at: 3000, actorId: 'U', channelId: 'C', action: 'rename', outcome: 'ok', detail: 'd' });
    await audit.record({ at: 2000, actorId: 'U', channelId: 'C', action: 'update', outcome: 'error', detail: 'b' });

    expect((await audit.recent(10)).map((e) => e.detail)).toEqual(['d', 'c', 'b', 'a']);
    expect((await audit.recent(2)).map((e) => e.detail)).toEqual(['d', 'c']);
    expect(await audit.recent(0)).toEqual([]);
    expect(await audit.recent(-5)).toEqual([]);
    expect(await audit.count()).toBe(4);
  });

  it('caps how many entries one call returns and how long a detail can be', async () => {
    const { audit } = r;
    await r.engine.kysely
      .insertInto('auditLog')
      .values(Array.from({ length: AUDIT_RECENT_MAX + 20 }, (_, i) => ({ at: i, actorId: 'U', channelId: 'C', action: 'watch' as const, outcome: 'ok' as const })))
      .execute();
    expect(await audit.recent(10_000)).toHaveLength(AUDIT_RECENT_MAX);
    expect((await audit.recent(10_000))[0]?.at).toBe(AUDIT_RECENT_MAX + 19);
    expect(await audit.count()).toBe(AUDIT_RECENT_MAX + 20);

    const long = await audit.record({ actorId: 'U', channelId: 'C', action: 'deploy', outcome: 'error', detail: 'x'.repeat(5000) });
    expect(long.detail).toHaveLength(AUDIT_DETAIL_MAX);
    expect(long.detail?.endsWith('…')).toBe(true);
  });
});
