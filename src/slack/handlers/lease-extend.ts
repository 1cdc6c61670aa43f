/**
 * The Extend 2 h / Extend 8 h buttons of a lease reminder (issue 11 §2). Authorised at the moment of
 * the click (the instance's owner or an admin, like `/gpu lease`); past the channel's max-lease
 * only an admin. The new end counts from the end the reminder was about (or from now, if that has
 * passed), so a double click extends once, and it only ever moves the end later (a conditional
 * UPDATE: a longer extension that won a race is never shortened). The reminder is replaced by who
 * extended it and the new end; refusals go to the clicker alone. Terminate now is the card's
 * Terminate button (terminate.ts), behind the same confirmation.
 */
import { decodeRef } from '../views/format';
import { renderRefusal } from '../views/guardrails';
import { EXTEND_BY_MS, decodeLeaseRef, renderExtended } from '../views/lease-reminders';
import { codeSpan, slackDate } from '../views/format';
import { ACTION } from '../ids';
import type { BotContext } from '../context';
import type { ActionListener, Feature } from './feature';
import { actorOfAction } from './instance-target';
import { isFluenceError } from '../../fluence/errors';
import { formatDuration } from '../../duration';

const onExtendClick = (ctx: BotContext): ActionListener => async ({ ack, body, action, respond }) => {
  await ack();
  const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
  const byMs = action.type === 'button' ? EXTEND_BY_MS[action.action_id] : undefined;
  const lr = action.type === 'button' ? decodeLeaseRef(action.value ?? '') : undefined;
  const ref = lr ? decodeRef(lr.ref) : undefined;
  if (!byMs || !lr || !ref) {
    await say('This button is out of date. Use `/gpu lease <instance> 8h` instead.');
    return;
  }
  const actor = actorOfAction(body);
  const now = ctx.now();
  const lease = await ctx.store.leases.get(ref.id);
  const audit = (outcome: 'ok' | 'refused', detail: string, name: string | null = null) =>
    ctx.guard.audit({ actorId: actor.userId, channelId: actor.channelId, action: 'lease', instanceId: ref.id, instanceName: name, type: ref.type, outcome, detail });
  const auth = await ctx.guard.authorize(actor, 'lease', ctx.guard.owns(actor.userId, ref.id));
  if (!auth.allowed) {
    await audit('refused', `extend ${formatDuration(byMs)}: ${auth.reason ?? 'not allowed'}`);
    await respond({ response_type: 'ephemeral', replace_original: false, ...renderRefusal(auth) });
    return;
  }
  if (!lease || lease.endsAt === null) {
    await say(lease ? 'This instance now runs until someone terminates it: there is no end to extend.' : 'This instance has no lease any more: set one with `/gpu lease <instance> 8h`.');
    return;
  }
  const endsAt = Math.max(lr.endsAt, now) + byMs;
  if (lease.endsAt >= endsAt) {
    await say(`The lease already ends ${slackDate(lease.endsAt)}, no earlier than this extension would make it: nothing changed.`);
    return;
  }
  let instance;
  try {
    instance = await ctx.fluence.getInstance(ref.type, ref.id);
  } catch (err) {
    await say(isFluenceError(err) && err.kind === 'not_found' ? 'This instance no longer exists: nothing to extend.' : 'Fluence did not answer; nothing changed. Try again in a moment.');
    return;
  }
  if (instance.state === 'ended' || instance.state === 'failed') {
    await say(`${codeSpan(instance.name, 80)} has ${instance.state === 'ended' ? 'ended' : 'failed'}: nothing runs, so there is nothing to extend.`);
    return;
  }
  const check = await ctx.leases.check(lease.channelId ?? actor.channelId, endsAt - now, Date.parse(instance.createdAt));
  if (!check.ok && auth.role !== 'admin') {
    await audit('refused', `extend ${formatDuration(byMs)}: ${check.reason}`, instance.name);
    await respond({ response_type: 'ephemeral', replace_original: false, ...renderRefusal({ reason: check.reason, needs: 'admin', admins: auth.admins }) });
    return;
  }
  const change = await ctx.store.leases.extendTo(ref.id, endsAt, actor.userId);
  if (!change.changed) {
    const current = await ctx.store.leases.get(ref.id);
    await say(current?.endsAt ? `The lease already ends ${slackDate(current.endsAt)}: nothing changed.` : 'The lease changed meanwhile: nothing changed.');
    return;
  }
  const past = check.ok ? '' : ' (past max-lease, by an admin)';
  await audit('ok', `extend ${formatDuration(byMs)} from the reminder: ${new Date(lease.endsAt).toISOString()} → ${new Date(endsAt).toISOString()}${past}`, instance.name);
  await respond({ replace_original: true, ...renderExtended({ name: instance.name, userId: actor.userId, endsAt, now, byAdminPastMax: !check.ok }) });
};

export const feature: Feature = {
  name: 'lease-extend',
  actions: [
    { actionId: ACTION.leaseExtend2h, listener: onExtendClick },
    { actionId: ACTION.leaseExtend8h, listener: onExtendClick },
  ],
};
