/**
 * The lease job's messages (issue 11 §2): the reminder before the end with Extend 2 h / Extend 8 h /
 * Terminate now, the expiry notice (and its repeats) of on-expiry=remind, and the reply after
 * on-expiry=terminate ended an instance; plus what an Extend click answers. Pure: notice in, Block
 * Kit out. Dates are Slack date tokens (each reader's own time zone).
 */
import type { KnownBlock } from '@slack/types';
import { HOUR_MS, MINUTE_MS, formatDuration } from '../../duration';
import type { WorkloadType } from '../../fluence/workload';
import type { LeaseExpiredNotice, LeaseNoticeBase, LeaseReminderNotice, LeaseTerminatedNotice } from '../../services/lease-notices';
import { ACTION } from '../ids';
import { actions, button, context, section, sandboxBlocks, type MessageView } from './blocks';
import { codeSpan, encodeRef, formatHourly, formatMoney, slackDate } from './format';

/** The Extend buttons, by action id: how much each adds to the reminded end. */
export const EXTEND_BY_MS: Readonly<Record<string, number>> = {
  [ACTION.leaseExtend2h]: 2 * HOUR_MS,
  [ACTION.leaseExtend8h]: 8 * HOUR_MS,
};

/** Extend buttons carry the end they extend (`container:abc@1760000000000`): a second click extends the same end, not the new one. */
export function encodeLeaseRef(type: WorkloadType, id: string, endsAt: number): string {
  return `${encodeRef(type, id)}@${endsAt}`;
}

export function decodeLeaseRef(value: string): { ref: string; endsAt: number } | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  const endsAt = Number(value.slice(at + 1));
  return Number.isSafeInteger(endsAt) && endsAt > 0 ? { ref: value.slice(0, at), endsAt } : undefined;
}

/** The owner's mention, then a space (nothing when the bot knows no owner). */
const who = (n: LeaseNoticeBase) => (n.ownerId ? `<@${n.ownerId}> ` : '');
const what = (n: LeaseNoticeBase) => codeSpan(n.name, 80);
const money = (v: number | null) => (v === null ? 'unknown' : formatMoney(v));
const hourly = (v: number | null) => (v === null ? 'price unknown' : formatHourly(v));

function figures(n: LeaseNoticeBase): string {
  return (
    `*Up for* ${formatDuration(Math.max(0, n.decidedAt - n.createdAt))} · *spent so far* ${money(n.spent)} · ` +
    `*price* ${hourly(n.pricePerHour)} · *lease ends* ${slackDate(n.endsAt)}`
  );
}

function withSandbox(text: string, blocks: KnownBlock[], sandbox: boolean): MessageView {
  return { text: `${sandbox ? '[Sandbox] ' : ''}${text}`, blocks: [...blocks, ...sandboxBlocks(sandbox)] };
}

function terminateNow(n: LeaseNoticeBase) {
  return button({
    text: 'Terminate now',
    actionId: ACTION.terminate,
    value: encodeRef(n.type, n.instanceId),
    style: 'danger',
    confirm: {
      title: 'Terminate this instance?',
      text: `This stops ${what(n)} for good; its data is lost. Unused reserved balance is refunded.`,
      confirm: 'Terminate',
      deny: 'Keep it',
    },
  });
}

export function renderLeaseReminder(n: LeaseReminderNotice, sandbox: boolean): MessageView {
  // whole minutes: "ends in 20m", not "19m59s"
  const left = formatDuration(Math.max(MINUTE_MS, Math.round((n.endsAt - n.decidedAt) / MINUTE_MS) * MINUTE_MS));
  const head = `${who(n)}The lease of ${what(n)} ends in ${left} (${slackDate(n.endsAt)}).`;
  const value = encodeLeaseRef(n.type, n.instanceId, n.endsAt);
  const extend = (actionId: string, label: string) => button({ text: label, actionId, value, ...(actionId === ACTION.leaseExtend2h ? { style: 'primary' as const } : {}) });
  const limit = n.maxEndsAt === null ? '' : ` Past ${slackDate(n.maxEndsAt)} (the channel's max-lease) only an admin can extend it.`;
  return withSandbox(
    `${head} Extend it or terminate it.`,
    [
      section(head),
      section(figures(n)),
      ...actions([extend(ACTION.leaseExtend2h, 'Extend 2 h'), extend(ACTION.leaseExtend8h, 'Extend 8 h'), terminateNow(n)]),
      context(`Extending adds to this end. Its owner and admins can use these buttons, or \`/gpu lease ${n.instanceId.slice(0, 8)} 8h\`.${limit}`),
    ],
    sandbox,
  );
}

export function renderLeaseExpired(n: LeaseExpiredNotice, sandbox: boolean): MessageView {
  const price = n.pricePerHour === null ? 'it is still billed' : `it costs ${formatHourly(n.pricePerHour)}`;
  const since = formatDuration(Math.max(0, n.decidedAt - n.endsAt));
  const head =
    n.repeat === 0
      ? `⏰ ${who(n)}The lease of ${what(n)} has ended, but it still runs: ${price}. Terminate it or extend the lease.`
      : `⏰ ${who(n)}${what(n)} still runs ${since} after its lease ended: ${price}.`;
  return withSandbox(
    head,
    [
      section(head),
      section(figures(n)),
      ...actions([terminateNow(n)]),
      context(`The channel's policy is on-expiry=remind: I say this again ${slackDate(n.nextAt)} if it still runs. \`/gpu lease ${n.instanceId.slice(0, 8)} 8h\` sets a new end.`),
    ],
    sandbox,
  );
}

export function renderLeaseTerminated(n: LeaseTerminatedNotice, sandbox: boolean): MessageView {
  const spent = n.finalSpent ?? n.spent;
  const head =
    `🛑 ${who(n)}${what(n)} was terminated by lease policy: its lease ended ${slackDate(n.endsAt)} and the channel's ` +
    `policy is on-expiry=terminate. Final spend: ${money(spent)}.`;
  return withSandbox(head, [section(head), context(`Up ${formatDuration(Math.max(0, n.decidedAt - n.createdAt))} at ${hourly(n.pricePerHour)}. Unused reserved balance is refunded.`)], sandbox);
}

/** What replaces the reminder after an Extend click: the new end, who extended it, no buttons. */
export function renderExtended(c: { name: string; userId: string; endsAt: number; now: number; byAdminPastMax: boolean }): MessageView {
  const text =
    `✅ <@${c.userId}> extended the lease of ${codeSpan(c.name, 80)}: it now ends ${slackDate(c.endsAt)} (in ${formatDuration(c.endsAt - c.now)}).` +
    (c.byAdminPastMax ? " As an admin they went past the channel's max-lease." : '');
  return { text, blocks: [section(text)] };
}
