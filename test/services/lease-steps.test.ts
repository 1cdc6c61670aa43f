import { HOUR_MS, MINUTE_MS } from '../../src/duration';
import type { WorkloadType } from '../../src/fluence/workload';
import { decideLeases, type FleetInstance, type FleetView, type LeaseState } from '../../src/services/lease-steps';
import type { OnExpiry } from '../../src/store/policies';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const timing = { reminderMs: 30 * MINUTE_MS };
const remind = (): { onExpiry: OnExpiry } => ({ onExpiry: 'remind' });
const terminate = (): { onExpiry: OnExpiry } => ({ onExpiry: 'terminate' });

function lease(p: Partial<LeaseState> = {}): LeaseState {
  return { instanceId: 'i-1', type: 'container', ownerId: 'U1', channelId: 'C1', endsAt: NOW + 2 * HOUR_MS, remindedAt: null, expiredAt: null, nextNagAt: null, ...p };
}
function fleet(instances: Array<Partial<FleetInstance>> = [{}], listed: WorkloadType[] = ['container', 'vm', 'baremetal']): FleetView {
  const all = instances.map((i) => ({ id: 'i-1', type: 'container' as const, name: 'box', state: 'active' as const, createdAt: new Date(NOW - HOUR_MS).toISOString(), ...i }));
  return { instances: new Map(all.map((i) => [i.id, i])), listed: new Set(listed) };
}
const stepsOf = (now: number, l: LeaseState, f = fleet(), policy = remind) => decideLeases(now, [l], f, policy, timing).map((s) => s.step);

describe('decideLeases', () => {
  it('a 2 h lease: nothing until 30 min before the end, then one reminder, then nothing more while it is marked', () => {
    const end = NOW + 2 * HOUR_MS;
    expect(stepsOf(end - 31 * MINUTE_MS, lease())).toEqual([]);
    expect(stepsOf(end - 30 * MINUTE_MS, lease())).toEqual(['remind']);
    expect(stepsOf(end - 10 * MINUTE_MS, lease({ remindedAt: end - 30 * MINUTE_MS }))).toEqual([]);
  });

  it('at the end: expire with the channel policy; remind-policy repeats only when the nag is due', () => {
    const end = NOW;
    const [step] = decideLeases(end, [lease({ endsAt: end, remindedAt: end - 1 })], fleet(), terminate, timing);
    expect(step).toMatchObject({ step: 'expire', onExpiry: 'terminate' });
    expect(stepsOf(end, lease({ endsAt: end }))).toEqual(['expire']); // never reminded (bot was down): the expiry says it all
    const expired = lease({ endsAt: end, remindedAt: end, expiredAt: end, nextNagAt: end + 4 * HOUR_MS });
    expect(stepsOf(end + 4 * HOUR_MS - 1, expired)).toEqual([]);
    expect(stepsOf(end + 4 * HOUR_MS, expired)).toEqual(['nag']);
    // terminate policy leaves no nag planned: nothing after the expiry
    expect(stepsOf(end + 9 * HOUR_MS, lease({ endsAt: end, expiredAt: end }), fleet(), terminate)).toEqual([]);
  });

  it('on-expiry=terminate waits for a provisioning instance to be ACTIVE (Fluence ends only ACTIVE ones)', () => {
    expect(stepsOf(NOW, lease({ endsAt: NOW - 1 }), fleet([{ state: 'provisioning' }]), terminate)).toEqual([]);
    expect(stepsOf(NOW, lease({ endsAt: NOW - 1 }), fleet([{ state: 'provisioning' }]), remind)).toEqual(['expire']);
  });

  it('an ended, failed or vanished instance is settled without a word; an unlisted type is not decided at all', () => {
    expect(stepsOf(NOW, lease({ endsAt: NOW + MINUTE_MS }), fleet([{ state: 'ended' }]))).toEqual(['settle']);
    expect(stepsOf(NOW, lease({ endsAt: NOW + MINUTE_MS }), fleet([{ state: 'failed' }]))).toEqual(['settle']);
    expect(stepsOf(NOW, lease({ endsAt: NOW - 1 }), fleet([]))).toEqual(['settle']);
    // the container list call failed this tick: no decision on a guess
    expect(stepsOf(NOW, lease({ endsAt: NOW - 1 }), fleet([], ['vm', 'baremetal']))).toEqual([]);
    // a lease of unknown type needs every type listed
    expect(stepsOf(NOW, lease({ type: null, endsAt: NOW - 1 }), fleet([], ['container', 'vm']))).toEqual([]);
    expect(stepsOf(NOW, lease({ type: null, endsAt: NOW - 1 }), fleet([]))).toEqual(['settle']);
  });

  it('a lease without end, or already settled, gives nothing', () => {
    expect(stepsOf(NOW, lease({ endsAt: null }))).toEqual([]);
    expect(stepsOf(NOW, lease({ endsAt: NOW - 1, remindedAt: 1, expiredAt: 1 }), fleet([{ state: 'ended' }]))).toEqual([]);
  });
});
