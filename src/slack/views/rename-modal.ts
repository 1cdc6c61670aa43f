/**
 * The rename modal, for every workload type: VM/BM PUT takes only a name (API.md §5.4); for a
 * container the service sends the current configuration with the new name (§4.4). Pure.
 */
import type { ModalView } from '@slack/types';
import type { InstanceSummary } from '../../fluence/model';
import { WORKLOADS } from '../../fluence/workload';
import { BLOCK, VIEW } from '../ids';
import { modalShell, section, textInput } from './modal-blocks';
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
    blocks: [
      textInput({ block: BLOCK.name, label: 'Name', initial: instance.name, hint: NAME_HINT }),
      // Fluence has no container rename: the bot re-sends the current configuration, which redeploys it
      ...(WORKLOADS[instance.type].updateKind === 'replace'
        ? [
            section(
              '⚠️ Renaming a container redeploys it: Fluence restarts it with its current settings. ' +
                'Registry credentials cannot be read back from Fluence, so for a private image use `/gpu update` and enter them again.',
            ),
          ]
        : []),
    ],
  });
}
