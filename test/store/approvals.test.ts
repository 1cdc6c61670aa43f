import type { ApprovalInput } from '../../src/store/approvals';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

const HOUR = 3_600_000;
const request = (over: Partial<ApprovalInput> = {}): ApprovalInput => ({
  id: 'ap-1',
  teamId: 'T1',
  channelId: 'C1',
  requesterId: 'U1',
  type: 'baremetal',
  planId: 'bm-8xh100',
  name: 'trainer',
  pricePerHour: 24,
  reason: 'above MAX_HOURLY_USD ($10/h)',
  payload: 'enc:v1:abcdef',
  expiresAt: t.clock.t + HOUR,
  ...over,
});

describe('ApprovalStore', () => {
  it('keeps the sealed payload only while it may still be needed: wiped once denied, expired, or approved and acted on', async () => {
    const { approvals } = await t.open();
    approvals.create(request({ id: 'denied' }));
    approvals.create(request({ id: 'expired', expiresAt: t.clock.t + 10 }));
    approvals.create(request({ id: 'approved' }));
    approvals.create(request({ id: 'pending' }));
    approvals.decide('denied', { decision: 'denied', by: 'UADMIN1', at: t.clock.t + 1 });
    approvals.expireDue(t.clock.t + 20);
    approvals.decide('approved', { decision: 'approved', by: 'UADMIN1', at: t.clock.t + 1 });
    // approved: still there until the deploy ran
    expect(approvals.get('approved')?.payload).toBe('enc:v1:abcdef');
    expect(approvals.wipePayload('pending')).toBe(false);
    expect(approvals.wipePayload('approved')).toBe(true);
    const payloads = Object.fromEntries(['denied', 'expired', 'approved', 'pending'].map((id) => [id, approvals.get(id)?.payload]));
    expect(payloads).toEqual({ denied: '', expired: '', approved: '', pending: 'enc:v1:abcdef' });
  });

  it('files a pending request with what the admins need to see', async () => {
    const { approvals } = await t.open();
    const created = approvals.create(request());
    expect(created).toMatchObject({ id: 'ap-1', state: 'pending', requesterId: 'U1', pricePerHour: 24, payload: 'enc:v1:abcdef', decidedBy: null });
    expect(approvals.get('ap-1')).toEqual(created);
    expect(approvals.listPending().map((a) => a.id)).toEqual(['ap-1']);
    expect(() => approvals.create(request())).toThrow();
  });

  it('only the first decision wins; a second click is told it is no longer pending', async () => {
    const { approvals } = await t.open();
    approvals.create(request());
    const first = approvals.decide('ap-1', { decision: 'approved', by: 'UADMIN1', at: t.clock.t + 1000 });
    expect(first).toMatchObject({ state: 'approved', decidedBy: 'UADMIN1', decidedAt: t.clock.t + 1000 });
    expect(approvals.decide('ap-1', { decision: 'denied', by: 'UADMIN2', at: t.clock.t + 2000 })).toEqual({ error: 'not_pending' });
    expect(approvals.decide('ap-1', { decision: 'approved', by: 'UADMIN1', at: t.clock.t + 2000 })).toEqual({ error: 'not_pending' });
    expect(approvals.get('ap-1')).toMatchObject({ state: 'approved', decidedBy: 'UADMIN1' });
    expect(approvals.listPending()).toEqual([]);
  });

  it('two admins on two connections to one file: exactly one decision is recorded', async () => {
    const a = await t.open();
    const b = await t.open();
    a.approvals.create(request());
    const results = [
      b.approvals.decide('ap-1', { decision: 'denied', by: 'UB', at: t.clock.t + 1 }),
      a.approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: t.clock.t + 1 }),
    ];
    expect(results.filter((r) => !('error' in r))).toHaveLength(1);
    expect(a.approvals.get('ap-1')).toMatchObject({ state: 'denied', decidedBy: 'UB' });
  });

  it('a decision at or after expiry is refused as expired, and does not change the request', async () => {
    const { approvals } = await t.open();
    const { expiresAt } = approvals.create(request());
    expect(approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: expiresAt })).toEqual({ error: 'expired' });
    expect(approvals.get('ap-1')?.state).toBe('pending'); // left for the expiry sweep to announce
    expect(approvals.decide('missing', { decision: 'approved', by: 'UA', at: t.clock.t })).toEqual({ error: 'not_found' });
  });

  it('expireDue expires each due request exactly once and leaves the others', async () => {
    const { approvals } = await t.open();
    approvals.create(request({ id: 'soon', expiresAt: t.clock.t + 1000 }));
    approvals.create(request({ id: 'sooner', expiresAt: t.clock.t + 500 }));
    approvals.create(request({ id: 'later', expiresAt: t.clock.t + HOUR }));
    approvals.create(request({ id: 'decided', expiresAt: t.clock.t + 100 }));
    approvals.decide('decided', { decision: 'denied', by: 'UA', at: t.clock.t + 50 });

    expect(approvals.expireDue(t.clock.t + 999).map((a) => a.id)).toEqual(['sooner']);
    const due = approvals.expireDue(t.clock.t + 1000);
    expect(due.map((a) => [a.id, a.state])).toEqual([['soon', 'expired']]);
    expect(approvals.expireDue(t.clock.t + 1000)).toEqual([]);
    expect(approvals.get('decided')?.state).toBe('denied');
    expect(approvals.listPending().map((a) => a.id)).toEqual(['later']);
    expect(approvals.decide('soon', { decision: 'approved', by: 'UA', at: t.clock.t + 2000 })).toEqual({ error: 'expired' });
  });

  it('remembers the request message and the instance an approved request deployed (once)', async () => {
    const { approvals } = await t.open();
    approvals.create(request());
    expect(approvals.setMessage('ap-1', 'CADMINS', '1700000000.1')).toBe(true);
    expect(approvals.setMessage('missing', 'C', '1')).toBe(false);
    expect(approvals.markDeployed('ap-1', 'inst-1')).toBeUndefined(); // not approved yet
    approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: t.clock.t + 1 });
    t.clock.t += 10_000;
    expect(approvals.markDeployed('ap-1', 'inst-1')).toMatchObject({
      instanceId: 'inst-1', deployedAt: t.clock.t, messageChannelId: 'CADMINS', messageTs: '1700000000.1',
    });
    expect(approvals.markDeployed('ap-1', 'inst-2')).toBeUndefined();
    expect(approvals.get('ap-1')?.instanceId).toBe('inst-1');
  });
});
