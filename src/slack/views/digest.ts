/**
 * The daily digest message (issue 11 §4) and `/gpu digest` answers. Pure: data in, Block Kit out.
 * One section per running instance (by owner), each with a Terminate button behind the usual
 * confirmation; at most MAX_DIGEST_INSTANCES of them, so a big fleet still fits in one message.
 */
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../duration';
import { WORKLOADS } from '../../fluence/workload';
import { formatRunway } from '../../services/cost';
import type { DigestData, DigestInstance } from '../../services/digest';
import { ACTION } from '../ids';
import { button, context, header, message, sandboxBlocks, section, type MessageView } from './blocks';
import { codeSpan, encodeRef, slackDate } from './format';
import { leaseEndText } from './leases';
import { dollars, perHour } from './spend';

function terminateButton(i: DigestInstance) {
  return button({
    text: 'Terminate',
    actionId: ACTION.terminateInPlace,
    value: encodeRef(i.type, i.id),
    style: 'danger',
    confirm: {
      title: 'Terminate this instance?',
      text: `${codeSpan(i.name, 100)} will be terminated. Unused funds go back to the account balance.`,
      confirm: 'Terminate',
      deny: 'Keep it',
    },
  });
}

function instanceLine(i: DigestInstance, now: number): string {
  const parts = [
    `${codeSpan(i.name, 60)} ${WORKLOADS[i.type].label}`,
    `up ${formatDuration(Math.max(0, now - i.createdAt))}`,
    i.leaseEndsAt === undefined ? 'no lease' : i.leaseEndsAt === null ? 'lease: until terminated' : `lease ends ${leaseEndText({ endsAt: i.leaseEndsAt }, now)}`,
    i.priceCents === null ? 'price unknown' : perHour(i.priceCents),
    i.spentCents === null ? 'spent: unknown' : `spent ${dollars(i.spentCents)}`,
  ];
  return parts.join(' · ');
}

export function renderDigest(d: DigestData, sandbox: boolean): MessageView {
  const day = slackDate(d.dueAt, '{date_long}');
  const blocks: KnownBlock[] = [header('☀️ GPU digest')];
  if (d.lateByMs !== null) {
    blocks.push(context(`⏰ Sent late: this digest was due ${slackDate(d.dueAt, '{date_short_pretty} {time}')} and I was not running then (${formatDuration(d.lateByMs)} late).`));
  }
  const balance = d.balance === null ? 'balance unavailable' : `balance *${dollars(Math.round(d.balance * 100))}*, runway *${formatRunway(d.runwayHours)}*`;
  blocks.push(
    section(
      `${day}: *${d.running} running*, burning *${perHour(d.burnCents)}* · ${balance}\n` +
        `Yesterday's spend: *${d.yesterdayPartial ? '≥' : ''}${dollars(d.yesterdayCents)}* (\`/gpu spend\` for more)`,
    ),
  );
  let owner: string | null | undefined;
  for (const i of d.instances) {
    const heading = i.ownerId !== owner ? `${i.ownerId ? `*<@${i.ownerId}>*` : '*Outside gpu-bot*'}\n` : '';
    owner = i.ownerId;
    blocks.push(section(`${heading}${instanceLine(i, d.asOf)}`, terminateButton(i)));
  }
  const notes: string[] = [];
  if (d.more) notes.push(`…and ${d.more} more running: \`/gpu list\`.`);
  if (d.failedTypes.length) notes.push(`⚠️ The ${d.failedTypes.map((t) => WORKLOADS[t].plural).join(' and ')} list could not be read: those instances are missing.`);
  if (d.yesterdayPartial) notes.push('⚠️ Some of yesterday’s figures could not be read: it is at least this much.');
  if (notes.length) blocks.push(context(...notes));
  blocks.push(...sandboxBlocks(sandbox));
  return message(`GPU digest: ${d.running} running, burning ${perHour(d.burnCents)}`, blocks);
}

export interface DigestSettings {
  time: string;
  tz: string;
  configured: string | null;
  optedIn: string[];
}

export function renderDigestSettings(s: DigestSettings, sandbox: boolean): MessageView {
  const where = [...(s.configured ? [`<#${s.configured}> (DIGEST_CHANNEL)`] : []), ...s.optedIn.filter((c) => c !== s.configured).map((c) => `<#${c}>`)];
  const text =
    `The spend digest goes out every day at *${s.time} ${s.tz}* (nothing on days when nothing runs) to: ${where.length ? where.join(', ') : '_no channel yet_'}.\n` +
    'Admins switch a channel on or off with `/gpu digest #channel on|off`.';
  return message('Digest settings', [section(text), ...sandboxBlocks(sandbox)]);
}

export function renderDigestChange(c: { channelId: string; on: boolean; changed: boolean; time: string; tz: string }): MessageView {
  const text = c.on
    ? `✅ <#${c.channelId}> ${c.changed ? 'now gets' : 'already gets'} the daily spend digest at ${c.time} ${c.tz}.`
    : `✅ <#${c.channelId}> ${c.changed ? 'no longer gets' : 'was not getting'} the daily spend digest.`;
  return message(text, [section(text)]);
}
