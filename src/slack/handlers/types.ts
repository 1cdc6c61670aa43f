/**
 * The contract between the `/gpu` router and the feature handlers. The router has already acked
 * and parsed; a handler does the slow work and answers through `respond` (ephemeral by default)
 * or the Web API `client`.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Command, CommandKind } from '../command';
import type { BotContext } from '../context';

export interface SlackActor {
  userId: string;
  userName?: string;
  channelId: string;
  teamId: string | null;
}

export interface CommandRequest<K extends CommandKind = CommandKind> {
  ctx: BotContext;
  command: Extract<Command, { kind: K }>;
  actor: SlackActor;
  respond: RespondFn;
  client: WebClient;
  /** Valid for 3 s from the request: open modals first, before any Fluence call. */
  triggerId: string;
}

export type CommandHandler<K extends CommandKind = CommandKind> = (req: CommandRequest<K>) => Promise<void>;

/** Every sub-command has exactly one handler: a missing one is a type error, not a runtime surprise. */
export type CommandHandlers = { [K in CommandKind]: CommandHandler<K> };
