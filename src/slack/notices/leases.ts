/**
 * Renderers of the lease job's notices (services/lease-job.ts): a reply in the deploy thread, or a
 * post in the lease's channel when there is no thread; the owner is DMed when the bot cannot write
 * there. The expiry notice is also shown in the channel (reply_broadcast): one message, both places.
 */
import type { LeaseNoticeTarget } from '../../services/lease-notices';
import type { WatchMessage } from '../../watch/notifier';
import { renderLeaseExpired, renderLeaseReminder, renderLeaseTerminated } from '../views/lease-reminders';
import type { Outgoing, RendererTable } from './registry';

type LeaseKind = 'lease.reminder' | 'lease.expired' | 'lease.terminated';

function toThread(to: LeaseNoticeTarget, message: WatchMessage, broadcast = false): Outgoing {
  if (!to.messageTs) return { op: 'post', channel: to.channelId, message, ...(to.requesterId ? { dmFallback: to.requesterId } : {}) };
  return { op: 'reply', to, message: broadcast ? { ...message, broadcast: true } : message };
}

export const LEASE_RENDERERS: RendererTable<LeaseKind> = {
  'lease.reminder': (n, { sandbox }) => toThread(n.to, renderLeaseReminder(n, sandbox)),
  'lease.expired': (n, { sandbox }) => toThread(n.to, renderLeaseExpired(n, sandbox), true),
  'lease.terminated': (n, { sandbox }) => toThread(n.to, renderLeaseTerminated(n, sandbox)),
};
