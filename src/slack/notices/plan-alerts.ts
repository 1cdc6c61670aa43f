/** Renderers of plan-alert notices: a post where the alert was set, or the owner's DM (set in a DM). */
import type { WatchMessage } from '../../watch/notifier';
import { renderAlertExpired, renderAlertMatch } from '../views/plan-alerts';
import type { Outgoing, RendererTable } from './registry';

/** A channel the bot cannot write in any more: the owner hears it in a DM (with a note saying why). */
function to(channel: string, ownerId: string, message: WatchMessage): Outgoing {
  return /^[CG]/.test(channel) ? { op: 'post', channel, message, dmFallback: ownerId } : { op: 'dm', userId: ownerId, message };
}

export const PLAN_ALERT_RENDERERS: RendererTable<'plan-alert.match' | 'plan-alert.expired'> = {
  'plan-alert.match': (n, { sandbox }) => to(n.channel, n.ownerId, renderAlertMatch(n, sandbox)),
  'plan-alert.expired': (n, { sandbox }) => to(n.channel, n.ownerId, renderAlertExpired(n, sandbox)),
};
