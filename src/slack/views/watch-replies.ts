/**
 * The watcher's thread replies under the deploy message: ready, failed, ended, slow, not started,
 * gave up.
 * Pure functions of plain data; the watcher decides when, these decide what it looks like.
 */
import type { KnownBlock } from '@slack/types';
import type { Connection } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import type { WatchMessage } from '../../watch/notifier';
import { ACTION } from '../ids';
import { sandboxBlocks } from './blocks';
import { clamp as clampText, encodeRef, escapeMrkdwn, formatHourly as formatPrice, slackDate } from './format';
import { instanceLabel } from './status-message';

interface ReplyBase {
  name: string;
  type: WorkloadType;
  requesterId: string;
  sandbox: boolean;
}

/** "45 s", "2 min 14 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

/** What to paste to reach the instance: the SSH command when there is one, else the URL or host. */
export function connectCommand(c: Connection): string | null {
  if (c.ssh) return c.ssh;
  if (c.uri) return `curl ${c.uri}`;
  return c.host ?? null;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clampText(text, 3000) } });
/** A code block whose content cannot close the fence early, escaped: Slack still reads `<…>` inside code. */
const code = (text: string): string => '```' + escapeMrkdwn(text.replace(/```/g, "'''")) + '```';

/** `text` is the notification text, read as mrkdwn like the blocks: outside text in it is escaped by the caller. */
function message(text: string, blocks: KnownBlock[], sandbox: boolean): WatchMessage {
  return { text: `${sandbox ? '[Sandbox] ' : ''}${text}`, blocks: [...blocks, ...sandboxBlocks(sandbox)] };
}

export interface ReadyReplyData extends ReplyBase {
  connection: Connection;
  pricePerHour: number;
  /** From deploy to the moment the watcher saw it ready. */
  provisionedMs: number;
  /** The instance's lease (issue 11): its end, and what to type to change it. Absent: it has none. */
  lease?: { endsAt: number | null; instanceRef: string };
}

function leaseNote(lease: ReadyReplyData['lease']): string {
  if (!lease) return '';
  const change = ` (change it with \`/gpu lease ${lease.instanceRef} 8h\`)`;
  return lease.endsAt === null ? ` · lease: until terminated${change}` : ` · lease ends ${slackDate(lease.endsAt)}${change}`;
}

export function renderReadyReply(d: ReadyReplyData): WatchMessage {
  const c = d.connection;
  const lines = [
    `<@${d.requesterId}> ${instanceLabel(d.name)} is ready (ready in ${formatDuration(d.provisionedMs)}, ${formatPrice(d.pricePerHour)}).`,
  ];
  const blocks: KnownBlock[] = [section(lines[0]!)];
  const cmd = connectCommand(c);
  // escaped: outside text, and a placeholder like `<user>` would otherwise be read as a Slack link
  if (cmd) blocks.push(section(`*Connect*\n${code(clampText(cmd, 2000))}`));
  if (cmd && c.ssh && c.sshHint) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(clampText(c.sshHint, 500)) }] });
  const details: string[] = [];
  if (c.uri) details.push(`*Endpoint:* ${escapeMrkdwn(c.uri)}`);
  if (c.ports.length > 0) {
    const ports = c.ports.slice(0, 40).map((p) => `\`${escapeMrkdwn(`${p.port}/${p.protocol}`)} → ${escapeMrkdwn(p.endpoint)}\``);
    if (c.ports.length > 40) ports.push(`…and ${c.ports.length - 40} more`);
    details.push(`*Ports:* ${ports.join(', ')}`);
  }
  if (details.length > 0) blocks.push(section(details.join('\n')));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `${WORKLOADS[d.type].label} · billed hourly at ${formatPrice(d.pricePerHour)} until you terminate it${leaseNote(d.lease)}` }],
  });
  // the mention is in the notification text too, so the requester is notified even where blocks are not shown
  return message(`<@${d.requesterId}> ${escapeMrkdwn(d.name)} is ready${cmd ? `: ${escapeMrkdwn(cmd)}` : ''}`, blocks, d.sandbox);
}

