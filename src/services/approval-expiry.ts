/**
 * Approval requests that passed their TTL undecided: closed, and their message and thread told,
 * exactly once. The scheduler's 'approvals.expire' job runs this; a late Approve click runs it too.
 * Closing the requests and claiming their notices happen in one transaction, so a crash between
 * them cannot leave an expired request nobody is told about (or tell twice).
 */
import type { OutboxEntry } from '../background/notices';
import type { Store } from '../store';
import type { ApprovalRecord } from '../store/approvals';

export function expiryNotices(a: ApprovalRecord): OutboxEntry[] {
  const to = a.messageChannelId && a.messageTs ? { teamId: a.teamId, channelId: a.messageChannelId, messageTs: a.messageTs, requesterId: a.requesterId } : null;
  const approval = {
    id: a.id,
    requesterId: a.requesterId,
    name: a.name,
    type: a.type,
    planId: a.planId,
    pricePerHour: a.pricePerHour,
    reasons: a.reason.split('\n').filter(Boolean),
    expiresAt: a.expiresAt,
  };
  return [
    // no posted request: nothing to edit, the note goes to the requester
    ...(to ? [{ key: `approval:${a.id}:expired:message`, notice: { kind: 'approval.expired' as const, part: 'message' as const, to, approval } }] : []),
    { key: `approval:${a.id}:expired:note`, notice: { kind: 'approval.expired', part: 'note', to, approval } },
  ];
}

/** Expires every pending request past its TTL and claims its notices. Returns the requests expired now. */
export function expireApprovals(store: Store, now: number): Promise<ApprovalRecord[]> {
  return store.transaction(async (trx) => {
    const expired = await store.approvals.expireDue(now, trx);
    await store.outbox.enqueueIn(trx, expired.flatMap(expiryNotices), now);
    return expired;
  });
}
