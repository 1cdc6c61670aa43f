/**
 * `/gpu`: ack at once (Slack allows 3 s, Fluence may take longer), parse, then hand the typed
 * command to its feature handler. A parse error is answered right in the ack, so a typo costs
 * no round trip at all.
 */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommand, type CommandKind } from '../../command';
import type { BotContext } from '../../context';
import type { CommandHandler, CommandHandlers, CommandRequest } from '../../handlers/types';
import { renderParseError } from '../../views/errors';
import { reportFailure } from '../../handlers/failure';

export function gpuCommand(ctx: BotContext, handlers: CommandHandlers) {
  return async ({ ack, command, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const parsed = parseCommand(command.text ?? '');
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...renderParseError(parsed) });
      return;
    }
    await ack();
    // Let Node write this ack and accept the other requests already waiting before doing the slow
    // part: under a burst, acks go out first and the answers follow (the ack has a 3 s deadline,
    // the answer does not).
    await new Promise<void>((resolve) => setImmediate(resolve));
    const kind: CommandKind = parsed.command.kind;
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
