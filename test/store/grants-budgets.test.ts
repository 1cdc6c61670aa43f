/** Grants, channel budgets and lease policies on SQLite and on PostgreSQL (issue 13 §1). */
import { HOUR_MS } from '../../src/duration';
import { describeOnEachEngine } from '../support/engines';

describeOnEachEngine('Grants, budgets and policies', (r) => {
  describe('GrantStore', () => {
    it('sets, replaces and revokes a role, returning each change for the audit', async () => {
      const { grants } = r;
      const alice = { kind: 'user' as const, id: 'UALICE' };
      expect(await grants.get(alice)).toBeUndefined();

      expect(await grants.set(alice, 'deployer', 'UADMIN')).toEqual({
        subject: alice, before: null, after: 'deployer', by: 'UADMIN', at: r.clock.t, changed: true,
      });
      r.clock.t += 1000;
      expect(await grants.set(alice, 'admin', 'UADMIN2')).toMatchObject({ before: 'deployer', after: 'admin', changed: true });
      expect(await grants.get(alice)).toEqual({ subject: alice, role: 'admin', by: 'UADMIN2', at: r.clock.t });
      expect(await grants.set(alice, 'admin', 'UADMIN2')).toMatchObject({ before: 'admin', after: 'admin', changed: false });

      expect(await grants.revoke(alice, 'UADMIN')).toMatchObject({ before: 'admin', after: null, by: 'UADMIN', changed: true });
      expect(await grants.get(alice)).toBeUndefined();
      expect(await grants.revoke(alice, 'UADMIN')).toMatchObject({ before: null, after: null, changed: false });
    });

    it('keeps user and channel grants apart, and lists users then channels', async () => {
      const { grants } = r;
      await grants.set({ kind: 'channel', id: 'CGPU' }, 'deployer', 'UADMIN');
      await grants.set({ kind: 'user', id: 'UB' }, 'viewer', 'UADMIN');
      await grants.set({ kind: 'user', id: 'UA' }, 'admin', 'UADMIN');
      await grants.set({ kind: 'user', id: 'CGPU' }, 'admin', 'UADMIN'); // same id, other kind: a different subject

      expect((await grants.get({ kind: 'channel', id: 'CGPU' }))?.role).toBe('deployer');
      expect((await grants.list()).map((g) => `${g.subject.kind}:${g.subject.id}=${g.role}`)).toEqual([
        'user:CGPU=admin',
        'user:UA=admin',
        'user:UB=viewer',
        'channel:CGPU=deployer',
      ]);
    });

    it('two admins changing one grant at once: each change reports the role it really replaced', async () => {
      const alice = { kind: 'user' as const, id: 'UALICE' };
      const changes = await Promise.all(['viewer', 'deployer', 'admin', 'viewer', 'deployer', 'admin'].map((role) => r.grants.set(alice, role as 'viewer', 'UADMIN')));
      // serialised: every change's `before` is the `after` of exactly one other change (or none for the first)
      const befores = changes.map((c) => c.before).sort();
      const afters = [null, ...changes.map((c) => c.after)].sort();
      afters.splice(afters.indexOf((await r.grants.get(alice))!.role), 1);
      expect(befores).toEqual(afters);
    });
  });

  describe('BudgetStore', () => {
    it('sets, changes and removes a channel budget, returning each change', async () => {
      const { budgets } = r;
      expect(await budgets.get('C1')).toBeUndefined();
      expect(await budgets.set('C1', 12.5, 'UADMIN')).toEqual({ channelId: 'C1', before: null, after: 12.5, by: 'UADMIN', at: r.clock.t, changed: true });
      expect(await budgets.set('C1', 20, 'UADMIN')).toMatchObject({ before: 12.5, after: 20, changed: true });
      await budgets.set('C0', 0, 'UADMIN'); // zero is a budget: nothing may run there without approval
      expect(await budgets.list()).toEqual([
        { channelId: 'C0', usdPerHour: 0, by: 'UADMIN', at: r.clock.t },
        { channelId: 'C1', usdPerHour: 20, by: 'UADMIN', at: r.clock.t },
      ]);
      expect(await budgets.set('C1', null, 'UADMIN')).toMatchObject({ before: 20, after: null, changed: true });
      expect(await budgets.get('C1')).toBeUndefined();
      expect(await budgets.set('C1', null, 'UADMIN')).toMatchObject({ before: null, after: null, changed: false });
    });

    it('refuses negative and non-numeric amounts', async () => {
      const { budgets } = r;
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(budgets.set('C1', bad, 'UADMIN')).rejects.toThrow(RangeError);
      }
      expect(await budgets.list()).toEqual([]);
    });
  });

  describe('PolicyStore', () => {
    it('merges a patch over the current policy, refuses what the check refuses, removes', async () => {
      const { policies } = r;
      expect(await policies.update('CML', { leaseMs: 8 * HOUR_MS }, 'UADMIN')).toMatchObject({ before: undefined, after: { leaseMs: 8 * HOUR_MS, maxLeaseMs: null, onExpiry: 'remind' } });
      expect(await policies.update('CML', { maxLeaseMs: 72 * HOUR_MS, onExpiry: 'terminate' }, 'UADMIN')).toMatchObject({
        after: { leaseMs: 8 * HOUR_MS, maxLeaseMs: 72 * HOUR_MS, onExpiry: 'terminate' },
      });
      const refused = await policies.update('CML', { maxLeaseMs: HOUR_MS }, 'UADMIN', (m) => (m.leaseMs! > m.maxLeaseMs! ? 'lease over max' : undefined));
      expect(refused).toEqual({ refused: 'lease over max' });
      expect(await policies.get('CML')).toEqual({ channelId: 'CML', leaseMs: 8 * HOUR_MS, maxLeaseMs: 72 * HOUR_MS, onExpiry: 'terminate', setBy: 'UADMIN', setAt: r.clock.t });
      expect((await policies.list()).map((p) => p.channelId)).toEqual(['CML']);
      expect((await policies.remove('CML')).after).toBeUndefined();
      expect(await policies.get('CML')).toBeUndefined();
    });

    it('two patches at once both land: neither overwrites the other with a stale read', async () => {
      await Promise.all([
        r.policies.update('CML', { leaseMs: 8 * HOUR_MS }, 'UA'),
        r.policies.update('CML', { maxLeaseMs: 72 * HOUR_MS }, 'UB'),
        r.policies.update('CML', { onExpiry: 'terminate' }, 'UC'),
      ]);
      expect(await r.policies.get('CML')).toMatchObject({ leaseMs: 8 * HOUR_MS, maxLeaseMs: 72 * HOUR_MS, onExpiry: 'terminate' });
    });
  });
});
