/** Deploy approval requests on SQLite and on PostgreSQL (issue 13 §1): one decision wins, across replicas too. */
import type { ApprovalInput } from '../../src/store/approvals';
import { describeOnEachEngine } from '../support/engines';

const HOUR = 3_600_000;

describeOnEachEngine('ApprovalStore', (r) => {
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
    expiresAt: r.clock.t + HOUR,
    ...over,
  });

  it('keeps the sealed payload only while it may still be needed: wiped once denied, expired, or approved and acted on', async () => {
    const { approvals } = r;
    await approvals.create(request({ id: 'denied' }));
    await approvals.create(request({ id: 'expired', expiresAt: r.clock.t + 10 }));
    await approvals.create(request({ id: 'approved' }));
    await approvals.create(request({ id: 'pending' }));
    await approvals.decide('denied', { decision: 'denied', by: 'UADMIN1', at: r.clock.t + 1 });
    await approvals.expireDue(r.clock.t + 20);
    await approvals.decide('approved', { decision: 'approved', by: 'UADMIN1', at: r.clock.t + 1 });
    // approved: still there until the deploy ran
    expect((await approvals.get('approved'))?.payload).toBe('enc:v1:abcdef');
    expect(await approvals.wipePayload('pending')).toBe(false);
    expect(await approvals.wipePayload('approved')).toBe(true);
    const payloads: Record<string, string | undefined> = {};
    for (const id of ['denied', 'expired', 'approved', 'pending']) payloads[id] = (await approvals.get(id))?.payload;
    expect(payloads).toEqual({ denied: '', expired: '', approved: '', pending: 'enc:v1:abcdef' });
  });

  it('files a pending request with what the admins need to see', async () => {
    const { approvals } = r;
    const created = await approvals.create(request());
    expect(created).toMatchObject({ id: 'ap-1', state: 'pending', requesterId: 'U1', pricePerHour: 24, payload: 'enc:v1:abcdef', decidedBy: null });
    expect(await approvals.get('ap-1')).toEqual(created);
    expect((await approvals.listPending()).map((a) => a.id)).toEqual(['ap-1']);
    await expect(approvals.create(request())).rejects.toMatchObject({ message: expect.stringMatching(/UNIQUE|duplicate key/i) });
  });

  it('only the first decision wins; a second click is told it is no longer pending', async () => {
    const { approvals } = r;
    await approvals.create(request());
    const first = await approvals.decide('ap-1', { decision: 'approved', by: 'UADMIN1', at: r.clock.t + 1000 });
    expect(first).toMatchObject({ state: 'approved', decidedBy: 'UADMIN1', decidedAt: r.clock.t + 1000 });
    expect(await approvals.decide('ap-1', { decision: 'denied', by: 'UADMIN2', at: r.clock.t + 2000 })).toEqual({ error: 'not_pending' });
    expect(await approvals.decide('ap-1', { decision: 'approved', by: 'UADMIN1', at: r.clock.t + 2000 })).toEqual({ error: 'not_pending' });
    expect(await approvals.get('ap-1')).toMatchObject({ state: 'approved', decidedBy: 'UADMIN1' });
    expect(await approvals.listPending()).toEqual([]);
  });

  it('two admins on two replicas deciding at once: exactly one decision is recorded, the other is told', async () => {
    const b = await r.another();
    await r.approvals.create(request());
    const results = await Promise.all([
      b.approvals.decide('ap-1', { decision: 'denied', by: 'UB', at: r.clock.t + 1 }),
      r.approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: r.clock.t + 1 }),
      b.approvals.decide('ap-1', { decision: 'approved', by: 'UC', at: r.clock.t + 1 }),
    ]);
    const won = results.filter((x) => !('error' in x));
    expect(won).toHaveLength(1);
    expect(results.filter((x) => 'error' in x)).toEqual([{ error: 'not_pending' }, { error: 'not_pending' }]);
    const winner = won[0] as { state: string; decidedBy: string };
    expect(await r.approvals.get('ap-1')).toMatchObject({ state: winner.state, decidedBy: winner.decidedBy });
  });

  it('a decision at or after expiry is refused as expired, and does not change the request', async () => {
    const { approvals } = r;
    const { expiresAt } = await approvals.create(request());
    expect(await approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: expiresAt })).toEqual({ error: 'expired' });
    expect((await approvals.get('ap-1'))?.state).toBe('pending'); // left for the expiry sweep to announce
    expect(await approvals.decide('missing', { decision: 'approved', by: 'UA', at: r.clock.t })).toEqual({ error: 'not_found' });
  });

  it('expireDue expires each due request exactly once and leaves the others', async () => {
    const { approvals } = r;
    await approvals.create(request({ id: 'soon', expiresAt: r.clock.t + 1000 }));
    await approvals.create(request({ id: 'sooner', expiresAt: r.clock.t + 500 }));
    await approvals.create(request({ id: 'later', expiresAt: r.clock.t + HOUR }));
    await approvals.create(request({ id: 'decided', expiresAt: r.clock.t + 100 }));
    await approvals.decide('decided', { decision: 'denied', by: 'UA', at: r.clock.t + 50 });

    expect((await approvals.expireDue(r.clock.t + 999)).map((a) => a.id)).toEqual(['sooner']);
    const due = await approvals.expireDue(r.clock.t + 1000);
    expect(due.map((a) => [a.id, a.state])).toEqual([['soon', 'expired']]);
    expect(await approvals.expireDue(r.clock.t + 1000)).toEqual([]);
    expect((await approvals.get('decided'))?.state).toBe('denied');
    expect((await approvals.listPending()).map((a) => a.id)).toEqual(['later']);
    expect(await approvals.decide('soon', { decision: 'approved', by: 'UA', at: r.clock.t + 2000 })).toEqual({ error: 'expired' });
  });

  it('two replicas sweeping at once: each due request is expired (and told) exactly once', async () => {
    const b = await r.another();
    for (let i = 0; i < 20; i++) await r.approvals.create(request({ id: `ap-${i}`, expiresAt: r.clock.t + i }));
    const sweeps = await Promise.all([r.approvals.expireDue(r.clock.t + 100), b.approvals.expireDue(r.clock.t + 100), r.approvals.expireDue(r.clock.t + 100)]);
    const expired = sweeps.flat().map((a) => a.id);
    expect(expired.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ap-${i}`).sort());
  });

  it('remembers the request message and the instance an approved request deployed (once)', async () => {
    const { approvals } = r;
    await approvals.create(request());
    expect(await approvals.setMessage('ap-1', 'CADMINS', '1700000000.1')).toBe(true);
    expect(await approvals.setMessage('missing', 'C', '1')).toBe(false);
    expect(await approvals.markDeployed('ap-1', 'inst-1')).toBeUndefined(); // not approved yet
    await approvals.decide('ap-1', { decision: 'approved', by: 'UA', at: r.clock.t + 1 });
    r.clock.t += 10_000;
    expect(await approvals.markDeployed('ap-1', 'inst-1')).toMatchObject({
      instanceId: 'inst-1', deployedAt: r.clock.t, messageChannelId: 'CADMINS', messageTs: '1700000000.1',
    });
    expect(await approvals.markDeployed('ap-1', 'inst-2')).toBeUndefined();
    expect((await approvals.get('ap-1'))?.instanceId).toBe('inst-1');
  });

  it('lists the approved requests never acted on to the end (resumed at start)', async () => {
    const { approvals } = r;
    await approvals.create(request({ id: 'acted' }));
    await approvals.create(request({ id: 'stopped' }));
    await approvals.decide('acted', { decision: 'approved', by: 'UA', at: r.clock.t + 1 });
    await approvals.decide('stopped', { decision: 'approved', by: 'UA', at: r.clock.t + 2 });
    await approvals.markDeployed('acted', 'inst-1');
    expect((await approvals.listApprovedUnsettled()).map((a) => a.id)).toEqual(['stopped']);
  });
});
