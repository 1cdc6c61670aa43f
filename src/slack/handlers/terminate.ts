/**
 * Terminating an instance, the one irreversible action:
 *  - `/gpu terminate <x>` shows the instance card; its Terminate button sits behind a Block Kit
 *    confirm dialog (the card view builds it). Nothing is deleted by the command itself.
 *  - The Terminate click (from a card or from the watcher's "taking long" reply) is authorised at
 *    the moment of the click, re-reads the instance (only ACTIVE ones are sent a DELETE), deletes,
 *    re-reads again and replaces the card with the ENDED one. Every outcome is audited.
 * A double click never sends two DELETEs: a second click while the first is running is told so,
 * and a later one finds the instance ENDED.
 */
import type { RespondFn } from '@slack/bolt';
import type { InstanceDetail } from '../../fluence/model';
import { WORKLOADS } from '../../fluence/workload';
import { markOutcome } from '../../metrics';
import type { BotContext } from '../context';
import { ACTION } from '../ids';
import { renderInstanceCard } from '../views/card';
import { codeSpan, decodeRef } from '../views/format';
import { notTerminableText, refusalNote, refusalText, withTerminatedNote } from '../views/instance-changes';
import type { ActionListener, Feature } from './feature';
import { reportFailure } from './failure';
import { authorizePrivate } from './instances';
import { actorOfAction, auditChange, authorizeChange, errorDetail, lookUp, onPublicMessage } from './instance-target';
import type { CommandHandler } from './types';

const terminateCommand: CommandHandler<'terminate'> = async ({ ctx, command, actor, respond }) => {
  const found = await lookUp(ctx, command.instance);
  if (!found.ok) {
    await respond({ response_type: 'ephemeral', ...found.view });
    return;
  }
  const { type, id } = found.instance;
  const instance = await ctx.fluence.getInstance(type, id);
  // The click is authorised again; this only spares a button its clicker may not use.
  const auth = await authorizeChange(ctx, actor, 'terminate', id);
  const card = renderInstanceCard({
    instance,
    now: new Date(ctx.now()),
    sandbox: ctx.sandbox,
    canTerminateReason: auth.allowed ? null : refusalNote(auth),
    showPrivate: (await authorizePrivate(ctx, actor, id)).allowed,
  });
  await respond({ response_type: 'ephemeral', ...card });
};

/**
 * How long a terminate click holds its claim: the re-read, the DELETE and the re-read again, each
 * within the Fluence timeout. A replica killed mid-click frees the instance after this.
 */
const TERMINATE_CLAIM_MS = 5 * 60_000;

/**
 * `keepMessage`: the clicked message lists other instances too (the digest): the outcome comes as an
 * ephemeral answer to the clicker instead of replacing it.
 */
const onTerminateClick = (ctx: BotContext, keepMessage = false): ActionListener => async ({ ack, body, action, respond }) => {
  await ack();
  const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
  const ref = action.type === 'button' ? decodeRef(action.value ?? '') : undefined;
  if (!ref) {
    await say('This button is out of date. Run `/gpu terminate <instance>` to get a fresh card.');
    return;
  }
  const actor = actorOfAction(body);
  const auth = await authorizeChange(ctx, actor, 'terminate', ref.id);
  if (!auth.allowed) {
    await auditChange(ctx, actor, { action: 'terminate', outcome: 'refused', instanceId: ref.id, type: ref.type, detail: auth.reason ?? null });
    await say(refusalText(auth));
    return;
  }
  // In the store, not in memory: the second click may reach another replica.
  let claim;
  try {
    claim = await ctx.store.workClaims.claim(`terminate:${ref.id}`, TERMINATE_CLAIM_MS);
  } catch (err) {
    await reportFailure(ctx, respond, err, 'terminate the instance');
    return;
  }
  if (!claim) {
    markOutcome('duplicate');
    await say('This instance is already being terminated; the card updates when Fluence confirms.');
    return;
  }
  try {
    await terminate(ctx, { ref, actor, respond, publicMessage: onPublicMessage(body) && !keepMessage, keepMessage });
  } finally {
    await ctx.store.workClaims.release(claim).catch((err: unknown) => ctx.logger.warn({ err }, 'could not release a terminate claim (it expires by itself)'));
  }
};

async function terminate(
  ctx: BotContext,
  o: { ref: { type: InstanceDetail['type']; id: string }; actor: ReturnType<typeof actorOfAction>; respond: RespondFn; publicMessage: boolean; keepMessage?: boolean },
): Promise<void> {
  const { ref, actor } = o;
  const respond: RespondFn = o.keepMessage ? (m) => o.respond({ ...(typeof m === 'string' ? { text: m } : m), response_type: 'ephemeral', replace_original: false }) : o.respond;
  const label = WORKLOADS[ref.type].label;
  let before: InstanceDetail;
  try {
    before = await ctx.fluence.getInstance(ref.type, ref.id);
  } catch (err) {
    await reportFailure(ctx, respond, err, `look up the ${label} to terminate`);
    return;
  }
  if (before.state !== 'active') {
    // Only ACTIVE instances can be terminated: explain instead of collecting an API error.
    await respond({ response_type: 'ephemeral', replace_original: false, text: notTerminableText(before) });
    return;
  }
  const price = before.billing?.hourly_usage ?? null;
  const audit = { action: 'terminate' as const, instanceId: before.id, instanceName: before.name, type: before.type, pricePerHour: price };
  try {
    await ctx.fluence.terminateInstance(ref.type, ref.id);
  } catch (err) {
    await auditChange(ctx, actor, { ...audit, outcome: 'error', detail: errorDetail(err) });
    await reportFailure(ctx, respond, err, `terminate ${before.name}`);
    return;
  }
  await auditChange(ctx, actor, { ...audit, outcome: 'ok' });
  let after: InstanceDetail | undefined;
  try {
    after = await ctx.fluence.getInstance(ref.type, ref.id);
  } catch (err) {
    ctx.logger.warn({ err, instanceId: ref.id }, 'could not re-read a terminated instance');
  }
  if (!after) {
    await respond({
      replace_original: true,
      text: `✅ Terminated ${codeSpan(before.name, 100)}. Unused reserved balance is refunded to the account.`,
    });
    return;
  }
  const card = renderInstanceCard({
    instance: after,
    now: new Date(ctx.now()),
    sandbox: ctx.sandbox,
    // the card replaces the clicked message: from a channel reply, everyone reads it
    showPrivate: !o.publicMessage && (await authorizePrivate(ctx, actor, ref.id)).allowed,
    // Fluence may show it ACTIVE a moment longer: no second Terminate button meanwhile.
    ...(after.state === 'active' ? { canTerminateReason: 'Termination requested; Fluence is ending this instance.' } : {}),
  });
  await respond({ replace_original: true, ...withTerminatedNote(card, actor.userId) });
}

export const feature: Feature = {
  name: 'terminate',
  commands: { terminate: terminateCommand },
  actions: [
    { actionId: ACTION.terminate, listener: (ctx) => onTerminateClick(ctx) },
    { actionId: ACTION.terminateInPlace, listener: (ctx) => onTerminateClick(ctx, true) },
  ],
};
