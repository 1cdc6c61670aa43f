/**
 * The App Home tab (issue 12 §1): money header, My instances, Pending approvals (admins), Team,
 * quick actions. Pure: HomeData in, a `home` view out. A Home holds at most 100 blocks: the lists
 * share what the fixed parts leave, item by item in turn, and whatever does not fit is said in a
 * "12 more: `/gpu list`" line, never dropped silently. Buttons are only offered as the viewer's role
 * allows now; every click is authorised again by its handler.
 */
import type { Button, HomeView, KnownBlock } from '@slack/types';
import { WORKLOADS } from '../../fluence/workload';
import { formatDuration } from '../../duration';
import { formatRunway } from '../../services/cost';
import type { HomeApproval, HomeData, HomeInstance } from '../../services/home';
import { ACTION } from '../ids';
import { actions, button, context, divider, header, section } from './blocks';
import { terminateButton } from './card';
import { SANDBOX_NOTE, codeSpan, encodeRef, escapeClamp, formatHourly, formatMoney, gpuWithCount, shortId, slackDate, statusIcon } from './format';
import { leaseEndText } from './leases';
import { packLines } from './truncate';

export const HOME_MAX_BLOCKS = 100;
/** Characters per Team section (a section holds 3000). */
const TEAM_CHUNK = 2800;

export interface HomeViewOptions {
  /** The lease Extend button (its handler belongs to the lease feature); absent: none offered. */
  extend?: { text: string; actionId: string; value: (i: HomeInstance & { lease: { endsAt: number } }) => string };
}

const user = (id: string) => `<@${id}>`;
const channel = (id: string) => (/^[CG]/.test(id) ? `<#${id}>` : 'a DM');

function uptime(createdAt: string, now: number): string {
  const at = Date.parse(createdAt);
  return Number.isFinite(at) && at <= now ? `up ${formatDuration(now - at)}` : 'just started';
}

/** "🟢 *name* `1a2b3c4d` · Container · ACTIVE · H100 80GB SXM × 1 · $2.96/h · up 2h5m · spent $6.10 · lease ends …" */
export function homeInstanceLine(i: HomeInstance, now: number, opts: { owner?: boolean } = {}): string {
  const parts = [
    `${statusIcon(i.state)} *${escapeClamp(i.name, 80)}* ${codeSpan(shortId(i.id), 20)}`,
    WORKLOADS[i.type].label,
    escapeClamp(i.status, 30),
    escapeClamp(gpuWithCount(i.gpu), 80),
    i.pricePerHour === null ? 'price unknown' : formatHourly(i.pricePerHour),
    uptime(i.createdAt, now),
  ];
  if (!opts.owner) parts.push(i.spent === null ? 'spent: see card' : `spent ${formatMoney(i.spent)}`);
  if (!opts.owner) parts.push(i.lease === null ? 'no lease' : `lease ${i.lease.endsAt === null ? 'until terminated' : `ends ${leaseEndText(i.lease, now)}`}`);
  if (opts.owner) parts.push(i.ownerId ? `${user(i.ownerId)} in ${i.channelId ? channel(i.channelId) : '?'}` : 'deployed outside gpu-bot');
  return parts.join(' · ');
}

function instanceItem(i: HomeInstance, now: number, extend: HomeViewOptions['extend']): KnownBlock[] {
  const value = encodeRef(i.type, i.id);
  const buttons: Button[] = [button({ text: 'Open', actionId: ACTION.openInstance, value })];
  if (extend && i.canExtend && i.lease?.endsAt != null) {
    buttons.push(button({ text: extend.text, actionId: extend.actionId, value: extend.value({ ...i, lease: { endsAt: i.lease.endsAt } }) }));
  }
  if (i.canTerminate) buttons.push(terminateButton(i, i.pricePerHour));
  return [section(homeInstanceLine(i, now)), ...actions(buttons)];
}

function approvalItem(a: HomeApproval): KnownBlock[] {
  const reasons = a.reasons.map((r) => `• ${escapeClamp(r, 300)}`).join('\n');
  const top =
    `🔐 ${user(a.requesterId)} wants to deploy the ${WORKLOADS[a.type].label} ${codeSpan(a.name, 80)} at *${formatHourly(a.pricePerHour)}* ` +
    `(from ${channel(a.channelId)}, expires ${slackDate(a.expiresAt)})`;
  return [
    section(`${top}\n${reasons}`),
    ...actions([
      button({ text: 'Approve', actionId: ACTION.approve, value: a.id, style: 'primary' }),
      button({ text: 'Deny', actionId: ACTION.deny, value: a.id, style: 'danger' }),
    ]),
  ];
}

/** Items per list, handed out one at a time in turn until the block budget is spent. */
export function shareBlocks(lists: Array<{ items: number; blocksEach: number }>, budget: number): number[] {
  const given = lists.map(() => 0);
  let left = budget;
  for (let progress = true; progress; ) {
    progress = false;
    lists.forEach((l, k) => {
      if (given[k]! < l.items && left >= l.blocksEach) {
        given[k]!++;
        left -= l.blocksEach;
        progress = true;
      }
    });
  }
  return given;
}

