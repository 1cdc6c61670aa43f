/**
 * Submitting the deploy form, where Slack turns into spent money: only a request id this bot
 * issued for this user and view; local validation -> errors under the field; the plan's price read
 * fresh; then DeployService (authorise, budget + claim in one transaction, POST once). Fluence's
 * answer lands in the modal when it comes within ACK_BUDGET_MS, else the modal says "Deploying…"
 * and is updated when it comes; announceDeploy makes the channel message the instance's thread.
 */
import type { WebClient } from '@slack/web-api';
import { isFluenceError, type FluenceError } from '../../fluence/errors';
import type { PlanOffer } from '../../fluence/model';
import { cents, formatUsd } from '../../services/cost';
import type { DeployInput, DeployOutcome } from '../../services/deploy';
import { parseLeaseChoice } from '../../services/leases';
import {
  apiIssuesToFieldErrors,
  deployFormBlocks,
  readDeployForm,
  selectedOf,
  type FieldErrors,
  type FormState,
} from '../../services/deploy-form';
import type { BotContext } from '../context';
import { BLOCK } from '../ids';
import { offerLabel, parseDeployMeta, planLabel, renderDeployError, renderDeployModal, renderDeployResult, renderDeploySubmitted, type DeployModalData } from '../views/deploy-modal';
import { renderFluenceError } from '../views/errors';
import { announceDeploy } from './announce';
import { checkingText } from './deploy-settle';
import { forgetKept, keptSecrets, valuesForRerender } from './deploy-drafts';
import type { ViewListener } from './feature';
import { reportFailure } from './failure';
import type { SlackActor } from './types';
import { approvalChannel, requestApproval } from './guardrails';
import { clickerTeam } from './instance-target';
import { ACK_BUDGET_MS, PICKED_CHANNEL, SUBMIT_PLANS_MAX_AGE_MS, asFluence, loadModalData, refusalText, updateView } from './deploy-form-view';
import { checkPickedChannel, pickedChannel } from './picked-channel';
import { formKeySources, rememberKey } from './ssh-keys';


// ---- 3. submission ----------------------------------------------------------------------

/** Before the POST, the plan's price is read fresh: a submit never deploys above what the form showed. */
type PriceCheck =
  | { kind: 'price_up'; shown: number; now: number }
  | { kind: 'plan_gone' }
  | { kind: 'price_unknown'; error: FluenceError };
type SubmitOutcome = DeployOutcome | PriceCheck;

export const onSubmit = (ctx: BotContext): ViewListener => async ({ ack, body, view, client }) => {
  // one budget for everything before the ack: reading plans, validating, and waiting for Fluence
  const deadline = Date.now() + ACK_BUDGET_MS;
  const meta = parseDeployMeta(view.private_metadata ?? '');
  if (!meta) {
    await ack({ response_action: 'errors', errors: { [BLOCK.name]: 'This form is out of date. Close it and run /gpu deploy again.' } });
    return;
  }
  // Only a request id this bot issued, to this user, for this view: a signed submission with a
  // made-up id (or someone else's) deploys nothing.
  const issued = await ctx.store.deployModals.get(meta.requestId);
  if (!issued || issued.userId !== body.user.id || (issued.viewId !== null && issued.viewId !== view.id)) {
    ctx.logger.warn({ user: body.user.id, known: Boolean(issued) }, 'deploy submission with a request id not issued to this user: refused');
    await ack({ response_action: 'errors', errors: { [BLOCK.name]: 'I did not open this form for you, or it is too old. Nothing was deployed: run /gpu deploy for a new one.' } });
    return;
  }
  const state = (view.state?.values ?? {}) as FormState;
  // a form from the shortcut was issued with no channel: its channel is the one picked in it
  const channelId = issued.channelId === PICKED_CHANNEL ? pickedChannel(state) : issued.channelId;
  if (!channelId) {
    await ack({ response_action: 'errors', errors: { [BLOCK.channel]: 'Pick the channel where the deploy is announced.' } });
    return;
  }
  const actor: SlackActor = { userId: body.user.id, channelId, teamId: clickerTeam(body) };
  let offers: PlanOffer[];
  try {
    offers = await ctx.plans.offers(meta.type, SUBMIT_PLANS_MAX_AGE_MS);
  } catch (err) {
    await ack({ response_action: 'errors', errors: { [BLOCK.plan]: renderFluenceError(asFluence(err), { action: 'loading plans' }).text.slice(0, 500) } });
    return;
  }
  const keys = await formKeySources(ctx, actor.userId, state);
  const form = readDeployForm(meta.type, state, offers, await keptSecrets(ctx, meta.requestId), keys);
  if (!form.ok) {
    await ack({ response_action: 'errors', errors: form.errors });
    return;
  }
  if (issued.channelId === PICKED_CHANNEL) {
    const refused = await checkPickedChannel(ctx, client, actor, form.request.name);
    if (refused) {
      await ack({ response_action: 'errors', errors: { [BLOCK.channel]: refused } });
      return;
    }
  }
  if (form.rememberKey) await rememberKey(ctx, actor.userId, form.rememberKey);
  const leaseError = await recordLeaseChoice(ctx, actor, meta.requestId, selectedOf(state, BLOCK.lease));
  if (leaseError) {
    await ack({ response_action: 'errors', errors: { [BLOCK.lease]: leaseError } });
    return;
  }
  ctx.redactor.add(...form.secrets);
  const shownPrice = issued.shownPrices[form.offer.planId] ?? form.offer.pricePerHour;
  const input: DeployInput = {
    requestKey: meta.requestId,
    actor,
    type: meta.type,
    offer: form.offer,
    request: form.request,
    secrets: form.secrets,
    planLabel: planLabel(form.offer),
  };
  const work = ctx.inflight.track(priceThenDeploy(ctx, input, shownPrice));
  const early = await Promise.race([work, delay(Math.max(0, deadline - Date.now())).then(() => null)]);
  const modalData = async () => loadModalData(ctx, { ...meta, channelId }, await valuesForRerender(ctx, meta.requestId, state), actor.userId);

  if (early) {
    const answer = await answerInModal(ctx, early, input, modalData);
    await ack(answer);
    await afterOutcome(ctx, client, early, input);
    return;
  }
  // Fluence is slow: close the 3-second window with a progress view, finish with views.update.
  await ack({ response_action: 'update', view: renderDeploySubmitted({ name: input.request.name, type: input.type, offer: input.offer, sandbox: ctx.sandbox }) });
  const outcome = await work;
  const answer = await answerInModal(ctx, outcome, input, modalData, true);
  if ('view' in answer && answer.view) await updateView(ctx, client, view.id, undefined, answer.view);
  await afterOutcome(ctx, client, outcome, input);
};

