/**
 * A feature module (handlers/<feature>.ts) declares what it answers: sub-commands of `/gpu`,
 * button/select action ids, and modal callback ids. The listeners/ index files bind them to Bolt,
 * so every id is bound in exactly one place and a feature never touches another's files.
 */
import type { AllMiddlewareArgs, SlackActionMiddlewareArgs, SlackShortcutMiddlewareArgs, SlackViewMiddlewareArgs, BlockAction, GlobalShortcut, ViewSubmitAction } from '@slack/bolt';
import type { CommandKind } from '../command';
import type { BotContext } from '../context';
import type { CommandHandler } from './types';

export type ActionListener = (args: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => Promise<void>;
export type ShortcutListener = (args: SlackShortcutMiddlewareArgs<GlobalShortcut> & AllMiddlewareArgs) => Promise<void>;
export type ViewListener = (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => Promise<void>;

export interface Feature {
  name: string;
  commands?: { [K in CommandKind]?: CommandHandler<K> };
  /** action_id -> listener factory */
  actions?: Array<{ actionId: string; listener: (ctx: BotContext) => ActionListener }>;
  /** modal callback_id -> submission listener factory */
  views?: Array<{ callbackId: string; listener: (ctx: BotContext) => ViewListener }>;
  /** global shortcut callback_id (manifest.yml) -> listener factory */
  shortcuts?: Array<{ callbackId: string; listener: (ctx: BotContext) => ShortcutListener }>;
}
