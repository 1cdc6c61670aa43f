/**
 * Guardrails (issue 5): roles in Slack (`/gpu access`), spend limits (`/gpu budget`), the audit log
 * (`/gpu audit`), balance and runway (`/gpu balance`), and deploy approvals (the Approve / Deny
 * buttons on a request posted by `requestApproval`). The code lives in guardrails/*.ts.
 */
import { ACTION } from '../ids';
import type { Feature } from './feature';
import { accessCommand, auditCommand, balanceCommand, budgetCommand } from './guardrails/commands';
import { onApprove, onDeny } from './guardrails/approvals';

export { approvalChannel, requestApproval, resumeApproved, APPROVAL_TTL_MS, type RequestApprovalInput } from './guardrails/approvals';
export { hourlyBurn } from './guardrails/commands';

export const feature: Feature = {
  name: 'guardrails',
  commands: { access: accessCommand, budget: budgetCommand, audit: auditCommand, balance: balanceCommand },
  actions: [
    { actionId: ACTION.approve, listener: onApprove },
    { actionId: ACTION.deny, listener: onDeny },
  ],
};
