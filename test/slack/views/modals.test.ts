/** The deploy, update and rename modals as a user sees them, inside Block Kit's limits. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModalView } from '@slack/types';
import {
  containerDetail, containerPlanOffers, vmDetail, vmPlanOffers, type PlanOffer,
} from '../../../src/fluence/model';
import {
  ContainerDetailSchema, ContainerPlansSchema, DefaultImageSchema, VmDetailSchema, VmPlansSchema,
} from '../../../src/fluence/schemas';
import { keyedActionId } from '../../../src/services/deploy-form';
import { ACTION, BLOCK, VIEW } from '../../../src/slack/ids';
import {
  costText, offerLabel, parseDeployMeta, renderDeployError, renderDeployLoading, renderDeployModal, renderDeployResult,
  renderDeploySubmitted, type DeployModalData,
} from '../../../src/slack/views/deploy-modal';
import { renderRenameModal } from '../../../src/slack/views/rename-modal';
import { parseInstanceMeta, renderUpdateModal } from '../../../src/slack/views/update-modal';

const EXAMPLES = join(__dirname, '../../../../shared/fluence/examples');
const example = (f: string) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8'));

const containerOffers = containerPlanOffers(ContainerPlansSchema.parse(example('plans-containers.response.json')))
  .sort((a, b) => a.pricePerHour - b.pricePerHour);
const h200 = containerOffers.find((o) => o.gpu.model === 'h200')!;
const vmOffers = vmPlanOffers('vm', VmPlansSchema.parse(example('plans-vms.response.json')));
const images = [DefaultImageSchema.parse({
  slug: 'debian-ssh-11', name: 'Debian SSH 11', image: 'docker.io/fluencelabs/debian-ssh-root:11',
  expose: [{ port: '22', protocol: 'tcp' }, { port: 80, protocol: 'http' }], environment: [{ name: 'TZ', value: 'UTC' }],
  startup_command: null, requires_ssh: true,
})];

type AnyBlock = {
  type: string; block_id?: string; optional?: boolean; dispatch_action?: boolean;
  label?: { text: string }; text?: { text: string };
  element?: { type: string; action_id: string; initial_value?: string; options?: Array<{ text: { text: string }; value: string }>; initial_option?: { value: string } };
};
const blocksOf = (v: ModalView) => v.blocks as unknown as AnyBlock[];
const block = (v: ModalView, id: string) => blocksOf(v).find((b) => b.block_id === id);
const inputs = (v: ModalView) => blocksOf(v).filter((b) => b.type === 'input');

function checkLimits(v: ModalView) {
  expect(v.blocks.length).toBeLessThanOrEqual(100);
  for (const t of [v.title, v.submit, v.close]) if (t) expect(t.text.length).toBeLessThanOrEqual(24);
  expect((v.private_metadata ?? '').length).toBeLessThanOrEqual(3000);
  for (const b of blocksOf(v)) {
    for (const o of b.element?.options ?? []) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(75);
    }
    expect((b.element?.options ?? []).length).toBeLessThanOrEqual(100);
    if (b.type === 'section') expect(b.text!.text.length).toBeLessThanOrEqual(3000);
  }
}

const containerData: DeployModalData = {
  requestId: 'req-1', type: 'container', offers: containerOffers, selectedPlanId: h200.planId, images, sandbox: true, balance: 1000,
};

test('container modal: every field labelled as in the issue, block ids from ids.ts, preset prefill', () => {
  const v = renderDeployModal(containerData);
  checkLimits(v);
  expect(v).toMatchObject({ callback_id: VIEW.deploy, title: { text: 'Deploy a GPU' }, submit: { text: 'Deploy' }, close: { text: 'Cancel' } });
  expect(inputs(v).map((b) => [b.block_id, b.label!.text])).toEqual([
    [BLOCK.plan, 'Plan'], [BLOCK.name, 'Name'], [BLOCK.imagePreset, 'Image preset'], [BLOCK.image, 'Image'],
    [BLOCK.ports, 'Ports'], [BLOCK.env, 'Environment'], [BLOCK.startup, 'Startup command'],
    [BLOCK.registryUser, 'Registry credentials'], [BLOCK.registryPassword, 'Registry password or token'],
    [BLOCK.location, 'Location'], [BLOCK.sshKey, 'SSH public key'], [BLOCK.sshKeyRemember, 'Remember this key'],
  ]);
  expect(block(v, BLOCK.type)!.type).toBe('actions');
  expect(block(v, BLOCK.plan)).toMatchObject({ dispatch_action: true, element: { action_id: ACTION.deployPlanSelect, initial_option: { value: h200.planId } } });
  expect(block(v, BLOCK.imagePreset)!.element!.action_id).toBe(ACTION.deployImagePreset);
  expect(block(v, BLOCK.image)!.element).toMatchObject({ initial_value: 'docker.io/fluencelabs/debian-ssh-root:11', action_id: keyedActionId('debian-ssh-11') });
  expect(block(v, BLOCK.ports)!.element!.initial_value).toBe('22/tcp, 80/http');
  expect(block(v, BLOCK.env)!.element!.initial_value).toBe('TZ=UTC');
  expect(block(v, BLOCK.sshKey)!.optional).toBeFalsy(); // the preset requires SSH
  expect(block(v, BLOCK.registryPassword)!.element!.initial_value).toBeUndefined();
  expect(block(v, BLOCK.location)!.element!.options!.map((o) => o.text.text)).toEqual([...h200.locations, 'Any location']);
  expect(JSON.stringify(v)).toContain('never shown again');
  expect(JSON.stringify(v)).toContain('🧪 Sandbox');
  expect(parseDeployMeta(v.private_metadata!)).toEqual({ v: 1, requestId: 'req-1', type: 'container', planId: h200.planId });
  expect(v).toMatchSnapshot();
});

test('plan option text: GPU, vCPU or provider/location, and the price', () => {
  expect(offerLabel(h200)).toBe('H200 141GB ×1 · 16 vCPU · $2.96/h');
  const vm = vmOffers[0]!;
  expect(offerLabel(vm)).toBe(`A10 24GB ×1 · ${vm.provider}/${vm.locations[0]} · $${vm.pricePerHour.toFixed(2)}/h`);
  const long = { ...vm, provider: 'p'.repeat(80) } as PlanOffer;
  expect(offerLabel(long).length).toBeLessThanOrEqual(75);
  expect(offerLabel(long)).toMatch(/ · \$\d+\.\d\d\/h$/);
});

test('cost line: hourly, upfront reserve, balance after, and a warning when it cannot be afforded', () => {
  const v = renderDeployModal(containerData);
  expect(block(v, BLOCK.cost)!.text!.text).toBe('*$2.96/h* · $8.88 reserved upfront now (3 h × $2.96) · balance after: $991.12');
  expect(costText(h200, null)).toBe('*$2.96/h* · $8.88 reserved upfront now (3 h × $2.96) · balance unknown');
  expect(costText(h200, 5)).toContain('balance after: -$3.88 ⚠️ this deploy cannot be afforded');
  expect(costText(undefined, 5)).toBe('Pick a plan to see what it costs.');
});

test('150 offers: the 100 cheapest are options and a hint says so; a pricier selected plan stays', () => {
  const many = Array.from({ length: 150 }, (_, i): PlanOffer => ({ ...h200, planId: `plan-${i}`, pricePerHour: 150 - i }));
  const v = renderDeployModal({ ...containerData, offers: many, selectedPlanId: undefined });
  checkLimits(v);
  const plan = block(v, BLOCK.plan)!;
  expect(plan.element!.options).toHaveLength(100);
  expect(plan.element!.options![0]!.value).toBe('plan-149');
  expect(JSON.stringify(plan)).toContain('Showing the 100 cheapest of 150 plans');
  const kept = renderDeployModal({ ...containerData, offers: many, selectedPlanId: 'plan-0' });
  expect(block(kept, BLOCK.plan)!.element!.options).toHaveLength(100);
  expect(block(kept, BLOCK.plan)!.element!.initial_option!.value).toBe('plan-0');
});

test('VM modal: SSH key required, OS options of the selected offer, no container fields', () => {
  const offer: PlanOffer = { ...vmOffers[1]!, osOptions: ['Ubuntu Server 22.04', 'Debian 12'] };
  const v = renderDeployModal({ requestId: 'r', type: 'vm', offers: [vmOffers[0]!, offer], selectedPlanId: offer.planId, images, sandbox: false, balance: null });
  checkLimits(v);
  expect(inputs(v).map((b) => b.label!.text)).toEqual(['Plan', 'Name', 'SSH public key', 'Remember this key', 'OS image']);
  expect(block(v, BLOCK.sshKey)!.optional).toBeFalsy();
  const os = block(v, BLOCK.osImage)!.element!;
  expect(os.options!.map((o) => o.value)).toEqual(['Ubuntu Server 22.04', 'Debian 12']);
  expect(os.initial_option!.value).toBe('Ubuntu Server 22.04');
  expect(block(v, BLOCK.type)).toMatchObject({ elements: [{ action_id: ACTION.deployType, initial_option: { value: 'vm' } }] });
  expect(JSON.stringify(v)).not.toContain('Sandbox');
  expect(block(v, BLOCK.cost)!.text!.text).toContain('balance unknown');
});

test('re-render keeps entered values; an API 400 shows verbatim on top', () => {
  const v = renderDeployError(
    { ...containerData, values: { name: 'kept-name', image: 'org/app:1', imagePreset: 'debian-ssh-11', location: 'US' } },
    'Insufficient balance to deploy instance',
  );
  expect(blocksOf(v)[0]!.text!.text).toContain('Insufficient balance to deploy instance');
  expect(block(v, BLOCK.name)!.element!.initial_value).toBe('kept-name');
  expect(block(v, BLOCK.image)!.element!.initial_value).toBe('org/app:1');
  expect(block(v, BLOCK.location)!.element!.initial_option!.value).toBe('US');
  const custom = renderDeployModal({ ...containerData, values: { imagePreset: 'custom' } });
  expect(block(custom, BLOCK.image)!.element!.initial_value).toBeUndefined();
});

test('loading, submitted and result views fit the limits', () => {
  const loading = renderDeployLoading({ requestId: 'r' });
  expect(JSON.stringify(loading)).toContain('Loading plans…');
  expect(loading.submit).toBeUndefined();
  expect(parseDeployMeta(loading.private_metadata!)?.requestId).toBe('r');
  for (const v of [loading, renderDeploySubmitted({ name: 'x', type: 'vm', offer: vmOffers[0]!, sandbox: false }),
    renderDeployResult({ ok: true, name: 'x', type: 'container', message: 'Watching it.', sandbox: true })]) checkLimits(v);
  expect(parseDeployMeta('{"v":2}')).toBeUndefined();
  expect(parseDeployMeta('not json')).toBeUndefined();
});

test('update modal: prefilled, env values never shown, ports fixed, restart said', () => {
  const instance = containerDetail(ContainerDetailSchema.parse(example('instance-container-active.response.json')));
  const values = instance.container!.environment.map((e) => e.value).filter((x) => x.length > 0);
  const v = renderUpdateModal({ instance, requestId: 'u1' });
  checkLimits(v);
  expect(v.callback_id).toBe(VIEW.update);
  expect(inputs(v).map((b) => b.label!.text)).toEqual([
    'Name', 'Image', 'Environment', 'Startup command', 'Registry credentials', 'Registry password or token', 'SSH public key', 'Remember this key',
  ]);
  expect(block(v, BLOCK.name)!.element!.initial_value).toBe(instance.name);
  expect(block(v, BLOCK.image)!.element!.initial_value).toBe(instance.container!.image);
  // SSH_PUBKEY is the SSH key field's business, not a listed variable
  const listed = instance.container!.environment.filter((e) => e.name !== 'SSH_PUBKEY').map((e) => `${e.name}=`).join('\n');
  expect(block(v, BLOCK.env)!.element!.initial_value ?? '').toBe(listed);
  expect(JSON.stringify(block(v, BLOCK.env))).not.toContain('SSH_PUBKEY=');
  for (const secret of values) expect(JSON.stringify(v)).not.toContain(secret);
  const text = JSON.stringify(v);
  expect(text).toContain('restarts the container');
  expect(text).toContain('Exposed ports cannot change');
  expect(parseInstanceMeta(v.private_metadata!)).toEqual({ v: 1, instanceId: instance.id, type: 'container', requestId: 'u1' });

  // opened by a rename: the new name in the field, the restart and the credentials said first
  const r = renderUpdateModal({ instance, requestId: 'u2', newName: 'new-name' });
  checkLimits(r);
  expect(block(r, BLOCK.name)!.element!.initial_value).toBe('new-name');
  expect(JSON.stringify(r)).toMatch(/Renaming .* \*restarts the container\*.*registry credentials/);
});

test('rename modal for VMs and bare metal (containers are renamed in the update modal)', () => {
  const vm = vmDetail('baremetal', VmDetailSchema.parse(example('instance-vm-active.response.json')));
  const v = renderRenameModal({ instance: vm });
  checkLimits(v);
  expect(v).toMatchObject({ callback_id: VIEW.rename, title: { text: 'Rename machine' }, submit: { text: 'Rename' } });
  expect(inputs(v).map((b) => [b.block_id, b.label!.text, b.element!.initial_value])).toEqual([[BLOCK.name, 'Name', vm.name]]);
  expect(parseInstanceMeta(v.private_metadata!)).toEqual({ v: 1, instanceId: vm.id, type: 'baremetal' });
  expect(JSON.stringify(v)).not.toContain('restarts');
});
