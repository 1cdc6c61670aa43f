/**
 * `/gpu` and `/gpu help`, and the three buttons under the help text: Browse plans (the container
 * plans, as `/gpu plans` would show them), Deploy (the deploy modal, opened with the click's
 * trigger before anything else) and My instances (the list).
 */
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import { renderHelp } from '../views/help';
import type { ActionListener, Feature } from './feature';
import { reportFailure } from './failure';
import { listView } from './instances';
import { openDeployFromClick, plansView } from './plans';
import type { CommandHandler } from './types';

const helpCommand: CommandHandler<'help'> = async ({ ctx, respond }) => {
  await respond({ response_type: 'ephemeral', ...renderHelp({ sandbox: ctx.sandbox }) });
};

const helpPlans = (ctx: BotContext): ActionListener => async ({ ack, respond }) => {
  await ack();
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...(await plansView(ctx, 'container', {}, 1)) });
  } catch (err) {
    await reportFailure(ctx, respond, err, 'list the plans');
  }
};

const helpDeploy = (ctx: BotContext): ActionListener => async ({ ack, body, client, respond }) => {
  await ack();
  await openDeployFromClick(ctx, { body, client, respond });
};

const helpList = (ctx: BotContext): ActionListener => async ({ ack, respond }) => {
  await ack();
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, ...(await listView(ctx, false)) });
  } catch (err) {
    await reportFailure(ctx, respond, err, 'list your instances');
  }
};

export const feature: Feature = {
  name: 'help',
  commands: { help: helpCommand },
  actions: [
    { actionId: ACTION.helpPlans, listener: helpPlans },
    { actionId: ACTION.helpDeploy, listener: helpDeploy },
    { actionId: ACTION.helpList, listener: helpList },
  ],
};
