/**
 * The instance card (`/gpu status`, the Open button): what it is, what it costs, how to connect,
 * and the buttons that act on it. Env var VALUES never appear here, only names.
 */
import type { Button, KnownBlock } from '@slack/types';
import { isStartPending, type InstanceDetail } from '../../fluence/model';
import { WORKLOADS } from '../../fluence/workload';
import { ACTION } from '../ids';
import { age } from './instances';
import { leaseField, type LeaseEnd } from './leases';
import {
  SANDBOX_NOTE,
  codeSpan,
  encodeRef,
  escapeClamp,
  formatHourly,
  formatMoney,
  formatSize,
  gpuWithCount,
  noBackticks,
  shortId,
  slackDate,
  statusIcon,
} from './format';
import { actions, button, context, divider, fieldsSections, header, message, section, type MessageView } from './blocks';

export interface InstanceCardInput {
  instance: InstanceDetail;
  now: Date;
  sandbox: boolean;
  /** Plan price when the instance has no billing yet. */
  pricePerHour?: number | null;
  /** Set when the user may not terminate (e.g. their role); null/undefined = decide by state. */
  canTerminateReason?: string | null;
  /**
   * Logs, events and the startup command routinely hold secrets: shown to the instance's owner and
   * admins only. Hidden unless the caller says the person who will see the card may see them.
   */
  showPrivate?: boolean;
  /** The instance's lease (issue 11): null = it has none; undefined = not shown. */
  lease?: LeaseEnd | null;
}

/** Said on the card in place of what it leaves out. */
export const PRIVATE_HIDDEN_NOTE =
  ':lock: Logs, events and the startup command are shown only to the instance\'s owner and admins: they often hold secrets.';

export function renderInstanceCard(input: InstanceCardInput): MessageView {
  const i = input.instance;
  const w = WORKLOADS[i.type];
  const price = i.billing?.hourly_usage ?? input.pricePerHour ?? null;
  const blocks: KnownBlock[] = [
    header(`${statusIcon(i.state)} ${i.name}`),
    ...fieldsSections([...fields(i, input.now, price), ...leaseFields(i, input)]),
  ];
  const conn = connectionText(i);
  if (conn) blocks.push(divider(), section(conn));
  const showPrivate = input.showPrivate === true;
  const ctr = containerText(i, showPrivate);
  if (ctr) blocks.push(section(ctr));
  blocks.push(...actions(buttons(i, price, !input.canTerminateReason, showPrivate), 'instance_actions'));
  if (!showPrivate && (w.hasLogs || i.container?.startupCommand)) blocks.push(context(PRIVATE_HIDDEN_NOTE));
  const why = terminateBlocker(i, input.canTerminateReason);
  if (why) blocks.push(context(why));
  if (input.sandbox) blocks.push(context(SANDBOX_NOTE));
  return message(`${statusIcon(i.state)} ${escapeClamp(i.name, 100)} (${w.label}): ${escapeClamp(i.status, 40)}`, blocks);
}

function fields(i: InstanceDetail, now: Date, price: number | null): string[] {
  const status = [i.status, i.containerStatus].filter((s): s is string => !!s).map((s) => escapeClamp(s, 40)).join(' · ');
  const out = [
    `*Type*\n${WORKLOADS[i.type].label} ${codeSpan(shortId(i.id), 20)}`,
    `*Status*\n${status}`,
    `*GPU*\n${escapeClamp(gpuWithCount(i.gpu), 200)}`,
    `*Resources*\n${i.vcpu} vCPU / ${escapeClamp(formatSize(i.memory), 20)} RAM / ${escapeClamp(formatSize(i.storage), 20)} storage`,
    `*Location*\n${escapeClamp(i.location ?? 'not assigned yet', 100)}`,
    `*Price*\n${price === null ? 'unknown' : formatHourly(price)}`,
  ];
  if (i.billing) {
    out.push(`*Spent so far*\n${formatMoney(i.billing.total_spendings)}`);
    out.push(`*Reserved*\n${formatMoney(i.billing.reserved_amount)}`);
    if (i.billing.next_billing_period) out.push(`*Next billing*\n${slackDate(i.billing.next_billing_period)}`);
  }
  out.push(`*Created*\n${slackDate(i.createdAt)} (${age(i.createdAt, now)})`);
  if (i.osImage) out.push(`*OS*\n${escapeClamp(i.osImage, 100)}`);
  return out;
}

function leaseFields(i: InstanceDetail, input: InstanceCardInput): string[] {
  if (input.lease === undefined || i.state === 'ended' || i.state === 'failed') return [];
  return [leaseField(input.lease, input.now.getTime(), shortId(i.id))];
}

