/**
 * The deploy modal, one builder for containers, VMs and bare metal (what differs is looked up
 * from the workload type). Pure: data in, ModalView out. The listener opens the loading view at
 * once from the trigger_id (BOLT.md pitfall 2), fetches plans, then updates with this.
 */
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { PlanOffer } from '../../fluence/model';
import { NAME_MAX } from '../../fluence/rules';
import type { DefaultImage } from '../../fluence/schemas';
import { WORKLOAD_TYPES, WORKLOADS, isWorkloadType, type WorkloadType } from '../../fluence/workload';
import { balanceAfter, deployCost, formatUsd } from '../../services/cost';
import type { DeployFormValues } from '../../services/deploy-form';
import type { LeaseChoices } from '../../services/leases';
import { NO_KEY_SOURCES, type KeySources } from '../../services/ssh-key-choice';
import { formatDuration } from '../../duration';
import { ACTION, BLOCK, LEASE_SELECT_ACTION, VIEW } from '../ids';
import { sandboxBlocks } from './blocks';
import { channelPicker, containerBlocks, machineBlocks } from './deploy-modal-fields';
import { clamp as clampText, escapeClamp, escapeMrkdwn } from './format';
import { OPTION_TEXT_MAX, modalShell, option, plain, section, textInput } from './modal-blocks';

export const MAX_PLAN_OPTIONS = 100;

// ---- private_metadata -------------------------------------------------------------------

const DeployMetaSchema = z.object({
  v: z.literal(1),
  requestId: z.string().min(1),
  type: z.string().refine(isWorkloadType),
  planId: z.string().optional(),
  channelId: z.string().optional(),
  pick: z.literal(true).optional(),
});
export interface DeployModalMeta {
  v: 1;
  requestId: string;
  type: WorkloadType;
  planId?: string;
  /** Where the deploy started: its announcement, thread and approvals go there. */
  channelId?: string;
  /** Opened from the "Deploy a GPU" shortcut: the form has a channel picker (channelId: the pick so far). */
  pick?: true;
}

/** Only ids go in private_metadata (3000 chars, BOLT.md pitfall 5); state stays server-side. */
export function encodeDeployMeta(meta: Omit<DeployModalMeta, 'v'>): string {
  const text = JSON.stringify({
    v: 1,
    requestId: meta.requestId,
    type: meta.type,
    ...(meta.planId ? { planId: meta.planId } : {}),
    ...(meta.channelId ? { channelId: meta.channelId } : {}),
    ...(meta.pick ? { pick: true } : {}),
  });
  if (text.length > 3000) throw new Error(`deploy modal private_metadata is ${text.length} chars (limit 3000)`);
  return text;
}

export function parseDeployMeta(text: string): DeployModalMeta | undefined {
  try {
    const r = DeployMetaSchema.safeParse(JSON.parse(text));
    return r.success ? (r.data as DeployModalMeta) : undefined;
  } catch {
    return undefined;
  }
}

// ---- labels -----------------------------------------------------------------------------

/** "H100 80GB ×1" */
export function gpuLabel(offer: Pick<PlanOffer, 'gpu'>): string {
  return `${offer.gpu.model.toUpperCase()} ${offer.gpu.vram.replace(/Gi?$/i, 'GB')} ×${offer.gpu.count}`;
}

/** The plan without its price: "H100 80GB ×1 · 16 vCPU" / "A100 80GB ×1 · provider/location". */
export function planLabel(offer: PlanOffer): string {
  const middle = offer.type === 'container' ? `${offer.vcpu} vCPU` : `${offer.provider ?? '?'}/${offer.locations[0] ?? '?'}`;
  return `${gpuLabel(offer)} · ${middle}`;
}

/** Containers "H100 80GB ×1 · 16 vCPU · $2.96/h"; VM/BM "A100 80GB ×1 · provider/location · $1.07/h". */
export function offerLabel(offer: PlanOffer): string {
  const price = ` · ${formatUsd(offer.pricePerHour)}/h`;
  // the price is what users compare: clamp the middle, never the price
  return `${clampText(planLabel(offer), OPTION_TEXT_MAX - price.length)}${price}`;
}

