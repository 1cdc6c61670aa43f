/**
 * Every saved example body from the API reference must parse with the schema the client uses for
 * it. A new example with no mapping here fails the suite, so none can be silently skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { containerDetail, containerSummary, vmDetail, vmPlanOffers, containerPlanOffers } from '../../src/fluence/model';
import {
  ContainerDetailSchema,
  ContainerListSchema,
  ContainerPlansSchema,
  CreateContainerRequestSchema,
  CreateInstanceResponseSchema,
  CreateVmRequestSchema,
  ErrorBodySchema,
  LinesSchema,
  RenameRequestSchema,
  UpdateContainerRequestSchema,
  VmDetailSchema,
  VmListSchema,
  VmPlansSchema,
} from '../../src/fluence/schemas';

const EXAMPLES = path.join(__dirname, '../../../shared/fluence/examples');

/** First match wins; order matters where names overlap. */
const MAPPING: Array<[RegExp, z.ZodType]> = [
  [/^plans-containers\.response\.json$/, ContainerPlansSchema],
  [/^plans-vms\.response\.json$/, VmPlansSchema],
  [/^plans-baremetal\.response\.json$/, VmPlansSchema],
  [/^instances-list-containers\.response\.json$/, ContainerListSchema],
  [/^instances-list-(vms|baremetal)\.response\.json$/, VmListSchema],
  [/^instances-create-container(-[a-z]+)?\.request\.json$/, CreateContainerRequestSchema],
  [/^instances-create-(vm|baremetal)(-[a-z]+)?\.request\.json$/, CreateVmRequestSchema],
  [/^instances-create\.response\.json$/, CreateInstanceResponseSchema],
  [/^instance-container-(logs|events)\.response\.json$/, LinesSchema],
  [/^instance-container-update\.request\.json$/, UpdateContainerRequestSchema],
  [/^instance-container-[a-z]+\.response\.json$/, ContainerDetailSchema],
  [/^instance-(vm|baremetal)-rename\.request\.json$/, RenameRequestSchema],
  [/^instance-(vm|baremetal)-[a-z]+\.response\.json$/, VmDetailSchema],
  [/^error-\d{3}-[a-z0-9-]+\.json$/, ErrorBodySchema],
];

function load(name: string): unknown {
  return JSON.parse(readFileSync(path.join(EXAMPLES, name), 'utf8'));
}

if (!existsSync(EXAMPLES)) {
  throw new Error(`Example bodies not found at ${EXAMPLES}: the API reference (shared/fluence/examples) must sit next to the repo.`);
}
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();

describe('saved API examples', () => {
  it('the examples folder is not empty', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
  });

  it.each(files)('%s parses with its schema', (file) => {
    const entry = MAPPING.find(([re]) => re.test(file));
    if (!entry) throw new Error(`No schema is mapped for example ${file}: add it to MAPPING in test/fluence/examples.test.ts`);
    const result = entry[1].safeParse(load(file));
    if (!result.success) throw new Error(`${file}: ${JSON.stringify(result.error.issues, null, 2)}`);
  });
});

describe('conversions of the examples', () => {
  it('active container: ssh command from forwarded port 22 and the domain', () => {
    const d = containerDetail(ContainerDetailSchema.parse(load('instance-container-active.response.json')));
    expect(d.state).toBe('active');
    expect(d.connection?.ssh).toBe('ssh -p 32345 root@provider.a100.pub');
    expect(d.connection?.ports).toEqual([{ port: '22', externalPort: '32345', protocol: 'tcp', endpoint: 'provider.a100.pub:32345' }]);
    expect(d.gpu.interface).toBe('sxm');
  });

  it('active VM: the ready-made ssh_connection', () => {
    const d = vmDetail('vm', VmDetailSchema.parse(load('instance-vm-active.response.json')));
    expect(d.state).toBe('active');
    expect(d.connection?.ssh).toBe('ssh ubuntu@216.81.248.90');
  });

  it('ended instances have no connection', () => {
    const c = containerDetail(ContainerDetailSchema.parse(load('instance-container-ended.response.json')));
    const v = vmDetail('vm', VmDetailSchema.parse(load('instance-vm-ended.response.json')));
    expect([c.state, c.connection]).toEqual(['ended', null]);
    expect([v.state, v.connection]).toEqual(['ended', null]);
  });

  it('GPU interface is lower-cased everywhere (plans say "SXM", instances "sxm")', () => {
    const plans = containerPlanOffers(ContainerPlansSchema.parse(load('plans-containers.response.json')));
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.map((p) => p.gpu.interface)).toEqual(plans.map(() => 'sxm'));
    const vms = vmPlanOffers('vm', VmPlansSchema.parse(load('plans-vms.response.json')));
    expect(vms.map((p) => p.planId)).toEqual([
      '3f6cd2d1-19ac-49fb-95a5-9088bb2dcb49',
      '0e311c31-1e31-4fc7-b27d-4b73f3f27bc2',
      'd8312018-c50c-4278-89db-69e40013414d',
    ]);
    expect(vms.every((p) => p.gpu.interface === 'pcie')).toBe(true);
    const list = ContainerListSchema.parse(load('instances-list-containers.response.json')).map(containerSummary);
    expect(list.map((i) => i.state)).toEqual(['active', 'ended']);
  });
});
