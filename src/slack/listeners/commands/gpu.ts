/**
 * `/gpu`: ack at once (Slack allows 3 s, Fluence may take longer), parse, then hand the typed
 * command to its feature handler. A parse error is answered right in the ack, so a typo costs
 * no round trip at all.
 */
import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, SlashCommand, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand, type Command, type CommandKind } from '../../command';
import type { BotContext } from '../../context';
import type { CommandHandler, CommandHandlers, CommandRequest } from '../../handlers/types';
import { renderParseError } from '../../views/errors';
import { reportFailure } from '../../handlers/failure';
import { rememberChannel } from '../../handlers/picked-channel';
import { withBusyRetry } from '../../../store/db';
import { markOutcome, nameRequest } from '../../../metrics';
import { answerTurn } from '../../ack-first';

export function gpuCommand(ctx: BotContext, handlers: CommandHandlers) {
  return async ({ ack, command, respond, client, context }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = parseCommand(command.text ?? '');
    if (!parsed.ok) {
      markOutcome('invalid');
      await ack({ response_type: 'ephemeral', ...renderParseError(parsed) });
      return;
    }
    await ack();
    // Under a burst, acks go out first and the answers follow, one per loop turn (the ack has a
    // 3 s deadline, the answer does not): see ack-first.ts.
    await answerTurn();
    const kind: CommandKind = parsed.command.kind;
    nameRequest(kind);
    if (!(await firstDelivery(ctx, command, parsed.command, respond, context.retryNum))) return;
    // where the "Deploy a GPU" shortcut's channel picker starts next time
    await rememberChannel(ctx, command.user_id, command.channel_id);
    const req: CommandRequest = {
      ctx,
      command: parsed.command,
      actor: {
        userId: command.user_id,
        userName: command.user_name,
        channelId: command.channel_id,
        teamId: command.team_id ?? null,
      },
      respond,
      client,
      triggerId: command.trigger_id,
    };
    const handler = handlers[kind] as CommandHandler;
    try {
      await handler(req);
    } catch (err) {
      await reportFailure(ctx, respond, err, `/gpu ${kind}`);
    }
  };
}

/** Sub-commands that change something (or open a form that does): never run twice for one delivery. */
function mutates(c: Command): boolean {
  switch (c.kind) {
    case 'rename':
    case 'terminate':
    case 'update':
    case 'deploy':
    case 'watch':
      return true;
    case 'access':
      return c.action !== 'show';
    case 'budget':
      return c.usdPerHour !== undefined;
    case 'lease':
      return true;
    case 'policy':
      return c.patch !== undefined || c.remove === true;
    case 'key':
      return c.action !== 'show';
    default:
      return false;
  }
}

/**
 * One slash command invocation, whatever the number of deliveries: Slack issues one trigger_id
 * per invocation and re-sends the same body on a retry. Kept in the store (not memory) so a
 * re-delivery after a restart, or to another process on the same database, is recognised too.
 */
function deliveryKey(c: SlashCommand): string {
  const parts = [c.team_id, c.enterprise_id ?? '', c.user_id, c.channel_id, c.command, c.text ?? '', c.trigger_id];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** False (and nothing more is done) when this invocation was already handled. */
async function firstDelivery(
  ctx: BotContext,
  raw: SlashCommand,
  command: Command,
  respond: CommandRequest['respond'],
  retryNum: number | undefined,
): Promise<boolean> {
  try {
    // another connection's lock is waited out without blocking the event loop (store/db.ts)
    if (await withBusyRetry(() => ctx.store.commandDeliveries.claim(deliveryKey(raw)), { what: 'record a slash command', logger: ctx.logger, deadlineMs: 2500 })) return true;
    ctx.logger.info({ kind: command.kind, retryNum }, 'slash command delivered again: already handled, ignored');
    markOutcome('duplicate');
    return false;
  } catch (err) {
    ctx.logger.error({ err, kind: command.kind }, 'could not record the slash command delivery');
    // a read may run anyway; a change must not risk running twice
    if (!mutates(command)) return true;
    markOutcome('error');
    await respond({ response_type: 'ephemeral', text: 'I could not record this command (my database is busy), so I did nothing. Please run it again in a moment.' });
    return false;
  }
}