/** SSH command as a code block (copy-paste), every forwarded port, and the HTTP uri. */
function connectionText(i: InstanceDetail): string | undefined {
  const c = i.connection;
  if (!c) return undefined;
  const parts = ['*Connect*'];
  // an address is out, but nothing answers until the container runs (API.md §10)
  if (isStartPending(i)) parts.push('_The container has not started yet (still pulling, or failing to start): see Events and Logs._');
  if (c.ssh) parts.push('```' + escapeClamp(noBackticks(c.ssh), 500) + '```');
  if (c.ssh && c.sshHint) parts.push(`_${escapeClamp(c.sshHint, 300)}_`);
  if (c.ports.length) {
    const ports = c.ports.slice(0, 40).map((p) => `${escapeClamp(`${p.port}/${p.protocol}`, 30)} → ${codeSpan(p.endpoint, 200)}`);
    parts.push(`Ports: ${ports.join(', ')}${c.ports.length > 40 ? ` …and ${c.ports.length - 40} more` : ''}`);
  }
  if (c.uri) parts.push(`URL: ${escapeClamp(c.uri, 500)}`);
  if (!c.ssh && !c.ports.length && !c.uri && c.host) parts.push(`Host: ${codeSpan(c.host, 200)}`);
  return parts.join('\n');
}

function containerText(i: InstanceDetail, showPrivate: boolean): string | undefined {
  const ctr = i.container;
  if (!ctr) return undefined;
  const parts = [`*Image* ${codeSpan(ctr.image, 300)}`];
  // Names only, never values: env vars carry tokens and passwords, and this card is posted in channels.
  if (ctr.environment.length) parts.push(`*Env* ${ctr.environment.slice(0, 30).map((e) => codeSpan(e.name, 60)).join(' ')}${ctr.environment.length > 30 ? ` …and ${ctr.environment.length - 30} more` : ''}`);
  if (ctr.startupCommand && showPrivate) parts.push(`*Startup* ${codeSpan(ctr.startupCommand, 1000)}`);
  return parts.join('\n');
}

function buttons(i: InstanceDetail, price: number | null, mayTerminate: boolean, showPrivate: boolean): Button[] {
  const w = WORKLOADS[i.type];
  const value = encodeRef(i.type, i.id);
  const out = [button({ text: 'Refresh', actionId: ACTION.refresh, value })];
  if (w.hasLogs && showPrivate) {
    out.push(button({ text: 'Logs', actionId: ACTION.logs, value }), button({ text: 'Events', actionId: ACTION.events, value }));
  }
  if (i.state !== 'ended') {
    out.push(
      w.updateKind === 'replace'
        ? button({ text: 'Update', actionId: ACTION.update, value })
        : button({ text: 'Rename', actionId: ACTION.rename, value }),
    );
  }
  if (i.state === 'active' && mayTerminate) out.push(terminateButton(i, price));
  return out;
}

/** Terminate, behind the confirm dialog that names the instance and the refund (card, App Home). */
export function terminateButton(i: Pick<InstanceDetail, 'type' | 'id' | 'name' | 'gpu'>, price: number | null): Button {
  const name = i.name.replace(/[\r\n]+/g, ' ');
  return button({
    text: 'Terminate',
    actionId: ACTION.terminate,
    value: encodeRef(i.type, i.id),
    style: 'danger',
    confirm: {
      title: `Terminate ${name}?`,
      text:
        `This stops ${codeSpan(name, 80)} (${escapeClamp(gpuWithCount(i.gpu), 60)}` +
        `${price === null ? '' : `, ${formatHourly(price)}`}) for good; its data is lost. ` +
        'Unused reserved balance is refunded.',
      confirm: 'Terminate',
      deny: 'Keep it',
    },
  });
}

/** Why there is no Terminate button, in words a user can act on; undefined when there is one. */
function terminateBlocker(i: InstanceDetail, reason: string | null | undefined): string | undefined {
  if (reason) return `:lock: ${escapeClamp(reason, 500)}`;
  switch (i.state) {
    case 'active':
      return undefined;
    case 'provisioning':
      return `Only ACTIVE instances can be terminated; this one is ${escapeClamp(i.status, 40)} — provisioning usually takes 2–3 minutes.`;
    case 'failed':
      return `This instance ${escapeClamp(i.status, 40)}; there is nothing to terminate, and the reserve is refunded.`;
    case 'ended':
      return 'This instance has ended; nothing is running or being charged.';
  }
}
