/** Renderers of approval notices: an expired request's message and its thread note. */
import { renderApprovalRequest, renderThreadNote } from '../views/guardrails';
import type { RendererTable } from './registry';

export const APPROVAL_RENDERERS: RendererTable<'approval.expired'> = {
  'approval.expired': (n, { sandbox }) => {
    const a = n.approval;
    if (n.part === 'message') {
      if (!n.to) return null;
      const view = renderApprovalRequest(
        { id: a.id, requesterId: a.requesterId, name: a.name, type: a.type, planLabel: a.planId, pricePerHour: a.pricePerHour, reasons: a.reasons, expiresAt: a.expiresAt, sandbox },
        { kind: 'expired' },
      );
      return { op: 'update', to: n.to, message: view };
    }
    const note = renderThreadNote(
      `⌛ No admin decided within 24 hours, so this request expired. Nothing was deployed. <@${a.requesterId}>, deploy again to ask anew.`,
    );
    return n.to ? { op: 'reply', to: n.to, message: note } : { op: 'dm', userId: a.requesterId, message: note };
  },
};