/** The cost line under the form: hourly price, upfront reserve, balance after. */
export function costText(offer: PlanOffer | undefined, balance: number | null | undefined): string {
  if (!offer) return 'Pick a plan to see what it costs.';
  const cost = deployCost(offer);
  const head =
    `*${formatUsd(cost.perHour)}/h* · ${formatUsd(cost.upfront)} reserved upfront now ` +
    `(${cost.upfrontHours} h × ${formatUsd(cost.perHour)})`;
  const after = balanceAfter(balance, cost);
  if (after === null) return `${head} · balance unknown`;
  if (after < 0) return `${head} · balance after: ${formatUsd(after)} ⚠️ this deploy cannot be afforded: top up first.`;
  return `${head} · balance after: ${formatUsd(after)}`;
}

// ---- the modal --------------------------------------------------------------------------

export interface DeployModalData {
  /** Unique per modal: the deploy's idempotency key. */
  requestId: string;
  type: WorkloadType;
  /** Channel the deploy started in (kept in private_metadata). */
  channelId?: string;
  /** Sorted by price, cheapest first (re-sorted here anyway). */
  offers: PlanOffer[];
  selectedPlanId?: string;
  /** Container default images (GET /gpu/default-images/). */
  images: DefaultImage[];
  sandbox: boolean;
  /** Account balance; null/undefined when it could not be read. */
  balance?: number | null;
  /** Values entered so far (deployFormValues), kept across re-renders. */
  values?: DeployFormValues;
  /** Information at the top (e.g. "the plan you picked is gone"). */
  notice?: string;
  /** An API 400 `detail`, shown verbatim at the top. */
  error?: string;
  /** The lease menu under the channel's policy; no field when absent. */
  lease?: LeaseChoices;
  /** The user's saved key and the account's keys, offered in the key field (public keys only). */
  keys?: KeySources;
  /** Opened from the shortcut: a channel picker for the announcement, starting on `channelId`. */
  pick?: true;
}

export function renderDeployLoading(data: { type?: WorkloadType; requestId: string; channelId?: string; pick?: true }): ModalView {
  return modalShell({
    callbackId: VIEW.deploy,
    title: 'Deploy a GPU',
    close: 'Cancel',
    metadata: encodeDeployMeta({ requestId: data.requestId, type: data.type ?? 'container', ...(data.channelId ? { channelId: data.channelId } : {}), ...(data.pick ? { pick: true as const } : {}) }),
    blocks: [section(`⏳ Loading ${data.type ? WORKLOADS[data.type].label + ' ' : ''}plans…`)],
  });
}

/** The 100 cheapest offers (Slack's static_select limit), always keeping the selected one. */
function visibleOffers(offers: PlanOffer[], selectedPlanId: string | undefined): { shown: PlanOffer[]; hidden: number } {
  const sorted = [...offers].sort((a, b) => a.pricePerHour - b.pricePerHour);
  if (sorted.length <= MAX_PLAN_OPTIONS) return { shown: sorted, hidden: 0 };
  let shown = sorted.slice(0, MAX_PLAN_OPTIONS);
  const selected = sorted.find((o) => o.planId === selectedPlanId);
  if (selected && !shown.includes(selected)) shown = [...shown.slice(0, MAX_PLAN_OPTIONS - 1), selected];
  return { shown, hidden: sorted.length - shown.length };
}

