/**
 * Small helpers for the guardrails end-to-end tests: read what the bot answered to a command or a
 * click (response_url posts recorded by the stand-in), and deploy through the real modal.
 */
import type { AckResult, SlackUser } from '../../src/standin';
import { ACTION, BLOCK, INPUT_ACTION, VIEW } from '../../src/slack/ids';
import type { TestBot } from '../support/bot-harness';

// Real Slack ids have no underscore, and config.ts / the `<@…>` parser insist on that.
export const ADMIN = 'UADMIN';
export const ADMIN2 = 'UADMIN2';
export const DEPLOYER = 'UDEPLOYER';
export const VIEWER = 'UVIEWER';

/** Every text in a message body (fallback text and all block texts), for assertions. */
export function textOf(body: any): string {
  const parts: string[] = [];
  const walk = (v: any) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k === 'text' || k === 'blocks' || k === 'elements' || k === 'fields' || k === 'accessory') walk(x);
  };
  walk(body?.text);
  walk(body?.blocks);
  return parts.join('\n');
}

/** The n-th (default: first) response_url post answering `ack` (a command or a message click). */
export async function reply(t: TestBot, ack: AckResult, opts: { nth?: number; match?: RegExp } = {}): Promise<any> {
  const url = ack.responseUrl;
  if (!url) throw new Error('this ack has no response_url');
  const id = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
  return t.standin.waitFor(() => {
    const all = t.standin.responses.filter((r) => r.id === id && (!opts.match || opts.match.test(textOf(r.body))));
    return all[opts.nth ?? 0]?.body;
  });
}

export async function replyText(t: TestBot, ack: AckResult, opts: { nth?: number; match?: RegExp } = {}): Promise<string> {
  return textOf(await reply(t, ack, opts));
}

export async function command(t: TestBot, user: SlackUser, text: string): Promise<string> {
  const ack = await user.command(text);
  if (ack.body && typeof ack.body === 'object' && ack.body.text) return textOf(ack.body);
  return replyText(t, ack);
}

export interface ModalDeploy {
  planId: string;
  name: string;
  env?: string;
  registryUser?: string;
  registryPassword?: string;
  image?: string;
  startup?: string;
  /** The lease select's value (`2h`, `off`); absent: the form's default. */
  lease?: string;
}

function actionIdOf(view: any, blockId: string): string {
  const block = (view.blocks ?? []).find((b: any) => b.block_id === blockId);
  return block?.element?.action_id ?? INPUT_ACTION;
}

/** Opens `/gpu deploy container` as `user` and submits the modal; returns the submission ack. */
export async function deployViaModal(t: TestBot, user: SlackUser, d: ModalDeploy): Promise<AckResult> {
  return submitDeployModal(user, await openDeployModal(t, user), d);
}

/** Opens `/gpu deploy container` as `user`; returns the filled-in form (plans loaded). */
export async function openDeployModal(t: TestBot, user: SlackUser): Promise<any> {
  const seen = new Set(t.standin.views().keys());
  const ack = await user.command('deploy container');
  return t.standin.waitFor(() =>
    [...t.standin.views().values()].find(
      (v) => !seen.has(v.id) && v.callback_id === VIEW.deploy && (v.blocks ?? []).some((b: any) => b.block_id === BLOCK.name),
    ),
  ).catch(async () => {
    throw new Error(`no deploy modal opened; the bot answered: ${JSON.stringify(ack.body)} ${await replyText(t, ack).catch(() => '')}`);
  });
}

/** Submits a deploy form opened by openDeployModal as `user`. */
export async function submitDeployModal(user: SlackUser, view: any, d: ModalDeploy): Promise<AckResult> {
  const values: Record<string, Record<string, any>> = {
    [BLOCK.plan]: { [ACTION.deployPlanSelect]: d.planId },
    [BLOCK.name]: { [actionIdOf(view, BLOCK.name)]: d.name },
    [BLOCK.image]: { [actionIdOf(view, BLOCK.image)]: d.image ?? 'docker.io/acme/private-app:1' },
    [BLOCK.ports]: { [actionIdOf(view, BLOCK.ports)]: '22/tcp' },
    [BLOCK.env]: { [actionIdOf(view, BLOCK.env)]: d.env ?? '' },
    [BLOCK.startup]: { [actionIdOf(view, BLOCK.startup)]: d.startup ?? '' },
  };
  if (d.lease !== undefined) values[BLOCK.lease] = { [actionIdOf(view, BLOCK.lease)]: d.lease };
  if (d.registryUser !== undefined) values[BLOCK.registryUser] = { [actionIdOf(view, BLOCK.registryUser)]: d.registryUser };
  if (d.registryPassword !== undefined) values[BLOCK.registryPassword] = { [actionIdOf(view, BLOCK.registryPassword)]: d.registryPassword };
  return user.submitView(view, values);
}

/** The channel message posted after `afterTs` whose text matches. */
export async function messageMatching(t: TestBot, channel: string, re: RegExp, timeoutMs = 5000): Promise<any> {
  return t.standin.waitFor(() => [...t.standin.messages(channel)].reverse().find((m) => re.test(textOf(m))), timeoutMs);
}

/** The instance id the bot deployed for `name` (from the simulator's own list). */
export async function instanceIdOf(t: TestBot, name: string): Promise<string> {
  const list = await t.bot.context.fluence.listInstances('container');
  const found = list.find((i) => i.name === name);
  if (!found) throw new Error(`no instance named ${name}`);
  return found.id;
}
