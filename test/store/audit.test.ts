import { AUDIT_DETAIL_MAX, AUDIT_RECENT_MAX } from '../../src/store/audit';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

describe('AuditLog', () => {
  it('records an action with everything an admin reviews later', async () => {
    const { audit } = await t.open();
    const entry = audit.record({
      actorId: 'U1', channelId: 'C1', action: 'deploy', instanceId: 'inst-1', instanceName: 'llm',
      type: 'vm', pricePerHour: 3.2, outcome: 'ok', detail: 'approved by <@UA>',
    });
    expect(entry).toEqual({
      id: expect.any(Number), at: t.clock.t, actorId: 'U1', channelId: 'C1', action: 'deploy', instanceId: 'inst-1',
      instanceName: 'llm', type: 'vm', pricePerHour: 3.2, outcome: 'ok', detail: 'approved by <@UA>',
    });
    expect(audit.recent(10)).toEqual([entry]);
    expect(audit.record({ actorId: 'U1', channelId: 'C1', action: 'grant', outcome: 'refused' })).toMatchObject({
      instanceId: null, type: null, pricePerHour: null, detail: null,
    });
  });

  it('recent(n) returns the newest n first, ties in insertion order reversed', async () => {
    const { audit } = await t.open();
    audit.record({ at: 3000, actorId: 'U', channelId: 'C', action: 'terminate', outcome: 'ok', detail: 'c' });
    audit.record({ at: 1000, actorId: 'U', channelId: 'C', action: 'deploy', outcome: 'ok', detail: 'a' });
    audit.record({ at: 3000, actorId: 'U', channelId: 'C', action: 'rename', outcome: 'ok', detail: 'd' });
    audit.record({ at: 2000, actorId: 'U', channelId: 'C', action: 'update', outcome: 'error', detail: 'b' });

    expect(audit.recent(10).map((e) => e.detail)).toEqual(['d', 'c', 'b', 'a']);
    expect(audit.recent(2).map((e) => e.detail)).toEqual(['d', 'c']);
    expect(audit.recent(0)).toEqual([]);
    expect(audit.recent(-5)).toEqual([]);
    expect(audit.count()).toBe(4);
  });

  it('caps how many entries one call returns and how long a detail can be', async () => {
    const { audit, db } = await t.open();
    db.transaction(() => {
      for (let i = 0; i < AUDIT_RECENT_MAX + 20; i++) audit.record({ at: i, actorId: 'U', channelId: 'C', action: 'watch', outcome: 'ok' });
    })();
    expect(audit.recent(10_000)).toHaveLength(AUDIT_RECENT_MAX);
    expect(audit.recent(10_000)[0]?.at).toBe(AUDIT_RECENT_MAX + 19);
    expect(audit.count()).toBe(AUDIT_RECENT_MAX + 20);

    const long = audit.record({ actorId: 'U', channelId: 'C', action: 'deploy', outcome: 'error', detail: 'x'.repeat(5000) });
    expect(long.detail).toHaveLength(AUDIT_DETAIL_MAX);
    expect(long.detail?.endsWith('…')).toBe(true);
  });
});