export function renderDeployModal(data: DeployModalData): ModalView {
  const values = data.values ?? {};
  const { shown, hidden } = visibleOffers(data.offers, data.selectedPlanId);
  const offer = data.offers.find((o) => o.planId === data.selectedPlanId && o.type === data.type);
  const blocks: KnownBlock[] = [];

  // escape first, then clamp: `<` becomes 4 characters, and the section holds 3000
  if (data.error) blocks.push(section(`⚠️ *Fluence refused this deploy:* ${escapeClamp(data.error, 2800)}`));
  if (data.notice) blocks.push(section(escapeClamp(data.notice, 2900)));

  blocks.push({
    type: 'actions',
    block_id: BLOCK.type,
    elements: [{
      type: 'static_select',
      action_id: ACTION.deployType,
      options: WORKLOAD_TYPES.map((t) => option(WORKLOADS[t].plural, t)),
      initial_option: option(WORKLOADS[data.type].plural, data.type),
    }],
  });

  if (data.pick) blocks.push(channelPicker(values.channel ?? data.channelId));

  if (shown.length === 0) {
    blocks.push(section(`No ${WORKLOADS[data.type].label} plans are available right now. Try another type, or later.`));
  } else {
    const planOptions = shown.map((o) => option(offerLabel(o), o.planId));
    const initial = planOptions.find((o) => o.value === offer?.planId);
    blocks.push({
      type: 'input',
      block_id: BLOCK.plan,
      dispatch_action: true,
      label: plain('Plan'),
      element: {
        type: 'static_select',
        action_id: ACTION.deployPlanSelect,
        placeholder: plain('Pick a GPU plan'),
        options: planOptions,
        ...(initial ? { initial_option: initial } : {}),
      },
      ...(hidden > 0
        ? { hint: plain(`Showing the ${shown.length} cheapest of ${data.offers.length} plans. Use /gpu plans with filters to find the others.`) }
        : {}),
    });
  }

  blocks.push(textInput({
    block: BLOCK.name, label: 'Name', initial: values.name, placeholder: 'my-gpu',
    hint: `1–${NAME_MAX} characters: lowercase letters, digits and hyphens, not starting or ending with a hyphen.`,
  }));

  const keys = data.keys ?? NO_KEY_SOURCES;
  if (data.type === 'container') blocks.push(...containerBlocks(data.images, offer, values, keys));
  else blocks.push(...machineBlocks(offer, values, keys));

  if (data.lease) blocks.push(leaseBlock(data.lease));
  blocks.push({ type: 'section', block_id: BLOCK.cost, text: { type: 'mrkdwn', text: costText(offer, data.balance) } });
  blocks.push(...sandboxBlocks(data.sandbox));

  return modalShell({
    callbackId: VIEW.deploy,
    title: 'Deploy a GPU',
    submit: 'Deploy',
    close: 'Cancel',
    metadata: encodeDeployMeta({
      requestId: data.requestId,
      type: data.type,
      ...(offer ? { planId: offer.planId } : {}),
      ...(data.channelId ? { channelId: data.channelId } : {}),
      ...(data.pick ? { pick: true as const } : {}),
    }),
    blocks,
  });
}

/** How long the instance may run: the channel policy's choices, its default selected. */
function leaseBlock(c: LeaseChoices): KnownBlock {
  const options = c.options.map((o) => option(o.label, o.value));
  const max = c.policy.maxLeaseMs;
  return {
    type: 'input',
    block_id: BLOCK.lease,
    label: plain('Lease'),
    element: {
      type: 'static_select',
      action_id: LEASE_SELECT_ACTION,
      options,
      initial_option: options.find((o) => o.value === c.initial.value) ?? options[0]!,
    },
    hint: plain(
      'How long it should run; change it any time with /gpu lease.' +
        (max === null ? '' : ` This channel allows at most ${formatDuration(max)} (admins can allow more with /gpu lease).`),
    ),
  };
}

/** `renderDeployModal` with an API 400 `detail` on top; the values stay as entered. */
export function renderDeployError(data: DeployModalData, detail: string): ModalView {
  return renderDeployModal({ ...data, error: detail });
}

// ---- after submit (response_action: update) ----------------------------------------------

export function renderDeploySubmitted(data: { name: string; type: WorkloadType; offer: PlanOffer; sandbox: boolean }): ModalView {
  return modalShell({
    callbackId: VIEW.deploy,
    title: 'Deploy a GPU',
    close: 'Close',
    blocks: [
      section(`⏳ Deploying \`${escapeMrkdwn(data.name)}\` (${WORKLOADS[data.type].label}, ${escapeMrkdwn(offerLabel(data.offer))})…`),
      ...sandboxBlocks(data.sandbox),
    ],
  });
}

/** `ok: 'checking'`: the outcome is not known yet (Fluence's answer was unclear); the bot reports it later. */
export function renderDeployResult(data: { ok: boolean | 'checking'; name: string; type: WorkloadType; message: string; sandbox: boolean }): ModalView {
  const head =
    data.ok === 'checking'
      ? `⏳ *Checking:* \`${escapeMrkdwn(data.name)}\` (${WORKLOADS[data.type].label})`
      : data.ok
        ? `✅ *Deployed* \`${escapeMrkdwn(data.name)}\` (${WORKLOADS[data.type].label})`
        : `⚠️ *Not deployed:* \`${escapeMrkdwn(data.name)}\``;
  return modalShell({
    callbackId: VIEW.deploy,
    title: data.ok === true ? 'Deployed ✓' : 'Deploy a GPU',
    close: 'Close',
    // `message` is the bot's own mrkdwn (channel links, mentions); user text in it is escaped by the caller
    blocks: [section(`${head}\n${clampText(data.message, 2500)}`), ...sandboxBlocks(data.sandbox)],
  });
}
