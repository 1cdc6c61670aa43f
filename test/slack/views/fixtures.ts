/** Example bodies from ../shared/fluence/examples, converted the way the client does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerDetail, containerPlanOffers, vmDetail, vmPlanOffers, type PlanOffer } from '../../../src/fluence/model';
import { ContainerDetailSchema, ContainerPlansSchema, VmDetailSchema, VmPlansSchema } from '../../../src/fluence/schemas';

const EXAMPLES = join(__dirname, '../../../../shared/fluence/examples');
export const example = (f: string): unknown => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'));

export const containerActive = () => containerDetail(ContainerDetailSchema.parse(example('instance-container-active.response.json')));
export const vmActive = () => vmDetail('vm', VmDetailSchema.parse(example('instance-vm-active.response.json')));
export const containerOffers = (): PlanOffer[] =>
  containerPlanOffers(ContainerPlansSchema.parse(example('plans-containers.response.json'))).sort((a, b) => a.pricePerHour - b.pricePerHour);
export const vmOffers = (): PlanOffer[] =>
  vmPlanOffers('vm', VmPlansSchema.parse(example('plans-vms.response.json'))).sort((a, b) => a.pricePerHour - b.pricePerHour);

/** Fixed clock for ages: 3 minutes after the container example was created. */
export const NOW = new Date('2026-02-07T14:45:29Z');
