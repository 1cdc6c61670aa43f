/** Every renderer, one per notice kind (registry.ts explains how to add one). */
import type { NoticeKind } from '../../background/notices';
import type { RendererTable } from './registry';
import { LEASE_RENDERERS } from './leases';
import { APPROVAL_RENDERERS } from './approvals';
import { WATCH_RENDERERS } from './watch';
import { MONEY_RENDERERS } from './money';
import { PLAN_ALERT_RENDERERS } from './plan-alerts';

export const RENDERERS: RendererTable<NoticeKind> = {
  ...WATCH_RENDERERS,
  ...LEASE_RENDERERS,
  ...MONEY_RENDERERS,
  ...APPROVAL_RENDERERS,
  ...PLAN_ALERT_RENDERERS,
};

export { slackNoticeSender } from './sender';
export type { Outgoing, RenderContext, Renderer, RendererTable } from './registry';
