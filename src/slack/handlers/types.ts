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

/**
 * The command for sub-command(s) K. Several kinds share one union member (`status | terminate |
 * update | watch`), which `Extract<Command, { kind: K }>` would turn into `never`; this narrows
 * each member's `kind` instead.
 */
export type CommandOf<K extends CommandKind> = Command extends infer C
  ? C extends { kind: infer CK }
    ? [Extract<CK, K>] extends [never]
      ? never
      : Omit<C, 'kind'> & { kind: Extract<CK, K> }
    : never
  : never;

export interface CommandRequest<K extends CommandKind = CommandKind> {
  ctx: BotContext;
  command: CommandOf<K>;
  actor: SlackActor;
  respond: RespondFn;
  client: WebClient;
  /** Valid for 3 s from the request: open modals first, before any Fluence call. */
  triggerId: string;
}

export type CommandHandler<K extends CommandKind = CommandKind> = (req: CommandRequest<K>) => Promise<void>;

/** Every sub-command has exactly one handler: a missing one is a type error, not a runtime surprise. */
export type CommandHandlers = { [K in CommandKind]: CommandHandler<K> };
