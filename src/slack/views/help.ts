/** `/gpu help`: what the bot does, one example per sub-command, and buttons for the first steps. */
import { ACTION } from '../ids';
import { USAGE_TEXT } from '../command';
import { SANDBOX_NOTE, escapeMrkdwn } from './format';
import { actions, button, context, header, message, section, type MessageView } from './blocks';

const EXAMPLES = [
  '`/gpu plans h100` — cheapest H100 containers first; `/gpu plans vms 8x max=$25` for VMs',
  '`/gpu deploy` — pick a plan and an image in a form; I post when it is ready',
  '`/gpu list` — your instances; `/gpu status fuchsia-hawk-4706` — one of them, with its SSH command',
  '`/gpu logs b54672e2 200` · `/gpu events b54672e2` — what a container printed / went through',
  '`/gpu terminate b54672e2` — stop paying for it (unused reserve is refunded)',
  '`/gpu alert add h100 max=2` — a message here when an H100 at $2/h or less appears, with a Deploy button',
  '`/gpu balance` · `/gpu budget #ml-team 25` · `/gpu access grant @alice deployer` · `/gpu audit`',
];

export function renderHelp(opts: { sandbox: boolean }): MessageView {
  return message('gpu-bot: rent GPUs on Fluence from Slack. Try /gpu plans, /gpu deploy, /gpu list.', [
    header('GPU cloud from Slack'),
    section(
      'I browse Fluence GPU plans, deploy containers, VMs and bare-metal machines, watch them until they are ' +
        'ready and terminate them when you are done.',
    ),
    section(`*Examples*\n${EXAMPLES.map((e) => `• ${e}`).join('\n')}`),
    section(`*Every command*\n${escapeMrkdwn(USAGE_TEXT)}`),
    ...actions([
      button({ text: 'Browse plans', actionId: ACTION.helpPlans, value: 'plans', style: 'primary' }),
      button({ text: 'Deploy', actionId: ACTION.helpDeploy, value: 'deploy' }),
      button({ text: 'My instances', actionId: ACTION.helpList, value: 'list' }),
    ]),
    ...(opts.sandbox ? [context(SANDBOX_NOTE)] : []),
  ]);
}