/**
 * Keeps the lease picked in the form until the instance exists (announce.ts starts it then, also
 * after an approval or a late adoption). A value the channel's policy does not allow (changed
 * since the form opened, or forged) is refused unless an admin submits it. Returns the error.
 */
async function recordLeaseChoice(ctx: BotContext, actor: SlackActor, requestKey: string, value: string | undefined): Promise<string | undefined> {
  const choice = parseLeaseChoice(value);
  if (!choice) return undefined; // a form without the field: the channel's default applies
  if (!choice.ok) return choice.error;
  const check = await ctx.leases.check(actor.channelId, choice.ms, ctx.now());
  if (!check.ok && (await ctx.guard.roleOf(actor)) !== 'admin') return check.reason.replace(/<#([A-Z0-9]+)>/g, 'this channel').slice(0, 500);
  try {
    await ctx.store.leases.chooseForRequest(requestKey, choice.ms);
    return undefined;
  } catch (err) {
    ctx.logger.warn({ err }, 'could not record the lease picked in the deploy form');
    return "I could not record this lease (the bot's database is busy). Nothing was deployed: submit again.";
  }
}

/** Re-reads the plan (fresh) and deploys at its current price only if that is not above the price shown. */
async function priceThenDeploy(ctx: BotContext, input: DeployInput, shownPrice: number): Promise<SubmitOutcome> {
  let fresh: PlanOffer | undefined;
  try {
    fresh = (await ctx.plans.offers(input.type, 0)).find((o) => o.planId === input.offer.planId);
  } catch (err) {
    if (!isFluenceError(err)) throw err;
    return { kind: 'price_unknown', error: err };
  }
  if (!fresh) return { kind: 'plan_gone' };
  if (cents(fresh.pricePerHour) > cents(shownPrice)) {
    // The refusal names the new price: a second submit of this form accepts it.
    try {
      await ctx.store.deployModals.setShownPrice(input.requestKey, fresh.planId, fresh.pricePerHour);
    } catch (err) {
      ctx.logger.warn({ err }, 'could not record the new price shown');
    }
    return { kind: 'price_up', shown: shownPrice, now: fresh.pricePerHour };
  }
  input.offer = fresh;
  return ctx.deploys.deploy(input);
}

type ModalAnswer =
  | { response_action: 'errors'; errors: FieldErrors }
  | { response_action: 'update'; view: ReturnType<typeof renderDeployModal> };

function whereOf(input: DeployInput): string {
  return input.actor.channelId.startsWith('D') || input.actor.channelId.startsWith('U') ? 'your DMs' : `<#${input.actor.channelId}>`;
}

async function answerInModal(
  ctx: BotContext,
  outcome: SubmitOutcome,
  input: DeployInput,
  modalData: () => Promise<DeployModalData>,
  late = false,
): Promise<ModalAnswer> {
  const name = input.request.name;
  const result = (ok: boolean | 'checking', message: string): ModalAnswer => ({
    response_action: 'update',
    view: renderDeployResult({ ok, name, type: input.type, message, sandbox: ctx.sandbox }),
  });
  // Refusals before anything was sent: in the form (errors keep it open) when there is still time.
  const refuse = (block: string, text: string): ModalAnswer =>
    late ? result(false, text) : { response_action: 'errors', errors: { [block]: text.slice(0, 500) } };
  const where = whereOf(input);
  switch (outcome.kind) {
    case 'price_up':
      return refuse(
        BLOCK.plan,
        late
          ? `The plan now costs ${formatUsd(outcome.now)}/h, more than the ${formatUsd(outcome.shown)}/h this form showed. Nothing was deployed: run /gpu deploy again to see current prices.`
          : `The plan now costs ${formatUsd(outcome.now)}/h, more than the ${formatUsd(outcome.shown)}/h shown. Nothing was deployed: submit again to deploy at ${formatUsd(outcome.now)}/h, or pick another plan.`,
      );
    case 'plan_gone':
      return refuse(BLOCK.plan, 'This plan is no longer offered. Nothing was deployed: pick another one.');
    case 'price_unknown':
      return refuse(BLOCK.plan, `I could not check this plan's current price, so nothing was deployed. ${renderFluenceError(outcome.error, { action: 'read the plan prices' }).text}`);
    case 'not_recorded':
      return refuse(BLOCK.name, "I could not record this deploy (the bot's database is busy), so I did not send it. Nothing was deployed or charged: submit again.");
    case 'deployed':
      return result(true, `${offerLabel(input.offer)}. I will reply in ${where} when it is ready.`);
    case 'maybe_applied':
      return result('checking', checkingText(outcome, where));
    case 'duplicate':
      return outcome.state === 'succeeded'
        ? result(true, `This form was already submitted: the instance is deploying (id ${outcome.instanceId ?? 'unknown'}). Nothing new was deployed.`)
        : result('checking', `This form was already submitted and I am still finding out whether it went through. Nothing new was deployed: I will reply in ${where}.`);
    case 'refused':
      return result(false, refusalText(outcome.reason, outcome.admins));
    case 'unaffordable':
      return refuse(BLOCK.plan, outcome.reason);
    case 'name_pending':
      return refuse(
        BLOCK.name,
        `A deploy named \`${outcome.name}\` is still being confirmed with Fluence (I will reply in its thread). Nothing was sent: pick another name, or wait for that reply.`,
      );
    case 'needs_approval': {
      const to = approvalChannel(ctx, input.actor); // never the requester's DM: admins are not there
      if ('refused' in to) return result(false, to.refused);
      return result(false, `This deploy needs an admin's approval:\n• ${outcome.reasons.join('\n• ')}\nI am posting the request in <#${to.channel}>: an admin other than you must approve it, and you will hear back in its thread.`);
    }
    case 'failed': {
      const err = outcome.error;
      if (err.kind === 'validation' && !late) {
        const errors = apiIssuesToFieldErrors(err.details.issues ?? [], { blocks: deployFormBlocks(input.type) });
        if (Object.keys(errors).length) return { response_action: 'errors', errors };
      }
      const detail = err.kind === 'business' ? (err.details.detail ?? err.message) : renderFluenceError(err, { action: 'deploy it' }).text;
      return { response_action: 'update', view: renderDeployError(await modalData(), ctx.redactor.mask(detail)) };
    }
  }
}

async function afterOutcome(ctx: BotContext, client: WebClient, outcome: SubmitOutcome, input: DeployInput): Promise<void> {
  // the form is done unless it stays open to be fixed and submitted again
  if (outcome.kind === 'deployed' || outcome.kind === 'duplicate' || outcome.kind === 'needs_approval' || outcome.kind === 'refused') {
    await forgetKept(ctx, input.requestKey);
  }
  try {
    if (outcome.kind === 'deployed') await announceDeploy(ctx, { client, input, instanceId: outcome.instanceId });
    if (outcome.kind === 'needs_approval') await requestApproval(ctx, { client, input, reasons: outcome.reasons });
  } catch (err) {
    await reportFailure(ctx, undefined, err, 'announcing the deploy');
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
