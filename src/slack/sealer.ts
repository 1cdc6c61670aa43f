/**
 * One sealer per running bot (services/sealed.ts), for pending approvals and kept form secrets.
 * The key comes from GPU_BOT_SEAL_KEY and is never stored; without it the key is random for the
 * process, which is said once in the log.
 */
import { sealerFromConfig, type Sealer } from '../services/sealed';
import type { BotContext } from './context';

const sealers = new WeakMap<BotContext, Sealer>();

export function sealerFor(ctx: BotContext): Sealer {
  let s = sealers.get(ctx);
  if (!s) {
    s = sealerFromConfig(ctx.config);
    if (s.source === 'ephemeral') {
      ctx.logger.warn('GPU_BOT_SEAL_KEY is not set: pending approvals are sealed under a random key and will not survive a restart');
    }
    sealers.set(ctx, s);
  }
  return s;
}