/**
 * A container's last Kubernetes events and log lines (either may be empty; VM/BM have none), or
 * `withheld`: the reply goes where people other than the owner read it, and these lines routinely
 * hold secrets (issue 9 §3), so it names the Events / Logs buttons instead, which check at the click.
 */
export type DiagnosticLines = { events: string[]; logs: string[] } | 'withheld';

export interface FailedReplyData extends ReplyBase {
  instanceId: string;
  status: string;
  lines: DiagnosticLines;
}

function tail(title: string, lines: string[], maxLines: number, maxChars: number): string | null {
  if (lines.length === 0) return null;
  const kept = lines.slice(-maxLines).map((l) => clampText(l, 300));
  // keep the END of the text: the last lines are the ones that explain the failure. The budget
  // counts the text as sent (escaped: `<` is 4 characters), or the section's 3000-character clamp
  // would cut the end off instead, closing fence included.
  const chars = Array.from(kept.join('\n'));
  let size = 0;
  let start = chars.length;
  while (start > 0 && size + escapeMrkdwn(chars[start - 1]!).length <= maxChars - 1) size += escapeMrkdwn(chars[--start]!).length;
  const body = (start > 0 ? '…' : '') + chars.slice(start).join('');
  return `*${title}*\n${code(body)}`;
}

function linesButton(d: { type: WorkloadType; instanceId: string }, kind: 'events' | 'logs') {
  return {
    type: 'button' as const,
    action_id: ACTION[kind],
    text: { type: 'plain_text' as const, text: kind === 'events' ? 'Events' : 'Logs' },
    value: encodeRef(d.type, d.instanceId),
  };
}

/** In place of the lines: why they are not here, and where to read them. */
const WITHHELD_NOTE =
  'Its events and log lines are not shown here: they may hold secrets (tokens in a startup command, env values). ' +
  "The instance's owner and admins can read them with *Events* and *Logs* below; the answer is shown only to whoever clicks.";

/** The last events and log lines as sections, the withheld note, or what to say when there are none. */
function linesBlocks(lines: DiagnosticLines, none: string): KnownBlock[] {
  if (lines === 'withheld') return [section(WITHHELD_NOTE)];
  const ev = tail('Last events', lines.events, 10, 1400);
  const lg = tail('Last log lines', lines.logs, 20, 1400);
  const out = [ev, lg].filter((t): t is string => t !== null).map(section);
  return out.length > 0 ? out : [section(none)];
}

export function renderFailedReply(d: FailedReplyData): WatchMessage {
  const blocks: KnownBlock[] = [
    section(
      `<@${d.requesterId}> ${instanceLabel(d.name)} failed to deploy (status ${escapeMrkdwn(clampText(d.status, 40))}). ` +
        `Nothing is charged: Fluence refunds the reserve of a failed ${WORKLOADS[d.type].label} in full.`,
    ),
    ...linesBlocks(d.lines, 'Fluence gave no reason. Try another plan or location, or deploy again later.'),
  ];
  if (d.lines === 'withheld') blocks.push({ type: 'actions', elements: [linesButton(d, 'events'), linesButton(d, 'logs')] });
  return message(`<@${d.requesterId}> ${escapeMrkdwn(d.name)} failed to deploy; the reserve is refunded`, blocks, d.sandbox);
}

export function renderEndedReply(d: ReplyBase): WatchMessage {
  return message(
    `<@${d.requesterId}> ${escapeMrkdwn(d.name)} has ended`,
    [
      section(
        `<@${d.requesterId}> ${instanceLabel(d.name)} has ended before it was ready: it was terminated elsewhere ` +
          `(another user, the Fluence console or API) or by the system (e.g. the balance ran out). Unused funds go back to the account balance.`,
      ),
    ],
    d.sandbox,
  );
}

export interface SlowReplyData extends ReplyBase {
  instanceId: string;
  elapsedMs: number;
  hardLimitMs: number;
}

