/**
 * The last line of defence for a handler: whatever was thrown, the user gets a clear ephemeral
 * message (a Fluence error rendered by its kind; anything else as an internal error with a log
 * reference) and the process keeps running.
 */
import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { isFluenceError } from '../../fluence/errors';
import type { BotContext } from '../context';
import { renderFluenceError } from '../views/errors';
import { escapeMrkdwn } from '../views/format';
import { markOutcome } from '../../metrics';

export async function reportFailure(ctx: BotContext, respond: RespondFn | undefined, err: unknown, action: string): Promise<void> {
  let message: { text: string; blocks?: unknown[] };
  // a Fluence failure is marked where it happened (the client's observer); this is the bot's own
  if (!isFluenceError(err)) markOutcome('error');
  if (isFluenceError(err)) {
    ctx.logger.warn({ kind: err.kind, status: err.details.status, action }, 'Fluence call failed');
    message = renderFluenceError(err, { action });
  } else {
    const ref = randomUUID().slice(0, 8);
    ctx.logger.error({ err, action, ref }, 'handler failed');
    message = { text: `:x: Something went wrong while running ${escapeMrkdwn(action)} (reference ${ref}). Nothing was changed by this error; please try again, and tell your gpu-bot admin the reference if it keeps happening.` };
  }
  if (!respond) return;
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...(message as { text: string }) });
  } catch (e) {
    ctx.logger.warn({ err: e, action }, 'could not tell the user about a failure');
  }
}
