/**
 * What the deploy form's opening, re-rendering and submission share: the 3 s budget, loading the
 * form's data (plans, images, balance, lease menu) and updating the modal with it.
 */
import type { WebClient } from '@slack/web-api';
import { isFluenceError } from '../../fluence/errors';
import type { BotContext } from '../context';
import { renderDeployModal, type DeployModalData, type DeployModalMeta } from '../views/deploy-modal';
import { renderFluenceError } from '../views/errors';

/** Slack closes a view_submission after 3 s; keep a margin for the network. */
export const ACK_BUDGET_MS = 2500;
/**
 * A submission validates against the plan list the modal was built from rather than fetching a
 * fresh one inside the 3 s window; Fluence still checks the plan and price when it gets the POST.
 */
export const SUBMIT_PLANS_MAX_AGE_MS = 30 * 60_000;
/** The channel a deploy modal is issued with when its channel is picked in the form (the shortcut). */
export const PICKED_CHANNEL = '';

/** Updates the form and records the prices it now shows (a submit never deploys above them). */
export async function showForm(ctx: BotContext, client: WebClient, viewId: string, hash: string | undefined, data: DeployModalData): Promise<void> {
  if (!(await updateView(ctx, client, viewId, hash, renderDeployModal(data)))) return;
  try {
    await ctx.store.deployModals.setShownPrices(data.requestId, Object.fromEntries(data.offers.map((o) => [o.planId, o.pricePerHour])));
  } catch (err) {
    // Without them a submit compares with the plan list it validated against instead.
    ctx.logger.warn({ err }, 'could not record the prices the deploy form shows');
  }
}

/** `userId`: whose saved key the form offers. */
export async function loadModalData(
  ctx: BotContext,
  meta: Omit<DeployModalMeta, 'v'>,
  values: DeployModalData['values'] & object,
  userId: string,
): Promise<DeployModalData> {
  const [offers, images, balance, keys] = await Promise.allSettled([
    ctx.plans.offers(meta.type),
    meta.type === 'container' ? ctx.plans.defaultImages() : Promise.resolve([]),
    ctx.fluence.getBalance(),
    ctx.sshKeys.sources(userId),
  ]);
  const selectedPlanId = values.planId ?? meta.planId;
  const data: DeployModalData = {
    requestId: meta.requestId,
    type: meta.type,
    channelId: meta.channelId,
    offers: offers.status === 'fulfilled' ? offers.value : [],
    images: images.status === 'fulfilled' ? images.value : [],
    sandbox: ctx.sandbox,
    balance: balance.status === 'fulfilled' ? balance.value.balance : null,
    values,
    ...(selectedPlanId ? { selectedPlanId } : {}),
    lease: await ctx.leases.choices(meta.channelId ?? ''),
    ...(keys.status === 'fulfilled' ? { keys: keys.value } : {}),
    ...(meta.pick ? { pick: true as const } : {}),
  };
  if (keys.status === 'rejected') ctx.logger.warn({ err: keys.reason }, 'could not read the saved SSH key for the deploy form');
  if (offers.status === 'rejected') {
    data.error = renderFluenceError(asFluence(offers.reason), { action: 'loading plans' }).text;
  } else if (selectedPlanId && !data.offers.some((o) => o.planId === selectedPlanId)) {
    data.notice = 'The plan you picked is no longer offered. Pick another one.';
  }
  return data;
}

export async function updateView(ctx: BotContext, client: WebClient, viewId: string, hash: string | undefined, view: ReturnType<typeof renderDeployModal>): Promise<boolean> {
  try {
    await client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view });
    return true;
  } catch (err) {
    // hash_conflict: the user changed something meanwhile and a newer render is on its way.
    ctx.logger.debug({ err }, 'deploy modal update skipped');
    return false;
  }
}

export function refusalText(reason: string | undefined, admins: string[]): string {
  const who = admins.length ? ` Ask an admin (${admins.map((a) => `<@${a}>`).join(', ')}) to grant it with \`/gpu access grant\`.` : ' No admin is configured yet (GPU_BOT_ADMINS).';
  return `⛔ ${reason ?? 'You are not allowed to do that.'}${who}`;
}

export function asFluence(err: unknown) {
  if (isFluenceError(err)) return err;
  throw err;
}
