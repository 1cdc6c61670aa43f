/** Plan-alert views: what the owner reads, the Deploy/Renew/Remove buttons, and Slack's limits. */
import type { PlanOffer } from '../../../src/fluence/model';
import type { PlanAlert, PlanAlertMatchNotice } from '../../../src/services/plan-alert-decide';
import { ACTION } from '../../../src/slack/ids';
import {
  decodeAlertDeploy,
  describeAlert,
  encodeAlertDeploy,
  plansArgs,
  renderAlertCreated,
  renderAlertExpired,
  renderAlertList,
  renderAlertMatch,
} from '../../../src/slack/views/plan-alerts';
import { parseCommand } from '../../../src/slack/command';
import { assertBlockKitLimits, mrkdwnTexts } from '../../support/blockkit';

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

const offer = (id: string, price: number, o: Partial<PlanOffer> = {}): PlanOffer => ({
  type: 'container', planId: id, name: id, gpu: { vendor: 'nvidia', model: 'h100', vram: '80Gi', interface: 'sxm', count: 1 },
  vcpu: 16, memory: { count: 128, units: 'Gi' }, storage: { count: 250, units: 'Gi' }, pricePerHour: price, upfrontHours: 3,
  currency: 'USDC', locations: ['US', 'DE'], ...o,
});
const alert = (o: Partial<PlanAlert> = {}): PlanAlert => ({
  id: 7, ownerId: 'U_ALICE', teamId: 'T', channelId: 'C_ML', type: 'container', filters: { gpu: 'h100', maxPrice: 2, location: 'DE' },
  createdAt: NOW, expiresAt: NOW + 7 * DAY, expiryNoticedAt: null, ...o,
});
const buttons = (blocks: any[]) =>
  blocks.flatMap((b) => [b.accessory, ...(b.elements ?? [])]).filter((e) => e?.type === 'button');

describe('plan alert views', () => {
  it('describes an alert in the /gpu plans words, and those words parse back to the same search', () => {
    expect(describeAlert('container', { gpu: 'h100', maxPrice: 2, location: 'DE' })).toBe('H100 containers · max $2.00/h · location=DE');
    expect(describeAlert('baremetal', { count: 8 })).toBe('bare metal · 8 GPUs');
    const args = plansArgs('vm', { gpu: 'h100', count: 2, maxPrice: 4.5, location: 'newyork' });
    const parsed = parseCommand(`plans ${args}`);
    expect(parsed.ok && parsed.command).toEqual({ kind: 'plans', type: 'vm', filters: { gpu: 'h100', count: 2, maxPrice: 4.5, location: 'newyork' }, page: 1 });
  });

  it('the confirmation says where it posts, until when, what matches already and the per-person limit', () => {
    const v = renderAlertCreated({ alert: alert(), matchingNow: [offer('a', 1.5)], owned: 3, limit: 10, ttlDays: 7, sandbox: true });
    const text = mrkdwnTexts(v.blocks).join('\n');
    expect(text).toContain('*Alert 7 set:* H100 containers · max $2.00/h · location=DE');
    expect(text).toContain('I will post in <#C_ML> when a matching plan appears or its price drops to $2.00/h or below');
    expect(text).toContain('(7 days)');
    expect(text).toContain('1 plan matches already (cheapest $1.50/h): `/gpu plans containers gpu=h100 max=2 location=DE`');
    expect(text).toContain('You have 3 of 10 alerts');
    assertBlockKitLimits(v.blocks);
    const dm = renderAlertCreated({ alert: alert({ channelId: 'U_ALICE' }), matchingNow: null, owned: 1, limit: 10, ttlDays: 1, sandbox: false });
    expect(mrkdwnTexts(dm.blocks).join('\n')).toMatch(/in a DM with you[\s\S]*\(1 day\)[\s\S]*could not read the current plans/);
  });

  it('a match message mentions the owner in a channel, lists each offer with a Deploy button carrying plan and location', () => {
    const n: PlanAlertMatchNotice = {
      kind: 'plan-alert.match', alertId: 7, ownerId: 'U_ALICE', channel: 'C_ML', type: 'container', filters: alert().filters,
      matches: [{ offer: offer('p1', 1.89), location: 'DE', previousPrice: 2.1 }], more: 0,
    };
    const v = renderAlertMatch(n, false);
    expect(v.text).toBe('Plan alert 7 (H100 containers · max $2.00/h · location=DE): $1.89/h (was $2.10/h)');
    const text = mrkdwnTexts(v.blocks).join('\n');
    expect(text).toContain('<@U_ALICE> *Plan alert 7*');
    expect(text).toContain('deploy in DE');
    const [deploy] = buttons(v.blocks);
    expect(deploy.action_id).toBe(ACTION.alertDeploy);
    expect(decodeAlertDeploy(deploy.value)).toEqual({ type: 'container', planId: 'p1', location: 'DE' });
    expect(mrkdwnTexts(renderAlertMatch({ ...n, channel: 'U_ALICE' }, false).blocks).join('\n')).not.toContain('<@U_ALICE>');
    assertBlockKitLimits(v.blocks);
  });

  it('ten offers and more fit one message within Slack limits, the rest counted with the /gpu plans command', () => {
    const matches = Array.from({ length: 10 }, (_, i) => ({ offer: offer(`p${i}`, 1 + i / 10, { locations: Array.from({ length: 40 }, (_, k) => `loc-${k}`) }) }));
    const v = renderAlertMatch({ kind: 'plan-alert.match', alertId: 7, ownerId: 'U', channel: 'C', type: 'container', filters: { gpu: 'h100' }, matches, more: 5 }, true);
    expect(v.text).toContain('15 plans from $1.00/h');
    expect(mrkdwnTexts(v.blocks).join('\n')).toContain('…and 5 more: `/gpu plans containers gpu=h100`');
    assertBlockKitLimits(v.blocks);
  });

  it('the expiry notice has a Renew button for the alert; the list offers Remove, and Renew on expired ones', () => {
    const exp = renderAlertExpired({ kind: 'plan-alert.expired', alertId: 7, ownerId: 'U_ALICE', channel: 'C_ML', type: 'vm', filters: { gpu: 'a100' }, expiredAt: NOW, renewDays: 7 }, false);
    expect(buttons(exp.blocks).map((b) => [b.action_id, b.value, b.text.text])).toEqual([[ACTION.alertRenew, '7', 'Renew for 7 days']]);
    assertBlockKitLimits(exp.blocks);
    const list = renderAlertList([alert(), alert({ id: 8, expiresAt: NOW - DAY })], NOW, 10, false);
    expect(buttons(list.blocks).map((b) => `${b.action_id}:${b.value}`)).toEqual([`${ACTION.alertRemove}:7`, `${ACTION.alertRemove}:8`, `${ACTION.alertRenew}:8`]);
    expect(mrkdwnTexts(list.blocks).join('\n')).toMatch(/\*8\* · H100 containers[^\n]*\*expired\*/);
    assertBlockKitLimits(list.blocks);
  });

  it('a Deploy value that is not ours decodes to nothing', () => {
    expect(decodeAlertDeploy('container:abc')).toBeUndefined();
    expect(decodeAlertDeploy('{"t":"gpu","p":"x"}')).toBeUndefined();
    expect(decodeAlertDeploy(encodeAlertDeploy({ type: 'vm', planId: 'x' }))).toEqual({ type: 'vm', planId: 'x' });
  });
});
