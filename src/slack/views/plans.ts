/**
 * `/gpu plans`: one compact line per offer with a Deploy button, paged so a message never exceeds
 * Slack's 50 blocks. The caller has already filtered and sorted the offers (services/plans.ts).
 */
import type { KnownBlock } from '@slack/types';
import type { PlanOffer } from '../../fluence/model';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import { ACTION } from '../ids';
import { encodePlansQuery, type PlanFilters } from '../command';
import {
  SANDBOX_NOTE,
  encodeRef,
  escapeClamp,
  formatHourly,
  formatSize,
  formatVram,
  gpuWithCount,
} from './format';
import { actions, button, context, header, message, section, type MessageView } from './blocks';

export const DEFAULT_PLAN_PAGE_SIZE = 10;
/** Header, filters, summary, paging and sandbox blocks leave room for this many plan lines. */
export const MAX_PLAN_PAGE_SIZE = 40;

export interface PlanListInput {
  type: WorkloadType;
  offers: PlanOffer[];
  filters: PlanFilters;
  /** 1-based; clamped to the last page. */
  page: number;
  pageSize?: number;
  totalBeforeFilters: number;
  emptyReason?: string;
  sandbox: boolean;
}

/** "gpu=h100 · 8 GPUs · max $3.00/h · location=US", or '' without filters. */
export function describeFilters(f: PlanFilters): string {
  const parts: string[] = [];
  if (f.gpu) parts.push(`gpu=${escapeClamp(f.gpu, 40)}`);
  if (f.count !== undefined) parts.push(`${f.count} GPU${f.count === 1 ? '' : 's'}`);
  if (f.maxPrice !== undefined) parts.push(`max ${formatHourly(f.maxPrice)}`);
  if (f.location) parts.push(`location=${escapeClamp(f.location, 64)}`);
  return parts.join(' · ');
}

/** `*H100 80GB SXM × 8* · 8×80 GB VRAM · 64 vCPU / 512 GiB RAM / 2 TiB disk · US, DE · *$21.60/h*` */
export function planLine(o: PlanOffer): string {
  const parts = [
    `*${escapeClamp(gpuWithCount(o.gpu), 100)}*`,
    `${o.gpu.count}×${escapeClamp(formatVram(o.gpu.vram), 20)} VRAM`,
    `${o.vcpu} vCPU / ${escapeClamp(formatSize(o.memory), 20)} RAM / ${escapeClamp(formatSize(o.storage), 20)} disk`,
  ];
  if (o.provider) parts.push(escapeClamp(o.provider, 60));
  parts.push(escapeClamp(o.locations.join(', ') || 'any location', 300));
  if (o.osOptions?.length) parts.push(`${o.osOptions.length} OS image${o.osOptions.length === 1 ? '' : 's'}`);
  if (o.nvlink) parts.push('NVLink');
  parts.push(`*${formatHourly(o.pricePerHour)}*`);
  return parts.join(' · ');
}

export function renderPlanList(input: PlanListInput): MessageView {
  const w = WORKLOADS[input.type];
  const size = Math.min(MAX_PLAN_PAGE_SIZE, Math.max(1, Math.floor(input.pageSize ?? DEFAULT_PLAN_PAGE_SIZE)));
  const total = input.offers.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(pages, Math.max(1, Math.floor(Number.isFinite(input.page) ? input.page : 1)));
  const from = (page - 1) * size;
  const shown = input.offers.slice(from, from + size);
  const filters = describeFilters(input.filters);

  const blocks: KnownBlock[] = [header(`GPU plans: ${w.plural}`)];
  if (filters) blocks.push(context(`Filters: ${filters}`));
  if (total === 0) {
    const reason = input.emptyReason ?? 'No plans match these filters.';
    blocks.push(section(`:mag: ${escapeClamp(reason, 2900)}`));
    if (input.totalBeforeFilters > 0) {
      blocks.push(context(`${input.totalBeforeFilters} ${w.plural.toLowerCase()} plans exist without filters: \`/gpu plans ${input.type}\``));
    }
  } else {
    for (const o of shown) {
      blocks.push(
        section(planLine(o), button({ text: 'Deploy', actionId: ACTION.deployPlan, value: encodeRef(input.type, o.planId), style: 'primary' })),
      );
    }
    const filtered = input.totalBeforeFilters > total ? ` (${input.totalBeforeFilters} before filters)` : '';
    blocks.push(context(`Showing ${from + 1}–${from + shown.length} of ${total}${filtered} · cheapest first · prices per hour, ${o0Currency(input.offers)}`));
    // Prev and Next share ACTION.plansPage, and Slack wants action_ids unique per block: one block each.
    if (page > 1) blocks.push(...actions([pageButton(input, page - 1, '← Prev')], 'plans_prev'));
    if (page < pages) blocks.push(...actions([pageButton(input, page + 1, 'Next →')], 'plans_next'));
  }
  if (input.sandbox) blocks.push(context(SANDBOX_NOTE));

  const text =
    total === 0
      ? `No ${w.plural.toLowerCase()} plans${filters ? ` for ${filters}` : ''}.`
      : `${total} ${w.plural.toLowerCase()} plans${filters ? ` for ${filters}` : ''}, page ${page} of ${pages}.`;
  return message(text, blocks);
}

function o0Currency(offers: PlanOffer[]): string {
  return escapeClamp(offers[0]?.currency ?? 'USDC', 10);
}

function pageButton(input: PlanListInput, page: number, label: string) {
  return button({ text: label, actionId: ACTION.plansPage, value: encodePlansQuery(input.type, input.filters, page) });
}
