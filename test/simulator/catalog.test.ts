/** The seeded catalog is what the bot's own schemas expect, and keeps the docs' example ids. */
import {
  ContainerPlansSchema,
  DefaultImagesSchema,
  VmPlansSchema,
} from '../../src/fluence/schemas';
import {
  PLAN_A100_1X,
  PLAN_H200_1X,
  VM_OPTION_A10_SANJOSE,
  VM_OPTION_A100_CENTRAL3,
} from '../../src/simulator';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.stop());

describe('plans and images', () => {
  it('container plans parse and include the docs examples with their prices', async () => {
    const body = (await h.call('GET', '/gpu/plans/')).json;
    const plans = ContainerPlansSchema.parse(body);
    expect(plans.length).toBeGreaterThanOrEqual(10);
    expect(plans.find((p) => p.plan.id === PLAN_A100_1X)?.plan).toMatchObject({ name: 'a100-80gi-sxm-1gpu-1cpu-1gi-1gi', pricing: { hour: 1.22 } });
    expect(plans.find((p) => p.plan.id === PLAN_H200_1X)?.plan.pricing.hour).toBe(2.96);
    const models = new Set(plans.map((p) => p.plan.gpu_model.model));
    expect([...models].sort()).toEqual(['a100', 'h100', 'h200', 'l40s', 'rtx4090']);
    const locations = new Set(plans.flatMap((p) => p.attributes.location));
    for (const cc of ['US', 'DE', 'FI', 'CA']) expect(locations.has(cc)).toBe(true);
    expect(new Set(plans.map((p) => p.plan.id)).size).toBe(plans.length);
  });

  it.each([
    ['/gpu/plans/vms', 'VM'],
    ['/gpu/plans/baremetal', 'BAREMETAL'],
  ])('%s is grouped by model then count, with consistent totals', async (path, deploymentType) => {
    const body = VmPlansSchema.parse((await h.call('GET', path)).json);
    expect(body.data.length).toBeGreaterThanOrEqual(3);
    for (const group of body.data) {
      const counts = group.availability_by_number.map((a) => a.gpu_count);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(group.minimum_price).toBe(Math.min(...group.availability_by_number.map((a) => a.minimum_price)));
      for (const a of group.availability_by_number) {
        expect(a.options_available_total).toBe(a.options.length);
        expect(a.minimum_price).toBe(Math.min(...a.options.map((o) => o.pricing.hour)));
        expect(a.locations).toEqual([...new Set(a.options.map((o) => o.location))].sort());
        for (const o of a.options) {
          expect(o.deployment_type).toBe(deploymentType);
          expect(o.os_options.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('the VM catalog keeps the docs example options', async () => {
    const body = VmPlansSchema.parse((await h.call('GET', '/gpu/plans/vms')).json);
    const options = body.data.flatMap((g) => g.availability_by_number.flatMap((a) => a.options));
    expect(options.find((o) => o.id === VM_OPTION_A10_SANJOSE)?.os_options).toEqual(['ubuntu22.04_cuda12.4_shade_os']);
    expect(options.find((o) => o.id === VM_OPTION_A100_CENTRAL3)).toMatchObject({ provider: 'massed-compute', location: 'us-central-3' });
  });

  it('default images parse and include debian-ssh-11', async () => {
    const images = DefaultImagesSchema.parse((await h.call('GET', '/gpu/default-images/')).json);
    expect(images.find((i) => i.slug === 'debian-ssh-11')).toMatchObject({
      image: 'docker.io/fluencelabs/debian-ssh-root:11',
      expose: [{ port: '22', protocol: 'tcp' }],
      requires_ssh: true,
    });
    expect(images.length).toBeGreaterThanOrEqual(3);
  });
});
