import type { App } from '@slack/bolt';
import type { BotContext } from '../../context';
import { commandHandlers } from '../../handlers';
import { COMMAND } from '../../ids';
import { gpuCommand } from './gpu';

/** The one slash command; its sub-commands are routed by gpu.ts. */
export function register(app: App, ctx: BotContext): void {
  app.command(COMMAND, gpuCommand(ctx, commandHandlers));
}