function terminateButton(d: { name: string; type: WorkloadType; instanceId: string }) {
  return {
    type: 'button' as const,
    action_id: ACTION.terminate,
    text: { type: 'plain_text' as const, text: 'Terminate' },
    style: 'danger' as const,
    value: encodeRef(d.type, d.instanceId),
    confirm: {
      title: { type: 'plain_text' as const, text: 'Terminate this instance?' },
      text: { type: 'mrkdwn' as const, text: clampText(`${instanceLabel(d.name)} will be terminated. Unused funds go back to the account balance.`, 300) },
      confirm: { type: 'plain_text' as const, text: 'Terminate' },
      deny: { type: 'plain_text' as const, text: 'Keep it' },
      style: 'danger' as const,
    },
  };
}

export function renderSlowReply(d: SlowReplyData): WatchMessage {
  return message(
    `<@${d.requesterId}> ${escapeMrkdwn(d.name)} is taking long to provision`,
    [
      section(
        `<@${d.requesterId}> ${instanceLabel(d.name)} is still not ready after ${formatDuration(d.elapsedMs)} ` +
          `(it usually takes 2–3 minutes). I keep watching for up to ${formatDuration(d.hardLimitMs)} in total. ` +
          `If you no longer need it, terminate it (Fluence accepts this once it is ACTIVE; a FAILED deploy is refunded).`,
      ),
      { type: 'actions', elements: [terminateButton(d)] },
    ],
    d.sandbox,
  );
}

export interface NotStartedReplyData extends ReplyBase {
  instanceId: string;
  /** How long it has been ACTIVE with its container not started. */
  notStartedMs: number;
  containerStatus: string | null;
  lines: DiagnosticLines;
}

/**
 * ACTIVE for Fluence, but the container has not started (API.md §10: still pulling, or failing to
 * start). It is billed meanwhile, so the requester gets the reason while it can still be acted on.
 */
export function renderNotStartedReply(d: NotStartedReplyData): WatchMessage {
  const status = escapeMrkdwn(clampText(d.containerStatus ?? 'NOT_STARTED', 40));
  const blocks: KnownBlock[] = [
    section(
      `<@${d.requesterId}> ${instanceLabel(d.name)} is ACTIVE and billed, but its container has not started after ` +
        `${formatDuration(d.notStartedMs)} (container status ${status}). It may still be pulling a large image, or it keeps ` +
        `failing to start: its events and logs tell which. I keep watching and reply here once it is ready.`,
    ),
    ...linesBlocks(d.lines, 'Fluence has no events or log lines for it yet.'),
  ];
  blocks.push({
    type: 'actions',
    elements: [
      // "open", not the card's in-place refresh: the current status arrives as a new ephemeral card and
      // this reply (with the events someone may be reading) stays in the thread
      { type: 'button', action_id: ACTION.openInstance, text: { type: 'plain_text', text: 'Refresh' }, value: encodeRef(d.type, d.instanceId) },
      ...(d.lines === 'withheld' ? [linesButton(d, 'events'), linesButton(d, 'logs')] : []),
      terminateButton(d),
    ],
  });
  return message(`<@${d.requesterId}> ${escapeMrkdwn(d.name)} is ACTIVE but its container has not started`, blocks, d.sandbox);
}

export interface GaveUpReplyData extends ReplyBase {
  elapsedMs: number;
  lastStatus: string | null;
  /** Not seen in the instance list recently (deleted, or never appeared). */
  missing: boolean;
}

export function renderGaveUpReply(d: GaveUpReplyData): WatchMessage {
  const why = d.missing
    ? 'Fluence no longer lists it (it may have been deleted).'
    : `Its last status was ${escapeMrkdwn(clampText(d.lastStatus ?? 'unknown', 40))}.`;
  return message(
    `Stopped watching ${escapeMrkdwn(d.name)}`,
    [
      section(
        `<@${d.requesterId}> I stopped watching ${instanceLabel(d.name)} after ${formatDuration(d.elapsedMs)} without it becoming ready. ${why} ` +
          `Check it with \`/gpu list\`; terminate it if you do not need it.`,
      ),
    ],
    d.sandbox,
  );
}

/** The same message, with a first line saying why it arrives as a DM instead of in the channel thread. */
export function withDmNote(message: WatchMessage, channelId: string): WatchMessage {
  const note = `I could not post in <#${channelId}> (I am not in that channel, or it is archived or gone), so here is your deploy update.`;
  return {
    text: `${note}\n${message.text}`,
    blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }, ...message.blocks],
  };
}
