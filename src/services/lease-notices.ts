/**
 * What the lease job tells people (issue 11 §2), as typed data: no Slack here. The job decides and
 * claims them; src/slack renders them at delivery (views/lease-reminders.ts). Each carries the
 * figures of the moment it was decided, so a delivery retried after a 429 or a restart sends the
 * same message without asking Fluence again.
 */
import type { NoticeOf } from '../background/notices';
import type { WorkloadType } from '../fluence/workload';

/**
 * Where the lease's messages go: the deploy thread (`messageTs`) when there is one, else the top of
 * the lease's channel (`messageTs` ''); `requesterId` is DMed when the bot cannot write there.
 */
export interface LeaseNoticeTarget {
  teamId: string | null;
  channelId: string;
  messageTs: string;
  requesterId: string;
}

export interface LeaseNoticeBase {
  instanceId: string;
  type: WorkloadType;
  name: string;
  to: LeaseNoticeTarget;
  /** Mentioned in the message; null when the bot knows no owner. */
  ownerId: string | null;
  /** The lease end the notice is about (epoch ms). */
  endsAt: number;
  /** Instance creation (epoch ms): uptime = decidedAt - createdAt. */
  createdAt: number;
  decidedAt: number;
  /** billing.total_spendings when decided; null when the detail could not be read. */
  spent: number | null;
  /** billing.hourly_usage (or the deploy's price) when decided; null when unknown. */
  pricePerHour: number | null;
}

/** LEASE_REMINDER_MIN before the end: Extend 2 h / Extend 8 h / Terminate now. */
export interface LeaseReminderData extends LeaseNoticeBase {
  /** Past this end an extension needs an admin (the channel's max-lease); null: no maximum. */
  maxEndsAt: number | null;
}

/** on-expiry=remind: the end has passed and it still runs (repeat 0 is the first, then every LEASE_NAG_HOURS). */
export interface LeaseExpiredData extends LeaseNoticeBase {
  repeat: number;
  /** When the next repeat comes if it still runs. */
  nextAt: number;
}

/** on-expiry=terminate: the bot terminated it. */
export interface LeaseTerminatedData extends LeaseNoticeBase {
  /** billing.total_spendings after the termination (spent = before it); null when unreadable. */
  finalSpent: number | null;
}

declare module '../background/notices' {
  interface NoticeMap {
    'lease.reminder': LeaseReminderData;
    'lease.expired': LeaseExpiredData;
    'lease.terminated': LeaseTerminatedData;
  }
}

export type LeaseReminderNotice = NoticeOf<'lease.reminder'>;
export type LeaseExpiredNotice = NoticeOf<'lease.expired'>;
export type LeaseTerminatedNotice = NoticeOf<'lease.terminated'>;
export type LeaseNotice = LeaseReminderNotice | LeaseExpiredNotice | LeaseTerminatedNotice;
