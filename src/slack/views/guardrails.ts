/**
 * What the guardrails say: who has which role, channel budgets, the audit log, the balance and
 * runway, approval requests (and what became of them), refusals. Pure: data in, Block Kit out.
 * Every user-controlled string is escaped and clamped; ids are Slack ids the bot itself checked.
 */
import type { KnownBlock } from '@slack/types';
import { MAX_CHANNEL_ROLE, type Role } from '../../services/access';
import type { AuditEntry } from '../../store/audit';
import type { Budget } from '../../store/budgets';
import type { Grant } from '../../store/grants';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import { ACTION } from '../ids';
import { actions, button, context, header, message, section, type MessageView } from './blocks';
import { codeSpan, escapeClamp, escapeMrkdwn, formatHourly, formatMoney, SANDBOX_NOTE, slackDate } from './format';
import { packLines } from './truncate';

/** A Slack user id as a mention; anything else (the bot acting by lease policy) as plain words. */
const user = (id: string) => (/^[A-Z][A-Z0-9_]+$/.test(id) ? `<@${id}>` : `_${escapeClamp(id, 40)}_`);
const channel = (id: string) => `<#${id}>`;
const sandboxContext = (sandbox: boolean) => (sandbox ? [context(SANDBOX_NOTE)] : []);
/** Room in a section for packed lines (3000, minus a margin for the "more" line). */
const SECTION_BUDGET = 2900;
/** Sections per list, so a message with two lists stays well under 50 blocks. */
const MAX_LIST_SECTIONS = 20;
const listSections = (heading: string, lines: string[], what: string) =>
  packLines(lines.length ? lines : ['none'], { budget: SECTION_BUDGET, maxChunks: MAX_LIST_SECTIONS, heading, what }).map((t) => section(t));

/** "<@U1>, <@U2>" or a hint that nobody can grant anything yet. */
export function adminList(admins: readonly string[]): string {
  return admins.length ? admins.map(user).join(', ') : 'nobody yet (set GPU_BOT_ADMINS)';
}

// ---- refusals -----------------------------------------------------------------------------

export interface RefusalData {
  reason?: string | undefined;
  needs: Role;
  admins: readonly string[];
}

