/**
 * Filling a modal the way a person does: by field (block id), whatever action id the view gave
 * the element (some inputs carry a keyed action id so Slack resets them when a preset changes).
 */
import type { SlackStandin } from '../../src/standin';

type Block = { type: string; block_id?: string; element?: { type: string; action_id: string }; elements?: Array<{ type: string; action_id: string }> };

export function elementOf(view: { blocks: Block[] }, blockId: string): { type: string; action_id: string } {
  const block = view.blocks.find((b) => b.block_id === blockId);
  const el = block?.element ?? block?.elements?.[0];
  if (!el) throw new Error(`modal has no field ${blockId}; blocks: ${view.blocks.map((b) => b.block_id).join(', ')}`);
  return el;
}

/** `{ name: 'my-gpu', plan: '<plan id>' }` -> SlackUser.submitView values. Selects take the option value. */
export function fill(view: { blocks: Block[] }, fields: Record<string, string>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [blockId, value] of Object.entries(fields)) {
    const el = elementOf(view, blockId);
    out[blockId] = { [el.action_id]: value };
  }
  return out;
}

/** The latest version of the only (or the newest) modal the bot opened. */
export function latestView(standin: SlackStandin): any {
  const views = [...standin.views().values()];
  return views[views.length - 1];
}

/** Waits until the newest modal has a block with `blockId` (the form replaced the loading view). */
export async function waitForField(standin: SlackStandin, blockId: string, timeoutMs?: number): Promise<any> {
  return standin.waitFor(() => {
    const v = latestView(standin);
    return v?.blocks?.some((b: Block) => b.block_id === blockId) ? v : undefined;
  }, timeoutMs);
}
