/**
 * The living status message: the deploy message itself, posted by the deploy handler and edited in
 * place by the watcher as the instance moves (INITIALIZED -> ACTIVE / FAILED / ENDED). Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { InstanceState } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
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

export const SANDBOX_NOTE = '🧪 Sandbox: simulated Fluence API, nothing real is deployed and no money moves.';

/** The context block every watcher message carries in sandbox mode. */
export function sandboxBlocks(sandbox: boolean): KnownBlock[] {
  return sandbox ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: SANDBOX_NOTE }] }] : [];
}

export function formatPrice(pricePerHour: number): string {
  return `$${pricePerHour.toFixed(2)}/h`;
}

/** Keeps user-controlled text inside Block Kit limits and out of mrkdwn syntax. */
export function clampText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function instanceLabel(name: string): string {
  return `\`${escapeMrkdwn(clampText(name.replace(/`/g, "'"), 80))}\``;
}

/** Slack renders this in each reader's own time zone; the fallback is UTC ISO. */
export function slackDate(at: number | string): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return escapeMrkdwn(String(at));
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
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
        : null;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: line } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${hint ? `${hint} · ` : ''}Updated ${slackDate(d.updatedAt)}` }],
    },
    ...sandboxBlocks(d.sandbox),
  ];
  const text = `${d.sandbox ? '[Sandbox] ' : ''}${d.name} ${STATE_VERB[d.state]} <@${d.requesterId}>: ${d.status}`;
  return { text, blocks };
}
