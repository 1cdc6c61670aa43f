/**
 * The container update ("Redeploy") modal. The API replaces the whole configuration (API.md
 * §4.4), so the form comes prefilled with what the instance runs now, except secret values:
 * environment values are never shown in Slack, so variables come as `NAME=` lines and the
 * service keeps the current value of any line left empty (readUpdateForm). Pure.
 */
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { InstanceDetail } from '../../fluence/model';
import { NAME_MAX, RESERVED_SSH_ENV } from '../../fluence/rules';
import { isWorkloadType, type WorkloadType } from '../../fluence/workload';
import { NO_KEY_SOURCES, type KeySources } from '../../services/ssh-key-choice';
import { currentKeyOf } from '../../services/update-form';
import { BLOCK, VIEW } from '../ids';
import { modalShell, textInput } from './modal-blocks';
import { sshKeyBlocks } from './ssh-key-fields';
import { clamp as clampText, escapeMrkdwn } from './format';

// ---- private_metadata shared by the update and rename modals ------------------------------

export interface InstanceModalMeta {
  v: 1;
  instanceId: string;
  type: WorkloadType;
  /** Update only: one id per opened modal, so a double submit applies once. */
  requestId?: string;
}

const InstanceMetaSchema = z.object({
  v: z.literal(1),
  instanceId: z.string().min(1),
  type: z.string().refine(isWorkloadType),
  requestId: z.string().optional(),
});

export function encodeInstanceMeta(meta: Omit<InstanceModalMeta, 'v'>): string {
  const text = JSON.stringify({ v: 1, instanceId: meta.instanceId, type: meta.type, ...(meta.requestId ? { requestId: meta.requestId } : {}) });
  if (text.length > 3000) throw new Error(`private_metadata is ${text.length} chars (limit 3000)`);
  return text;
}

export function parseInstanceMeta(text: string): InstanceModalMeta | undefined {
  try {
    const r = InstanceMetaSchema.safeParse(JSON.parse(text));
    return r.success ? (r.data as InstanceModalMeta) : undefined;
  } catch {
    return undefined;
  }
}

export const NAME_HINT = `1–${NAME_MAX} characters: lowercase letters, digits and hyphens, not starting or ending with a hyphen.`;

// ---- the modal --------------------------------------------------------------------------

/**
 * `newName`: opened by a rename (`/gpu rename <container> <name>`, or a Rename button). Fluence has
 * no container rename: a new name is a full replacement, so it goes through this form, which says
 * it restarts and asks for the registry credentials that cannot be read back.
 */
export function renderUpdateModal(data: { instance: InstanceDetail; requestId: string; newName?: string; keys?: KeySources }): ModalView {
  const { instance } = data;
  const renaming = data.newName !== undefined && data.newName !== instance.name;
  const c = instance.container;
  const ports = c?.expose.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none';
  // names only: a value never leaves the bot towards Slack
  // SSH_PUBKEY is how Fluence stores the instance's SSH key (from ssh_key): it is the key field's
  // business, not a variable the user manages, and listing it would clash with that field.
  const envLines = c?.environment.filter((e) => e.name !== RESERVED_SSH_ENV).map((e) => `${e.name}=`).join('\n');
  return modalShell({
    callbackId: VIEW.update,
    title: 'Update container',
    submit: 'Update & restart',
    close: 'Cancel',
    metadata: encodeInstanceMeta({ instanceId: instance.id, type: instance.type, requestId: data.requestId }),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            (renaming
              ? `Renaming \`${escapeMrkdwn(clampText(instance.name, 80))}\` to \`${escapeMrkdwn(clampText(data.newName ?? '', 80))}\` ` +
                '*restarts the container*: Fluence has no rename for containers, so the whole configuration below is sent again. ' +
                '*If the image is private, enter its registry credentials below*: they cannot be read back, and without them the restart cannot pull the image. '
              : `Updating \`${escapeMrkdwn(clampText(instance.name, 80))}\` *restarts the container* with the settings below ` +
                '(they replace the current ones). ') +
            `Exposed ports cannot change after deploy: ${escapeMrkdwn(clampText(ports, 500))}.`,
        },
      },
      textInput({ block: BLOCK.name, label: 'Name', initial: renaming ? data.newName : instance.name, hint: NAME_HINT }),
      textInput({ block: BLOCK.image, label: 'Image', initial: c?.image, hint: 'Lowercase, at most 255 characters.' }),
      textInput({
        block: BLOCK.env, label: 'Environment', initial: envLines || undefined, optional: true, multiline: true,
        placeholder: 'MODEL_PATH=/models/llama',
        hint:
          'Current values are not shown. Leave a value empty (NAME=) to keep it, type one to replace it, ' +
          'delete the line to remove the variable. One NAME=value per line.',
      }),
      textInput({
        block: BLOCK.startup, label: 'Startup command', initial: c?.startupCommand ?? undefined, optional: true, multiline: true,
        hint: 'Runs as the container entrypoint (at most 2048 characters). Empty: the image\'s own entrypoint.',
      }),
      textInput({
        block: BLOCK.registryUser, label: 'Registry credentials', optional: true, placeholder: 'username',
        hint: 'The update replaces the whole configuration: enter the credentials again if the image is private (docker.io or ghcr.io).',
      }),
      textInput({
        block: BLOCK.registryPassword, label: 'Registry password or token', optional: true,
        hint: 'Slack has no password field: this value is never shown again and is masked everywhere the bot writes.',
      }),
      ...sshKeyBlocks({
        keys: data.keys ?? NO_KEY_SOURCES,
        mode: { form: 'update', required: false, hasCurrentKey: Boolean(c && currentKeyOf({ container: c })) },
        paste: {
          label: 'SSH public key',
          optional: true,
          hint: `Optional: one OpenSSH public key to replace the current one. Leave empty to keep the current key. Not together with ${RESERVED_SSH_ENV}.`,
        },
      }),
    ],
  });
}

