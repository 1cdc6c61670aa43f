/**
 * The living status message: the deploy message itself, posted by the deploy handler and edited in
 * place by the watcher as the instance moves (INITIALIZED -> ACTIVE / FAILED / ENDED). Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { InstanceState } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import { sandboxBlocks } from './blocks';
import { clamp as clampText, escapeMrkdwn, formatHourly as formatPrice, slackDate } from './format';
import type { WatchMessage } from '../../watch/notifier';

export interface InstanceStatusData {
  name: string;
  type: WorkloadType;
  requesterId: string;
  /** e.g. "H100 80GB × 1" */
  planLabel: string;
  pricePerHour: number;
  /** Wire status, shown as sent ("INITIALIZED"). */
  status: string;
  state: InstanceState;
  sandbox: boolean;
  /** Epoch ms or ISO string. */
  updatedAt: number | string;
}

const STATE_ICON: Record<InstanceState, string> = {
  provisioning: '🟡',
  active: '🟢',
  failed: '🔴',
  ended: '⚫',
};

const STATE_VERB: Record<InstanceState, string> = {
  provisioning: 'is being deployed by',
  active: 'was deployed by',
  failed: 'failed to deploy for',
  ended: 'has ended; it was deployed by',
};

export { SANDBOX_NOTE, sandboxBlocks } from './blocks';
export function instanceLabel(name: string): string {
  return `\`${escapeMrkdwn(clampText(name.replace(/`/g, "'"), 80))}\``;
}

export function renderInstanceStatusMessage(d: InstanceStatusData): WatchMessage {
  const status = escapeMrkdwn(clampText(d.status, 40));
  const line =
    `${instanceLabel(d.name)} (${WORKLOADS[d.type].label}) ${STATE_VERB[d.state]} <@${d.requesterId}>: ` +
    `${escapeMrkdwn(clampText(d.planLabel, 200))}, ${formatPrice(d.pricePerHour)} — ${STATE_ICON[d.state]} ${status}`;
  const hint =
    d.state === 'provisioning'
      ? 'Provisioning usually takes 2–3 minutes. I will reply in this thread when it is ready.'
      : d.state === 'failed'
        ? 'Nothing is charged for a failed deploy: the reserve is refunded.'
        : d.state === 'active'
          ? // ACTIVE is the machine, not the container (API.md §10): the thread says when it can be reached
            'ACTIVE means the machine is up and billed; the container may still be starting. The reply in this thread says when it can be reached.'
          : null;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: line } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${hint ? `${hint} · ` : ''}Updated ${slackDate(d.updatedAt)}` }],
    },
    ...sandboxBlocks(d.sandbox),
  ];
  const text = `${d.sandbox ? '[Sandbox] ' : ''}${escapeMrkdwn(clampText(d.name, 80))} ${STATE_VERB[d.state]} <@${d.requesterId}>: ${status}`;
  return { text, blocks };
}
