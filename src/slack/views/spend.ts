/**
 * The `/gpu spend` report: one line per owner / channel / instance, biggest first, each with its
 * amount, a Unicode bar and its share in a monospace code span (so the columns line up), then who or
 * what it is. Partial figures are marked `≥` and explained; the method is said in a footnote.
 * Pure: report in, Block Kit out; at most MAX_ROWS rows, whatever the number of instances.
 */
import type { KnownBlock } from '@slack/types';
import { WORKLOADS } from '../../fluence/workload';
import { formatRunway } from '../../services/cost';
import type { InstanceSpend } from '../../services/spend-facts';
import type { SpendReport, SpendRow } from '../../services/spend-report';
import { describeWindow } from '../../services/spend-window';
import { context, header, message, sandboxBlocks, section, type MessageView } from './blocks';
import { codeSpan } from './format';
import { packLines } from './truncate';

export const MAX_ROWS = 25;
const BAR_WIDTH = 12;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** "$1,234.56" from cents. */
export function dollars(c: number): string {
  const sign = c < 0 ? '-' : '';
  const abs = Math.abs(c);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

export const perHour = (c: number) => `${dollars(c)}/h`;

/** A bar of `width` cells for value/max, in eighths of a cell; never empty for a non-zero value. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (max <= 0 || value <= 0) return ' '.repeat(width);
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const cells = '█'.repeat(full) + EIGHTHS[eighths % 8]!;
  return cells + ' '.repeat(Math.max(0, width - [...cells].length));
}

function label(row: SpendRow): string {
  const k = row.key;
  const n = row.instances === 1 ? '1 instance' : `${row.instances} instances`;
  const burn = row.burnCents > 0 ? ` · burning ${perHour(row.burnCents)}` : '';
  switch (k.kind) {
    case 'user':
      return `<@${k.userId}> · ${n}${burn}`;
    case 'channel':
      return `<#${k.channelId}> · ${n}${burn}`;
    case 'outside':
      return `_outside gpu-bot_ (deployed elsewhere) · ${n}${burn}`;
    case 'instance': {
      const who = k.owner ? `<@${k.owner}>` : '_outside gpu-bot_';
      return `${codeSpan(k.instance.name, 40)} ${WORKLOADS[k.instance.type].label} · ${who}${burn}${k.instance.state === 'ended' ? ' · ended' : ''}`;
    }
  }
}

/** The aligned lines: amount, bar and share in one code span, then the label. */
export function spendLines(rows: readonly SpendRow[], totalCents: number): string[] {
  const amounts = rows.map((r) => `${r.partial ? '≥' : ''}${dollars(r.cents)}`);
  const width = Math.max(0, ...amounts.map((a) => a.length));
  const max = Math.max(0, ...rows.map((r) => r.cents));
  return rows.map((r, i) => {
    const share = totalCents > 0 ? `${Math.round((r.cents / totalCents) * 100)}%`.padStart(4) : '   –';
    return `\`${amounts[i]!.padStart(width)} ${bar(r.cents, max)} ${share}\` ${label(r)}`;
  });
}

function burnerText(f: InstanceSpend): string {
  const who = f.owner ? `<@${f.owner.userId}>` : 'outside gpu-bot';
  return `${codeSpan(f.instance.name, 40)} ${perHour(f.burnCents ?? 0)} (${who})`;
}

export const METHOD_NOTE =
  'How this is counted: Fluence reports each instance’s total spend since it was created (`billing.total_spendings`), nothing per day. ' +
  'It charges a fixed hourly price at deploy and at the start of every UTC hour, so the part of a total inside the window is the total spread over the hours charged, ' +
  'counting the hours charged inside the window: exact for an instance’s whole life, and for a window as long as every hour cost the same. ' +
  'Owners and channels come from gpu-bot’s deploy records; anything else is _outside gpu-bot_.';

export function renderSpendReport(r: SpendReport, sandbox: boolean): MessageView {
  const what = describeWindow(r.window);
  const total = `${r.unread ? '≥' : ''}${dollars(r.totalCents)}`;
  const balance =
    r.balance === null ? 'balance unavailable' : `balance *${dollars(Math.round(r.balance * 100))}*, runway *${formatRunway(r.runwayHours)}*`;
  const summary =
    `*${total}* spent ${what} by ${r.instances.toLocaleString('en-US')} instance${r.instances === 1 ? '' : 's'} · ` +
    `burning *${perHour(r.burnCents)}* now (${r.running} running) · ${balance}`;
  const blocks: KnownBlock[] = [header(`💸 GPU spend, ${what.replace(/ \(.*\)$/, '')}`), section(summary)];

  const shown = r.rows.slice(0, MAX_ROWS);
  const hidden = r.rows.slice(MAX_ROWS);
  if (shown.length === 0) {
    blocks.push(section(`Nothing was spent ${what}, and nothing is running.`));
  } else {
    const lines = spendLines(shown, r.totalCents);
    if (hidden.length) {
      const rest = hidden.reduce((a, x) => a + x.cents, 0);
      lines.push(`…and ${hidden.length} more ${r.by === 'instance' ? 'instances' : r.by === 'user' ? 'owners' : 'channels'}: ${dollars(rest)} together.`);
    }
    const by = r.by === 'user' ? 'owner' : r.by;
    for (const chunk of packLines(lines, { budget: 2900, maxChunks: 4, what: 'rows', heading: `*By ${by}*` })) blocks.push(section(chunk));
  }
  if (r.topBurners.length) blocks.push(context(`🔥 Burning most now: ${r.topBurners.map(burnerText).join(' · ')}`));

  const warnings: string[] = [];
  if (r.unread) {
    const why = r.unreadForTime ? ` (${r.unreadForTime} not reached in the time I give a report)` : '';
    warnings.push(`⚠️ *Partial:* the billing of ${r.unread} instance${r.unread === 1 ? '' : 's'} could not be read${why}; figures marked ≥ are at least this much. Run it again in a minute.`);
  }
  if (r.failedTypes.length) {
    warnings.push(`⚠️ *Partial:* the ${r.failedTypes.map((t) => WORKLOADS[t].plural).join(' and ')} list could not be read from Fluence: those instances are missing.`);
  }
  if (warnings.length) blocks.push(context(...warnings));
  blocks.push(context(METHOD_NOTE));
  blocks.push(...sandboxBlocks(sandbox));
  return message(`GPU spend ${what}: ${total}, burning ${perHour(r.burnCents)}`, blocks);
}
