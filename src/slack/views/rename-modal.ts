/**
 * The rename modal, for VMs and bare metal: their PUT takes only a name (API.md §5.4). Containers
 * have no rename (a new name is a full replacement, §4.4): they are renamed in the update modal.
 * Pure.
 */
import type { ModalView } from '@slack/types';
import type { InstanceSummary } from '../../fluence/model';
import { WORKLOADS } from '../../fluence/workload';
import { BLOCK, VIEW } from '../ids';
import { modalShell, textInput } from './modal-blocks';
import { NAME_HINT, encodeInstanceMeta } from './update-modal';

export function renderRenameModal(data: { instance: Pick<InstanceSummary, 'id' | 'name' | 'type'> }): ModalView {
  const { instance } = data;
  const label = WORKLOADS[instance.type].label;
  return modalShell({
    callbackId: VIEW.rename,
    title: `Rename ${label}`.length <= 24 ? `Rename ${label}` : 'Rename machine',
    submit: 'Rename',
    close: 'Cancel',
    metadata: encodeInstanceMeta({ instanceId: instance.id, type: instance.type }),
    blocks: [textInput({ block: BLOCK.name, label: 'Name', initial: instance.name, hint: NAME_HINT })],
  });
}
