/** Offers change while the simulator runs: repriced, withdrawn and back, added; deploys follow. */
import { FluenceClient } from '../../src/fluence/client';
import { PLAN_H100_1X, VM_OPTION_H100_TOKYO } from '../../src/simulator';
import { SSH_KEY, startHarness, type Harness } from './harness';

let h: Harness;
let client: FluenceClient;
beforeEach(async () => {
  h = await startHarness();
  client = new FluenceClient({ baseUrl: h.sim.url, apiKey: h.sim.apiKey, timeoutMs: 2000 });
});
afterEach(() => h.sim.stop());

const priceOf = async (type: 'container' | 'vm' | 'baremetal', id: string) =>
  (await client.listPlans(type)).find((o) => o.planId === id)?.pricePerHour;

describe('the simulator market', () => {
  it('a new price shows in the list and is the price a deploy is charged at', async () => {
    expect(await priceOf('container', PLAN_H100_1X)).toBe(2.1);
    h.sim.control.market.setPrice(PLAN_H100_1X, 1.75);
    expect(await priceOf('container', PLAN_H100_1X)).toBe(1.75);
    const { instanceId } = await client.createInstance('container', {
      plan_id: PLAN_H100_1X, name: 'cheap', ssh_key: SSH_KEY,
      container_settings: { image: 'docker.io/fluencelabs/debian-ssh-root:11', expose: [{ port: '22', protocol: 'tcp' }] },
    } as never);
    expect(h.sim.control.instances().find((i) => i.id === instanceId)?.pricePerHour).toBe(1.75);
  });

  it('a withdrawn offer leaves its list and cannot be deployed; restored, it is back', async () => {
    h.sim.control.market.withdraw(VM_OPTION_H100_TOKYO);
    expect(await priceOf('vm', VM_OPTION_H100_TOKYO)).toBeUndefined();
    const refused = await h.call('POST', '/gpu/instances/vms', { plan_id: VM_OPTION_H100_TOKYO, name: 'gone', ssh_key: SSH_KEY, os_image: 'ubuntu22.04_cuda12.4_shade_os' });
    expect(refused.status).toBe(400);
    h.sim.control.market.restore(VM_OPTION_H100_TOKYO);
    expect(await priceOf('vm', VM_OPTION_H100_TOKYO)).toBe(2.35);
  });

  it('an added offer is listed with its GPU, count, price and location', async () => {
    const id = h.sim.control.market.add('baremetal', { gpu: 'h100', count: 8, pricePerHour: 12.5, locations: ['oslo-norway-1'] });
    const offer = (await client.listPlans('baremetal')).find((o) => o.planId === id);
    expect(offer).toMatchObject({ pricePerHour: 12.5, locations: ['oslo-norway-1'], gpu: { model: 'h100', count: 8 } });
    expect(() => h.sim.control.market.setPrice('nope', 1)).toThrow(/no offer/);
  });

  it('each simulator has its own market', async () => {
    h.sim.control.market.setPrice(PLAN_H100_1X, 0.5);
    const other = await startHarness();
    try {
      const otherClient = new FluenceClient({ baseUrl: other.sim.url, apiKey: other.sim.apiKey, timeoutMs: 2000 });
      expect((await otherClient.listPlans('container')).find((o) => o.planId === PLAN_H100_1X)?.pricePerHour).toBe(2.1);
    } finally {
      await other.sim.stop();
    }
  });
});
