import { renderApprovalRequest, renderAudit, renderBalance, renderRefusal } from '../../../src/slack/views/guardrails';
import { ACTION } from '../../../src/slack/ids';
import type { AuditEntry } from '../../../src/store/audit';

const base = { id: 'req-1', requesterId: 'UREQ', name: 'big-<!channel>', type: 'container' as const, planLabel: 'H100 80GB', pricePerHour: 2.1, reasons: ['over the limit'], expiresAt: 0, sandbox: false };

describe('guardrails views', () => {
  test('an approval request has Approve/Deny carrying the id while pending, none once decided, and never a live @channel', () => {
    const pending = renderApprovalRequest(base);
    const json = JSON.stringify(pending.blocks);
    expect(json).toContain(ACTION.approve);
    expect(json).toContain(ACTION.deny);
    expect(json).toContain('"value":"req-1"');
    expect(json).not.toContain('<!channel>');
    for (const state of [{ kind: 'denied', by: 'UADM' }, { kind: 'expired' }, { kind: 'approved', by: 'UADM', instanceId: 'i-1' }] as const) {
      expect(JSON.stringify(renderApprovalRequest(base, state).blocks)).not.toContain(ACTION.approve);
    }
  });

  test('audit keeps mentions the bot wrote, escapes everything else, and stays within 50 blocks', () => {
    const entry = (i: number): AuditEntry => ({
      id: i, at: 0, actorId: 'UADM', channelId: 'CGEN', action: 'grant', instanceId: null, instanceName: null, type: null,
      pricePerHour: null, outcome: 'ok', detail: `<@UDEP>: none → deployer <!channel> ${'x'.repeat(200)}`,
    });
    const view = renderAudit(Array.from({ length: 500 }, (_, i) => entry(i)), 500);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('<@UDEP>: none');
    expect(json).not.toContain('<!channel>');
    expect(view.blocks.length).toBeLessThanOrEqual(50);
    for (const b of view.blocks as Array<{ text?: { text: string } }>) expect((b.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });

  test('a refusal names the role and the admins; the balance warns when the runway is short', () => {
    expect(renderRefusal({ reason: 'No.', needs: 'admin', admins: ['UA', 'UB'] }).text).toBe('⛔ No. This needs the *admin* role. Admins: <@UA>, <@UB>.');
    const short = renderBalance({ balance: 5, burnPerHour: 2, activeCount: 1, unpricedCount: 0, runwayHours: 2.5, failedTypes: [], sandbox: false });
    expect(JSON.stringify(short.blocks)).toMatch(/Less than 6 hours/);
    const idle = renderBalance({ balance: 5, burnPerHour: 0, activeCount: 0, unpricedCount: 0, runwayHours: null, failedTypes: ['vm'], sandbox: false });
    expect(JSON.stringify(idle.blocks)).toMatch(/nothing is running/);
    expect(JSON.stringify(idle.blocks)).toMatch(/VMs list could not be read/);
  });
});
