/**
 * Plan alerts in Slack: the answer to `/gpu alert add|list|remove`, the match message (one line
 * per offer, as `/gpu plans` shows it, each with a Deploy button that opens the deploy form with
 * that plan and location preselected), and the expiry notice with its Renew button. Pure.
 */
import type { KnownBlock } from '@slack/types';
import type { PlanOffer } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import type { PlanAlert, PlanAlertExpiredNotice, PlanAlertMatchNotice } from '../../services/plan-alert-decide';
import type { PlanFilters } from '../../services/plans';
import { ACTION } from '../ids';
import { actions, button, context, header, message, section, type MessageView } from './blocks';
import { SANDBOX_NOTE, escapeClamp, formatHourly, slackDate } from './format';
import { describeFilters, planLine } from './plans';

/** "H100 containers · max $2.00/h · location=US" */
export function describeAlert(type: WorkloadType, filters: PlanFilters): string {
  const rest = describeFilters({ ...filters, gpu: undefined });
  const what = `${filters.gpu ? `${escapeClamp(filters.gpu.toUpperCase(), 40)} ` : ''}${WORKLOADS[type].plural.toLowerCase()}`;
  return rest ? `${what} · ${rest}` : what;
}

/** The same search as `/gpu plans` words: "containers h100 max=2 location=US". */
export function plansArgs(type: WorkloadType, f: PlanFilters): string {
  const parts: string[] = [WORKLOADS[type].plural.toLowerCase().replace(/\s+/g, '')];
  if (f.gpu) parts.push(`gpu=${f.gpu}`);
  if (f.count !== undefined) parts.push(`count=${f.count}`);
  if (f.maxPrice !== undefined) parts.push(`max=${f.maxPrice}`);
  if (f.location) parts.push(`location=${f.location}`);
  return parts.join(' ');
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const where = (channelId: string) => (/^[UWD]/.test(channelId) ? 'in a DM with you' : `in <#${channelId}>`);
const sandbox = (on: boolean): KnownBlock[] => (on ? [context(SANDBOX_NOTE)] : []);

// ---- Deploy button value ----------------------------------------------------------------

export interface AlertDeployRef {
  type: WorkloadType;
  planId: string;
  location?: string;
}

/** JSON: a plan id or a location from Fluence may hold any character. */
export function encodeAlertDeploy(ref: AlertDeployRef): string {
  return JSON.stringify({ t: ref.type, p: ref.planId, ...(ref.location ? { l: ref.location.slice(0, 200) } : {}) });
}

export function decodeAlertDeploy(value: string): AlertDeployRef | undefined {
  try {
    const v = JSON.parse(value) as { t?: unknown; p?: unknown; l?: unknown };
    if (!(v.t === 'container' || v.t === 'vm' || v.t === 'baremetal') || typeof v.p !== 'string' || !v.p) return undefined;
    return { type: v.t, planId: v.p, ...(typeof v.l === 'string' && v.l ? { location: v.l } : {}) };
  } catch {
    return undefined;
  }
}

// ---- /gpu alert add ---------------------------------------------------------------------

export interface AlertCreatedInput {
  alert: PlanAlert;
  /** Offers matching at creation (not announced later), cheapest first; null: the list could not be read. */
  matchingNow: readonly PlanOffer[] | null;
  owned: number;
  limit: number;
  ttlDays: number;
  sandbox: boolean;
}

export function renderAlertCreated(i: AlertCreatedInput): MessageView {
  const { alert } = i;
  const desc = describeAlert(alert.type, alert.filters);
  const blocks: KnownBlock[] = [
    section(
      `🔔 *Alert ${alert.id} set:* ${desc}.\nI will post ${where(alert.channelId)} when a matching plan appears` +
        `${alert.filters.maxPrice !== undefined ? ` or its price drops to ${formatHourly(alert.filters.maxPrice)} or below` : ''}, ` +
        `once per plan, until ${slackDate(alert.expiresAt)} (${days(i.ttlDays)}).`,
    ),
  ];
  const args = plansArgs(alert.type, alert.filters);
  if (i.matchingNow === null) {
    blocks.push(context('I could not read the current plans: the first check will tell you about every matching plan.'));
  } else if (i.matchingNow.length > 0) {
    const cheapest = i.matchingNow[0]!;
    blocks.push(context(`${i.matchingNow.length} plan${i.matchingNow.length === 1 ? ' matches' : 's match'} already (cheapest ${formatHourly(cheapest.pricePerHour)}): \`/gpu plans ${escapeClamp(args, 200)}\`. I will not post about ${i.matchingNow.length === 1 ? 'it' : 'them'} unless ${i.matchingNow.length === 1 ? 'it disappears or gets' : 'they disappear or get'} dearer and come${i.matchingNow.length === 1 ? 's' : ''} back.`));
  } else {
    blocks.push(context('No plan matches right now.'));
  }
  blocks.push(context(`You have ${i.owned} of ${i.limit} alerts · \`/gpu alert list\` · \`/gpu alert remove ${alert.id}\``));
  blocks.push(...sandbox(i.sandbox));
  return message(`Alert ${alert.id} set: ${desc}.`, blocks);
}

export function renderAlertLimit(limit: number, alerts: readonly PlanAlert[]): MessageView {
  const ids = alerts.map((a) => a.id).join(', ');
  return message(`You have ${limit} alerts, the limit.`, [
    section(`⛔ You already have ${limit} plan alerts, the most one person may have (${ids}). Remove one first: \`/gpu alert remove <n>\` (\`/gpu alert list\` shows them).`),
  ]);
}

// ---- /gpu alert list --------------------------------------------------------------------

export function renderAlertList(alerts: readonly PlanAlert[], now: number, limit: number, isSandbox: boolean): MessageView {
  if (alerts.length === 0) {
    return message('You have no plan alerts.', [
      section('You have no plan alerts. `/gpu alert add h100 max=2` tells you when an H100 container plan at $2/h or less appears.'),
      ...sandbox(isSandbox),
    ]);
  }
  const blocks: KnownBlock[] = [header('Your plan alerts')];
  for (const a of alerts) {
    const live = now < a.expiresAt;
    const state = live ? `until ${slackDate(a.expiresAt)}` : `*expired* ${slackDate(a.expiresAt)}`;
    blocks.push(section(`*${a.id}* · ${describeAlert(a.type, a.filters)} · ${where(a.channelId)} · ${state}`, button({ text: 'Remove', actionId: ACTION.alertRemove, value: String(a.id) })));
    if (!live) blocks.push(...actions([button({ text: 'Renew', actionId: ACTION.alertRenew, value: String(a.id), style: 'primary' })], `alert_renew_${a.id}`));
  }
  blocks.push(context(`${alerts.length} of ${limit} alerts · \`/gpu alert remove <n>\``));
  blocks.push(...sandbox(isSandbox));
  return message(`You have ${alerts.length} plan alert${alerts.length === 1 ? '' : 's'}.`, blocks);
}

export function renderAlertRemoved(alert: PlanAlert, byOther: boolean): MessageView {
  return message(`Alert ${alert.id} removed.`, [
    section(`🗑️ Alert ${alert.id} (${describeAlert(alert.type, alert.filters)}${byOther ? `, <@${alert.ownerId}>'s` : ''}) removed: no more messages from it.`),
  ]);
}

// ---- the match message ------------------------------------------------------------------

export function renderAlertMatch(n: PlanAlertMatchNotice, isSandbox: boolean): MessageView {
  const desc = describeAlert(n.type, n.filters);
  const first = n.matches[0];
  const total = n.matches.length + n.more;
  const headline =
    total === 1 && first
      ? first.previousPrice !== undefined
        ? `${formatHourly(first.offer.pricePerHour)} (was ${formatHourly(first.previousPrice)})`
        : `a new plan at ${formatHourly(first.offer.pricePerHour)}`
      : `${total} plans from ${formatHourly(Math.min(...n.matches.map((m) => m.offer.pricePerHour)))}`;
  const mention = /^[UWD]/.test(n.channel) ? '' : `<@${n.ownerId}> `;
  const blocks: KnownBlock[] = [section(`🔔 ${mention}*Plan alert ${n.alertId}* (${desc}): ${headline}`)];
  for (const m of n.matches) {
    const drop = m.previousPrice !== undefined ? ` _(was ${formatHourly(m.previousPrice)})_` : '';
    const at = m.location && m.offer.type === 'container' ? ` · deploy in ${escapeClamp(m.location, 64)}` : '';
    blocks.push(section(`${planLine(m.offer)}${drop}${at}`, button({
      text: 'Deploy', actionId: ACTION.alertDeploy, style: 'primary',
      value: encodeAlertDeploy({ type: m.offer.type, planId: m.offer.planId, ...(m.location ? { location: m.location } : {}) }),
    })));
  }
  if (n.more > 0) blocks.push(context(`…and ${n.more} more: \`/gpu plans ${escapeClamp(plansArgs(n.type, n.filters), 200)}\``));
  blocks.push(context(`Once per plan, until it disappears or gets dearer and comes back · \`/gpu alert remove ${n.alertId}\``));
  blocks.push(...sandbox(isSandbox));
  return message(`Plan alert ${n.alertId} (${desc}): ${headline}`, blocks);
}

// ---- expiry -------------------------------------------------------------------------------

export function renderAlertExpired(n: PlanAlertExpiredNotice, isSandbox: boolean): MessageView {
  const desc = describeAlert(n.type, n.filters);
  const mention = /^[UWD]/.test(n.channel) ? '' : `<@${n.ownerId}> `;
  return message(`Plan alert ${n.alertId} (${desc}) expired.`, [
    section(`⏰ ${mention}*Plan alert ${n.alertId}* (${desc}) expired ${slackDate(n.expiredAt)}: no more messages from it unless you renew it.`),
    ...actions([button({ text: `Renew for ${days(n.renewDays)}`, actionId: ACTION.alertRenew, value: String(n.alertId), style: 'primary' })], 'alert_renew'),
    ...sandbox(isSandbox),
  ]);
}

export function renderAlertRenewed(alert: PlanAlert): MessageView {
  return message(`Alert ${alert.id} renewed.`, [
    section(`🔔 *Alert ${alert.id}* (${describeAlert(alert.type, alert.filters)}) renewed until ${slackDate(alert.expiresAt)}.`),
  ]);
}
