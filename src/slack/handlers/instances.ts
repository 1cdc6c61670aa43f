/**
 * Read-only instance features: `/gpu list [all]`, `/gpu status`, `/gpu logs`, `/gpu events`, and
 * the card buttons Open, Refresh, Logs and Events. Reads need no role (access.ts: 'read' is open to
 * viewers), except logs, events and the startup command ('read-private': the instance's owner and
 * admins), which routinely hold secrets. Everything answers ephemerally, since an instance list is
 * one person's business until they choose to share it.
 */
import type { BlockAction, RespondFn } from '@slack/bolt';
import type { InstanceSummary } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import type { Authorization } from '../../services/guard';
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import { renderInstanceCard } from '../views/card';
import { renderFluenceError } from '../views/errors';
import { codeSpan, decodeRef, shortId } from '../views/format';
import { renderResolveFailure, withListWarning } from '../views/instance-lookup';
import { refusalText } from '../views/instance-changes';
import { renderInstanceList } from '../views/instances';
import { renderLines } from '../views/lines';
import type { MessageView } from '../views/blocks';
import type { ActionListener, Feature } from './feature';
import { reportFailure } from './failure';
import { onPublicMessage } from './instance-target';
import type { CommandHandler, CommandRequest, SlackActor } from './types';

/** Lines fetched by the Logs / Events buttons (the commands take `n`). */
export const DEFAULT_LINES = 50;

/**
 * The request of a sub-command whose Command variant is shared with others (`status | terminate |
 * update | watch`, `logs | events`): types.ts's `Extract<Command, { kind: K }>` is `never` for
 * those, so such handlers declare the command shape they read. Still assignable to CommandHandler<K>.
 */
export type RequestWith<C> = Omit<CommandRequest, 'command'> & { command: C };

// ---- shared with the other instance features (watch, terminate, change) ----------------------

/** The clicker of a button, in the shape the command handlers get. */
export function actionActor(body: BlockAction): SlackActor {
  return {
    userId: body.user.id,
    ...(body.user.username ?? body.user.name ? { userName: body.user.username ?? body.user.name } : {}),
    channelId: body.channel?.id ?? body.container?.channel_id ?? '',
    teamId: body.user.team_id ?? body.team?.id ?? null,
  };
}

/** The value of the clicked button, decoded as `${type}:${id}`; undefined for anything else. */
export function clickedRef(body: BlockAction): { type: WorkloadType; id: string } | undefined {
  const action = body.actions[0];
  return action?.type === 'button' && typeof action.value === 'string' ? decodeRef(action.value) : undefined;
}

/**
 * What the user typed -> one instance, or an ephemeral answer saying why not (too short, not
 * found, ambiguous with the candidates, lists unreadable) and undefined.
 */
export async function resolveOrExplain(ctx: BotContext, arg: string, respond: RespondFn): Promise<InstanceSummary | undefined> {
  const result = await ctx.instances.resolve(arg);
  if (result.ok) return result.instance;
  await respond({ response_type: 'ephemeral', ...renderResolveFailure(result, new Date(ctx.now())) });
  return undefined;
}

/** The plan price the bot recorded when it deployed this instance (the card shows it before billing starts). */
export async function knownPrice(ctx: BotContext, instanceId: string): Promise<number | null> {
  return (await ctx.store.deployRequests.findByInstance(instanceId))?.pricePerHour ?? null;
}

/** May `actor` see this instance's logs, events and startup command (its owner, or an admin)? */
export function authorizePrivate(ctx: BotContext, actor: SlackActor, instanceId: string): Promise<Authorization> {
  return ctx.guard.authorize(actor, 'read-private', ctx.guard.owns(actor.userId, instanceId));
}

/** Fetches the detail and renders the card for `actor`. Fluence errors propagate to the caller's reportFailure. */
export async function instanceCard(ctx: BotContext, type: WorkloadType, id: string, actor: SlackActor, inPublic = false): Promise<MessageView> {
  const instance = await ctx.fluence.getInstance(type, id);
  return renderInstanceCard({
    instance,
    now: new Date(ctx.now()),
    sandbox: ctx.sandbox,
    pricePerHour: await knownPrice(ctx, id),
    showPrivate: !inPublic && (await authorizePrivate(ctx, actor, id)).allowed,
    lease: (await ctx.store.leases.get(id)) ?? null,
  });
}

function noLogsText(kind: 'logs' | 'events', type: WorkloadType, name?: string): string {
  const what = kind === 'logs' ? 'Logs' : 'Events';
  const subject = name ? `${codeSpan(name, 100)} is a ${WORKLOADS[type].label}` : `this is a ${WORKLOADS[type].label}`;
  return `${what} are only available for containers; ${subject}. Connect over SSH to read its system logs (\`/gpu status\` shows the command).`;
}

function fetchLines(ctx: BotContext, kind: 'logs' | 'events', id: string, n: number): Promise<string[]> {
  return kind === 'logs' ? ctx.fluence.getLogs(id, n) : ctx.fluence.getEvents(id, n);
}

