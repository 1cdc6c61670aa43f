/** Renderers of the money notices: the daily digest and the runway alert, both top-level posts. */
import '../../services/money-notices';
import { renderDigest } from '../views/digest';
import { renderRunwayAlert } from '../views/runway';
import type { RendererTable } from './registry';

export const MONEY_RENDERERS: RendererTable<'digest.daily' | 'runway.alert'> = {
  'digest.daily': (n, ctx) => ({ op: 'post', channel: n.channel, message: renderDigest(n, ctx.sandbox) }),
  'runway.alert': (n, ctx) => ({ op: 'post', channel: n.channel, message: renderRunwayAlert(n, ctx.sandbox) }),
};
