import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

describe('GrantStore', () => {
  it('sets, replaces and revokes a role, returning each change for the audit', async () => {
    const { grants } = await t.open();
    const alice = { kind: 'user' as const, id: 'UALICE' };
    expect(grants.get(alice)).toBeUndefined();

    expect(grants.set(alice, 'deployer', 'UADMIN')).toEqual({
      subject: alice, before: null, after: 'deployer', by: 'UADMIN', at: t.clock.t, changed: true,
    });
    t.clock.t += 1000;
    expect(grants.set(alice, 'admin', 'UADMIN2')).toMatchObject({ before: 'deployer', after: 'admin', changed: true });
    expect(grants.get(alice)).toEqual({ subject: alice, role: 'admin', by: 'UADMIN2', at: t.clock.t });
    expect(grants.set(alice, 'admin', 'UADMIN2')).toMatchObject({ before: 'admin', after: 'admin', changed: false });

    expect(grants.revoke(alice, 'UADMIN')).toMatchObject({ before: 'admin', after: null, by: 'UADMIN', changed: true });
    expect(grants.get(alice)).toBeUndefined();
    expect(grants.revoke(alice, 'UADMIN')).toMatchObject({ before: null, after: null, changed: false });
  });

  it('keeps user and channel grants apart, and lists users then channels', async () => {
    const { grants } = await t.open();
    grants.set({ kind: 'channel', id: 'CGPU' }, 'deployer', 'UADMIN');
    grants.set({ kind: 'user', id: 'UB' }, 'viewer', 'UADMIN');
    grants.set({ kind: 'user', id: 'UA' }, 'admin', 'UADMIN');
    grants.set({ kind: 'user', id: 'CGPU' }, 'admin', 'UADMIN'); // same id, other kind: a different subject

    expect(grants.get({ kind: 'channel', id: 'CGPU' })?.role).toBe('deployer');
    expect(grants.list().map((g) => `${g.subject.kind}:${g.subject.id}=${g.role}`)).toEqual([
      'user:CGPU=admin',
      'user:UA=admin',
      'user:UB=viewer',
      'channel:CGPU=deployer',
    ]);
  });
});

describe('BudgetStore', () => {
  it('sets, changes and removes a channel budget, returning each change', async () => {
    const { budgets } = await t.open();
    expect(budgets.get('C1')).toBeUndefined();
    expect(budgets.set('C1', 12.5, 'UADMIN')).toEqual({ channelId: 'C1', before: null, after: 12.5, by: 'UADMIN', at: t.clock.t, changed: true });
    expect(budgets.set('C1', 20, 'UADMIN')).toMatchObject({ before: 12.5, after: 20, changed: true });
    budgets.set('C0', 0, 'UADMIN'); // zero is a budget: nothing may run there without approval
    expect(budgets.list()).toEqual([
      { channelId: 'C0', usdPerHour: 0, by: 'UADMIN', at: t.clock.t },
      { channelId: 'C1', usdPerHour: 20, by: 'UADMIN', at: t.clock.t },
    ]);
    expect(budgets.set('C1', null, 'UADMIN')).toMatchObject({ before: 20, after: null, changed: true });
    expect(budgets.get('C1')).toBeUndefined();
    expect(budgets.set('C1', null, 'UADMIN')).toMatchObject({ before: null, after: null, changed: false });
  });

  it('refuses negative and non-numeric amounts', async () => {
    const { budgets } = await t.open();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => budgets.set('C1', bad, 'UADMIN')).toThrow(RangeError);
    }
    expect(budgets.list()).toEqual([]);
  });
});