function linesView(kind: 'logs' | 'events', name: string, lines: string[], n: number): MessageView {
  const title = kind === 'logs' ? `Logs: ${name}` : `Events: ${name}`;
  return renderLines({ title, instanceName: name, kind, lines, requested: n });
}

// ---- commands --------------------------------------------------------------------------------

export async function listView(ctx: BotContext, all: boolean): Promise<MessageView> {
  const listing = await ctx.instances.listAll();
  if (listing.instances.length === 0 && listing.failed.length === 3) {
    // nothing could be read at all: the error is the whole answer
    return renderFluenceError(listing.failed[0]!.error, { action: 'list your instances' });
  }
  const shown = all ? listing.instances : listing.instances.filter((i) => i.state !== 'ended');
  const leases = await ctx.store.leases.getMany(shown.map((i) => i.id));
  const view = renderInstanceList({ instances: shown, all, hiddenEnded: listing.instances.length - shown.length, now: new Date(ctx.now()), leases });
  return withListWarning(view, listing.failed);
}

const listCommand: CommandHandler<'list'> = async ({ ctx, command, respond }) => {
  await respond({ response_type: 'ephemeral', ...(await listView(ctx, command.all)) });
};

const statusCommand = async ({ ctx, command, actor, respond }: RequestWith<{ instance: string }>): Promise<void> => {
  const found = await resolveOrExplain(ctx, command.instance, respond);
  if (!found) return;
  await respond({ response_type: 'ephemeral', ...(await instanceCard(ctx, found.type, found.id, actor)) });
};

function linesCommand(kind: 'logs' | 'events') {
  return async ({ ctx, command, actor, respond }: RequestWith<{ instance: string; lines: number }>): Promise<void> => {
    const found = await resolveOrExplain(ctx, command.instance, respond);
    if (!found) return;
    const auth = await authorizePrivate(ctx, actor, found.id);
    if (!auth.allowed) {
      await respond({ response_type: 'ephemeral', text: refusalText(auth) });
      return;
    }
    if (!WORKLOADS[found.type].hasLogs) {
      await respond({ response_type: 'ephemeral', text: noLogsText(kind, found.type, found.name) });
      return;
    }
    const lines = await fetchLines(ctx, kind, found.id, command.lines);
    await respond({ response_type: 'ephemeral', ...linesView(kind, found.name, lines, command.lines) });
  };
}

// ---- buttons ---------------------------------------------------------------------------------

/** Open (from a list) posts the card as a new message; Refresh replaces the card it is on. */
const cardButton =
  (replace: boolean): ((ctx: BotContext) => ActionListener) =>
  (ctx) =>
  async ({ ack, body, respond }) => {
    await ack();
    const ref = clickedRef(body);
    if (!ref) return;
    try {
      // Refresh replaces the message it is on: on a message the channel reads, no private parts
      const card = await instanceCard(ctx, ref.type, ref.id, actionActor(body), replace && onPublicMessage(body));
      await respond({ response_type: 'ephemeral', replace_original: replace, ...card });
    } catch (err) {
      await reportFailure(ctx, respond, err, replace ? 'refresh the instance' : 'open the instance');
    }
  };

const linesButton =
  (kind: 'logs' | 'events') =>
  (ctx: BotContext): ActionListener =>
  async ({ ack, body, respond }) => {
    await ack();
    const ref = clickedRef(body);
    if (!ref) return;
    // checked now: the card may be someone else's, or the button forged
    const auth = await authorizePrivate(ctx, actionActor(body), ref.id);
    if (!auth.allowed) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: refusalText(auth) });
      return;
    }
    if (!WORKLOADS[ref.type].hasLogs) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: noLogsText(kind, ref.type) });
      return;
    }
    try {
      // the button carries only the id: the name for the title comes with the detail, fetched alongside
      const [detail, lines] = await Promise.all([
        ctx.fluence.getInstance(ref.type, ref.id).catch(() => null),
        fetchLines(ctx, kind, ref.id, DEFAULT_LINES),
      ]);
      const view = linesView(kind, detail?.name ?? shortId(ref.id), lines, DEFAULT_LINES);
      await respond({ response_type: 'ephemeral', replace_original: false, ...view });
    } catch (err) {
      await reportFailure(ctx, respond, err, kind === 'logs' ? 'read the logs' : 'read the events');
    }
  };

export const feature: Feature = {
  name: 'instances',
  commands: {
    list: listCommand,
    status: statusCommand,
    logs: linesCommand('logs'),
    events: linesCommand('events'),
  },
  actions: [
    { actionId: ACTION.openInstance, listener: cardButton(false) },
    { actionId: ACTION.refresh, listener: cardButton(true) },
    { actionId: ACTION.logs, listener: linesButton('logs') },
    { actionId: ACTION.events, listener: linesButton('events') },
  ],
};