/** Ephemeral: why not, which role would do, and whom to ask. */
export function renderRefusal(r: RefusalData): MessageView {
  // the reason is the bot's own words; a channel or user mention in it ("Leases in <#C…> are at most 3h") stays a mention
  const why = r.reason ? escapeClamp(r.reason, 500).replace(/&lt;([@#][A-Z0-9]{2,40})&gt;/g, '<$1>') : 'You are not allowed to do that.';
  const text = `⛔ ${why} This needs the *${r.needs}* role. Admins: ${adminList(r.admins)}.`;
  return message(text, [section(text)]);
}

// ---- access -------------------------------------------------------------------------------

export interface AccessData {
  grants: readonly Grant[];
  bootstrapAdmins: readonly string[];
  /** The caller's own effective role here, now. */
  yourRole: Role;
  sandbox: boolean;
}

export function renderAccess(d: AccessData): MessageView {
  const users = d.grants.filter((g) => g.subject.kind === 'user');
  const channels = d.grants.filter((g) => g.subject.kind === 'channel');
  // an admin row for a channel can only come from an older version: say what it is worth now
  const capped = (g: Grant) => (g.subject.kind === 'channel' && g.role === 'admin' ? ` — counts as *${MAX_CHANNEL_ROLE}*: a channel cannot hold admin` : '');
  const line = (g: Grant) =>
    `• ${g.subject.kind === 'user' ? user(g.subject.id) : channel(g.subject.id)}: *${g.role}*${capped(g)} (by ${user(g.by)}, ${slackDate(g.at, '{date_short}')})`;
  const blocks = [
    header('Access'),
    section(`*Admins from GPU_BOT_ADMINS:* ${d.bootstrapAdmins.length ? d.bootstrapAdmins.map(user).join(', ') : 'none'}`),
    ...listSections('*User grants*', users.map(line), 'user grants'),
    ...listSections('*Channel grants* (everyone acting in the channel)', channels.map(line), 'channel grants'),
    context(
      `You are a *${d.yourRole}* here. Without a grant a user is a viewer; a user's role is the higher of their own grant and the channel's (a channel gives at most deployer, and only to people of this workspace).` +
        (d.sandbox ? ' In sandbox mode everyone may deploy.' : ''),
      'Admins (by their own grant) change this with `/gpu access grant @user viewer|deployer|admin`, `/gpu access grant #channel viewer|deployer` and `/gpu access revoke @user|#channel`.',
    ),
    ...sandboxContext(d.sandbox),
  ];
  return message(`Access: ${users.length} user grant(s), ${channels.length} channel grant(s)`, blocks);
}

export interface GrantChangeData {
  subject: { kind: 'user' | 'channel'; id: string };
  before: Role | null;
  after: Role | null;
  changed: boolean;
  /** The subject is a bootstrap admin: a grant cannot lower them. */
  bootstrapAdmin?: boolean;
}

export function renderGrantChange(c: GrantChangeData): MessageView {
  const who = c.subject.kind === 'user' ? user(c.subject.id) : `everyone in ${channel(c.subject.id)}`;
  let text: string;
  if (!c.changed) text = c.after ? `${who} already has the *${c.after}* role. Nothing changed.` : `${who} had no grant. Nothing changed.`;
  else if (c.after) text = `✅ ${who} now has the *${c.after}* role${c.before ? ` (was ${c.before})` : ''}.`;
  else text = `✅ Revoked ${who}'s *${c.before}* grant: back to the default (viewer, unless another grant applies).`;
  if (c.bootstrapAdmin) text += ` Note: ${user(c.subject.id)} is listed in GPU_BOT_ADMINS and stays an admin whatever the grants say.`;
  return message(text, [section(text)]);
}

// ---- budgets ------------------------------------------------------------------------------

export interface BudgetsData {
  budgets: readonly Budget[];
  maxHourlyUsd: number | null;
  /** The channel the command was run in, with what its bot-deployed live instances burn. */
  here?: { channelId: string; burnPerHour: number | null };
  sandbox: boolean;
}

export function renderBudgets(d: BudgetsData): MessageView {
  const lines = d.budgets.map((b) => `• ${channel(b.channelId)}: *${formatHourly(b.usdPerHour)}* (set by ${user(b.by)})`);
  const blocks: KnownBlock[] = [
    header('Spend limits'),
    ...listSections(
      `*Per instance (MAX_HOURLY_USD):* ${d.maxHourlyUsd != null ? formatHourly(d.maxHourlyUsd) : 'no limit'}\n` +
        '*Channel budgets* (total hourly price of the live instances deployed from the channel)',
      lines,
      'channel budgets',
    ),
  ];
  if (d.here) {
    const budget = d.budgets.find((b) => b.channelId === d.here!.channelId);
    const burn = d.here.burnPerHour === null ? 'unknown (Fluence did not answer)' : formatHourly(d.here.burnPerHour);
    blocks.push(section(`*This channel* burns ${burn}${budget ? ` of its ${formatHourly(budget.usdPerHour)} budget` : ' (no budget)'}.`));
  }
  blocks.push(context('A deploy above a limit is not refused: it becomes an approval request for an admin. Admins set budgets with `/gpu budget #channel <usd/h|off>`.'));
  blocks.push(...sandboxContext(d.sandbox));
  return message(`Spend limits: ${d.budgets.length} channel budget(s)`, blocks);
}

export function renderBudgetChange(c: { channelId: string; before: number | null; after: number | null; changed: boolean }): MessageView {
  const where = channel(c.channelId);
  const fmt = (v: number | null) => (v === null ? 'no budget' : formatHourly(v));
  const text = !c.changed
    ? `${where} already has ${fmt(c.after)}. Nothing changed.`
    : c.after === null
      ? `✅ Removed ${where}'s budget (was ${fmt(c.before)}). Only MAX_HOURLY_USD applies there now.`
      : `✅ ${where}'s budget is now *${fmt(c.after)}* (was ${fmt(c.before)}).`;
  return message(text, [section(text)]);
}

// ---- audit --------------------------------------------------------------------------------

/**
 * Details are escaped (they may quote an API error), which also breaks the one user or channel
 * mention the bot itself writes at their start ("request by <@U…>: …", "<#C…>: …"); put exactly
 * that one back. A mention anywhere else came from outside and stays escaped, like `<!channel>`.
 */
function withMentions(escaped: string): string {
  return escaped.replace(/^((?:request by )?)&lt;([@#][A-Z0-9]{2,40})&gt;/, '$1<$2>');
}

const OUTCOME_ICON: Record<AuditEntry['outcome'], string> = { ok: '✅', error: '❌', refused: '⛔', pending: '⏳' };

/**
 * One audit entry as a line of mrkdwn: in `/gpu audit` and in AUDIT_CHANNEL. The instance name and
 * the detail may hold Fluence's words (an error echoing anything): escaped like all outside text.
 */
export function auditLine(e: Pick<AuditEntry, 'actorId' | 'channelId' | 'action' | 'outcome'> & Partial<Pick<AuditEntry, 'at' | 'instanceId' | 'instanceName' | 'pricePerHour' | 'detail'>>): string {
  return (
    `${OUTCOME_ICON[e.outcome]}${e.at != null ? ` ${slackDate(e.at)}` : ''} ${user(e.actorId)} *${e.action}*` +
    (e.instanceName ? ` ${codeSpan(e.instanceName, 100)}` : '') +
    (e.instanceId ? ` (${codeSpan(e.instanceId.slice(0, 8), 20)})` : '') +
    (e.pricePerHour != null ? ` ${formatHourly(e.pricePerHour)}` : '') +
    ` in ${channel(e.channelId)}` +
    (e.outcome !== 'ok' ? ` — ${e.outcome}` : '') +
    (e.detail ? `: ${withMentions(escapeClamp(e.detail, 300))}` : '')
  );
}

export function renderAudit(entries: readonly AuditEntry[], requested: number): MessageView {
  if (entries.length === 0) return message('The audit log is empty.', [section('The audit log is empty: nothing has been deployed, changed or granted yet.')]);
  // A section holds 3000 characters: pack lines into as many as fit (newest first).
  const sections = packLines(entries.map(auditLine), { budget: SECTION_BUDGET, maxChunks: 45, what: 'older entries', hint: 'ask for fewer with `/gpu audit <n>`' });
  return message(`Audit: last ${entries.length} of ${requested} requested`, [
    header(`Audit log: last ${entries.length}`),
    ...sections.map((s) => section(s)),
  ]);
}

// ---- balance ------------------------------------------------------------------------------

export interface BalanceData {
  balance: number;
  burnPerHour: number;
  activeCount: number;
  /** Active instances whose price could not be read (not counted in the burn). */
  unpricedCount: number;
  runwayHours: number | null;
  /** Workload types whose list could not be read. */
  failedTypes: readonly WorkloadType[];
  sandbox: boolean;
}

export function renderBalance(d: BalanceData): MessageView {
  const runway =
    d.runwayHours === null
      ? 'nothing is running, so nothing is spent'
      : `about *${d.runwayHours} h*${d.runwayHours >= 48 ? ` (${(d.runwayHours / 24).toFixed(1)} days)` : ''} at this burn`;
  const lines = [
    `*Balance:* ${formatMoney(d.balance)}`,
    `*Burn:* ${formatHourly(d.burnPerHour)} for ${d.activeCount} active instance(s)`,
    `*Runway:* ${runway}`,
  ];
  const notes: string[] = [];
  if (d.unpricedCount) notes.push(`${d.unpricedCount} active instance(s) could not be priced and are not in the burn.`);
  if (d.failedTypes.length) notes.push(`The ${d.failedTypes.map((t) => WORKLOADS[t].plural).join(' and ')} list could not be read: the burn may be higher.`);
  if (d.runwayHours !== null && d.runwayHours < 6) notes.push('⚠️ Less than 6 hours left: top up the balance or instances will be terminated when an hourly charge fails.');
  const blocks = [section(lines.join('\n')), ...(notes.length ? [context(...notes)] : []), ...sandboxContext(d.sandbox)];
  return message(`Balance ${formatMoney(d.balance)}, burn ${formatHourly(d.burnPerHour)}`, blocks);
}

// ---- approvals ----------------------------------------------------------------------------

export interface ApprovalData {
  id: string;
  requesterId: string;
  name: string;
  type: WorkloadType;
  planLabel: string;
  pricePerHour: number;
  reasons: readonly string[];
  expiresAt: number;
  sandbox: boolean;
}

export type ApprovalState =
  | { kind: 'pending' }
  | { kind: 'approved'; by: string; instanceId?: string; failed?: string }
  | { kind: 'denied'; by: string }
  | { kind: 'expired' }
  | { kind: 'unopenable' };

/** The request message in the channel; its buttons go away once it is decided or expired. */
export function renderApprovalRequest(d: ApprovalData, state: ApprovalState = { kind: 'pending' }): MessageView {
  const what = `${WORKLOADS[d.type].label} ${codeSpan(d.name, 100)}`;
  const top = `🔐 ${user(d.requesterId)} wants to deploy the ${what}: ${escapeClamp(d.planLabel, 200)} at *${formatHourly(d.pricePerHour)}*.`;
  const reasons = d.reasons.map((r) => `• ${escapeClamp(r, 400)}`).join('\n');
  const blocks: KnownBlock[] = [section(top), section(`*Why it needs an admin's approval*\n${reasons}`)];
  let status: string;
  switch (state.kind) {
    case 'pending':
      blocks.push(
        ...actions(
          [
            button({ text: 'Approve', actionId: ACTION.approve, value: d.id, style: 'primary' }),
            button({ text: 'Deny', actionId: ACTION.deny, value: d.id, style: 'danger' }),
          ],
          'approval',
        ),
      );
      status = `Any admin except the requester may decide. Expires ${slackDate(d.expiresAt)}.`;
      break;
    case 'approved':
      status = state.failed
        ? `✅ Approved by ${user(state.by)}, but the deploy did not go through: ${escapeClamp(state.failed, 300)}`
        : `✅ Approved by ${user(state.by)}${state.instanceId ? `: deployed as ${codeSpan(state.instanceId, 80)}` : ': deploying…'}`;
      break;
    case 'denied':
      status = `🚫 Denied by ${user(state.by)}. Nothing was deployed.`;
      break;
    case 'expired':
      status = '⌛ Expired: no admin decided within 24 hours. Nothing was deployed; deploy again to ask anew.';
      break;
    case 'unopenable':
      status = '🔑 This request can no longer be opened (the bot\'s sealing key changed). Nothing was deployed; deploy again.';
      break;
  }
  blocks.push(context(status), ...sandboxContext(d.sandbox));
  const name = escapeMrkdwn(d.name);
  const fallback = state.kind === 'pending' ? `Approval needed: ${name} at ${formatHourly(d.pricePerHour)}` : `Deploy request ${name}: ${state.kind}`;
  return message(fallback, blocks);
}

/** A line in the request's thread (decisions, the deploy that followed, expiry). */
export function renderThreadNote(text: string): MessageView {
  return message(text, [section(text)]);
}
