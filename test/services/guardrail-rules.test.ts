import { decide, effectiveRole, personalRole } from '../../src/services/access';
import { checkSpend, runwayHours, upfrontCost } from '../../src/services/spend';

describe('roles', () => {
  const base = { userGrant: null, channelGrant: null, bootstrapAdmin: false, sandbox: false };
  it('denies by default: no grant means viewer', () => {
    expect(effectiveRole(base)).toBe('viewer');
    expect(decide('viewer', 'deploy')).toMatchObject({ allowed: false, needs: 'deployer' });
    expect(decide('viewer', 'read')).toMatchObject({ allowed: true });
  });
  it('takes the higher of user and channel grants; bootstrap admins are admins; sandbox makes everyone a deployer', () => {
    expect(effectiveRole({ ...base, userGrant: 'viewer', channelGrant: 'deployer' })).toBe('deployer');
    expect(effectiveRole({ ...base, userGrant: 'admin', channelGrant: 'deployer' })).toBe('admin');
    expect(effectiveRole({ ...base, bootstrapAdmin: true })).toBe('admin');
    expect(effectiveRole({ ...base, sandbox: true })).toBe('deployer');
    expect(effectiveRole({ ...base, sandbox: true, userGrant: 'admin' })).toBe('admin');
  });
  it('a channel grant never gives admin, and only a personal admin may manage access', () => {
    expect(effectiveRole({ ...base, channelGrant: 'admin' })).toBe('deployer');
    expect(personalRole({ userGrant: null, bootstrapAdmin: false })).toBe('viewer');
    expect(personalRole({ userGrant: 'admin', bootstrapAdmin: false })).toBe('admin');
    expect(personalRole({ userGrant: null, bootstrapAdmin: true })).toBe('admin');
    expect(decide('deployer', 'manage-access').allowed).toBe(false);
  });
  it('logs, events and the startup command: the owner and admins only', () => {
    expect(decide('viewer', 'read-private', true).allowed).toBe(true);
    expect(decide('admin', 'read-private', false).allowed).toBe(true);
    expect(decide('deployer', 'read-private', false)).toMatchObject({ allowed: false, needs: 'admin' });
  });
  it('lets deployers change only their own instances, admins anyone\'s', () => {
    expect(decide('deployer', 'terminate', true).allowed).toBe(true);
    expect(decide('deployer', 'terminate', false)).toMatchObject({ allowed: false, needs: 'admin' });
    expect(decide('deployer', 'terminate', false).reason).toMatch(/someone else's/);
    expect(decide('admin', 'terminate', false).allowed).toBe(true);
    expect(decide('viewer', 'terminate', true)).toMatchObject({ allowed: false, needs: 'deployer' });
    expect(decide('deployer', 'approve').allowed).toBe(false);
    expect(decide('admin', 'admin').allowed).toBe(true);
  });
});

describe('spend', () => {
  it('computes the upfront reserve in exact cents', () => {
    expect(upfrontCost(2.96, 3)).toBe(8.88);
    expect(upfrontCost(0.1, 3)).toBe(0.3);
  });
  it('stops a deploy the balance cannot cover, with the figures', () => {
    const v = checkSpend({ pricePerHour: 21.6, upfrontHours: 3, balance: 50 });
    expect(v.kind).toBe('unaffordable');
    if (v.kind === 'unaffordable') expect(v.reason).toMatch(/\$64\.80 upfront.*\$50\.00.*\$14\.80/);
  });
  it('asks for approval above the per-instance limit or the channel budget', () => {
    expect(checkSpend({ pricePerHour: 5, upfrontHours: 3, maxHourlyUsd: 4, balance: 100 })).toMatchObject({ kind: 'needs_approval' });
    const v = checkSpend({ pricePerHour: 3, upfrontHours: 3, channelBudget: 10, channelBurnPerHour: 8, balance: 100 });
    expect(v).toMatchObject({ kind: 'needs_approval' });
    if (v.kind === 'needs_approval') expect(v.reasons[0]).toMatch(/\$11\.00\/h, above its budget of \$10\.00\/h/);
    expect(checkSpend({ pricePerHour: 2, upfrontHours: 3, channelBudget: 10, channelBurnPerHour: 8, balance: 100 })).toMatchObject({
      kind: 'ok',
      balanceAfter: 94,
    });
  });
  it('gives runway in hours at the current burn', () => {
    expect(runwayHours(100, 3)).toBe(33.3);
    expect(runwayHours(100, 0)).toBeNull();
  });
});