function moneyText(d: HomeData): string {
  const m = d.money;
  const balance = m.balance === null ? 'unavailable' : formatMoney(m.balance);
  const runway = m.balance === null ? 'unknown' : m.runwayHours === null ? 'no spend (nothing active)' : formatRunway(m.runwayHours);
  return `*Balance* ${balance}   ·   *Burn* ${formatHourly(m.burnPerHour)} (${m.activeCount} active)   ·   *Runway* ${runway}`;
}

export function renderHome(d: HomeData, o: HomeViewOptions = {}): HomeView {
  const notes: string[] = [];
  if (d.money.unpricedCount) notes.push(`${d.money.unpricedCount} active instance(s) could not be priced and are not in the burn.`);
  if (d.failedTypes.length) notes.push(`⚠️ The ${d.failedTypes.map((t) => WORKLOADS[t].plural).join(' and ')} list could not be read from Fluence: this page may be incomplete.`);
  const top: KnownBlock[] = [
    header('GPU dashboard'),
    section(moneyText(d)),
    context(`You are ${d.role === 'admin' ? 'an' : 'a'} *${d.role}* here. Buttons are checked again when you click them.`, `Updated ${slackDate(d.now)}`),
    ...(d.sandbox ? [context(SANDBOX_NOTE)] : []),
    ...(notes.length ? [context(...notes)] : []),
    ...actions([
      button({ text: 'Deploy', actionId: ACTION.homeDeploy, style: 'primary' }),
      button({ text: 'Browse plans', actionId: ACTION.helpPlans }),
      button({ text: 'My SSH key', actionId: ACTION.sshKeySet }),
    ]),
  ];

  // Team lines for admins, packed into as few sections as possible
  const teamLines =
    d.team.kind === 'admin'
      ? d.team.running.map((i) => homeInstanceLine(i, d.now, { owner: true }))
      : [];
  const budgetLines =
    d.team.kind === 'admin'
      ? d.team.budgets.map(
          (b) => `• ${channel(b.channelId)}: ${b.burnPerHour === null ? 'use unknown' : formatHourly(b.burnPerHour)} of ${formatHourly(b.usdPerHour)}`,
        )
      : [];
  const teamChunks = packLines(teamLines, { budget: TEAM_CHUNK, maxChunks: HOME_MAX_BLOCKS, what: 'instances' }).length;

  // fixed blocks: top, headers, dividers, empty/summary lines, and one "more" line per list
  const approvals = d.approvals;
  const fixed =
    top.length +
    2 + 1 + // divider + My instances header + ("none" or "more")
    (approvals ? 3 : 0) +
    2 + 1 + (budgetLines.length ? 1 : 0) + 1; // divider + Team header + summary + budgets + "more"
  const [mineN, approvalsN, teamN] = shareBlocks(
    [
      { items: d.mine.length, blocksEach: 2 },
      { items: approvals?.length ?? 0, blocksEach: 2 },
      { items: teamChunks, blocksEach: 1 },
    ],
    HOME_MAX_BLOCKS - fixed,
  ) as [number, number, number];

  const blocks: KnownBlock[] = [...top, divider(), header(`My instances (${d.mine.length})`)];
  if (d.mine.length === 0) blocks.push(section('Nothing of yours is running. *Deploy* above, or `/gpu deploy`.'));
  for (const i of d.mine.slice(0, mineN)) blocks.push(...instanceItem(i, d.now, o.extend));
  if (d.mine.length > mineN) blocks.push(context(`${d.mine.length - mineN} more: \`/gpu list\``));

  if (approvals) {
    blocks.push(divider(), header(`Pending approvals (${approvals.length})`));
    if (approvals.length === 0) blocks.push(section('No deploy is waiting for an admin.'));
    for (const a of approvals.slice(0, approvalsN)) blocks.push(...approvalItem(a));
    if (approvals.length > approvalsN) blocks.push(context(`${approvals.length - approvalsN} more: in the channels they were asked from`));
  }

  blocks.push(divider(), header('Team'));
  if (d.team.kind === 'summary') {
    blocks.push(section(`*${d.team.running}* instance(s) running across the team, burning *${formatHourly(d.team.burnPerHour)}*.`));
  } else {
    blocks.push(section(`*${d.team.running.length}* instance(s) running, burning *${formatHourly(d.money.burnPerHour)}*.`));
    const chunks = packLines(teamLines, { budget: TEAM_CHUNK, maxChunks: Math.max(1, teamN), what: 'instances', hint: '`/gpu list`' });
    if (teamN > 0) blocks.push(...chunks.map((c) => section(c)));
    else if (teamLines.length) blocks.push(context(`${teamLines.length} more: \`/gpu list\``));
    if (budgetLines.length) {
      const [budgets] = packLines(budgetLines, { budget: TEAM_CHUNK, maxChunks: 1, what: 'budgets', hint: '`/gpu budget`', heading: '*Channel budgets* (use now of budget)' });
      blocks.push(section(budgets!));
    }
  }
  return { type: 'home', callback_id: 'home', blocks };
}
