/**
 * Finding what a Slack user clicks or types into (an element by action_id, an option by value) in a
 * message or a view, and the `state.values` Slack would send for it. Pure functions over Block Kit JSON.
 */

export type MessageSource = { blocks?: any[]; ts?: string; channel?: string; text?: string };
export type Source = MessageSource | { view: any };
export interface Found {
  block: any;
  element: any;
}

export function blocksOf(source: Source): any[] {
  return ('view' in source ? source.view?.blocks : source.blocks) ?? [];
}

export function describe(source: Source): string {
  return 'view' in source ? `view ${source.view?.id}` : `message ${source.ts ?? '(ephemeral)'}`;
}

/** Interactive elements live in actions/context `elements`, a section `accessory`, or an input `element`. */
function elementsOf(block: any): any[] {
  return [...(Array.isArray(block.elements) ? block.elements : []), block.accessory, block.element].filter((e) => e && typeof e === 'object');
}

export function findElement(blocks: any[], actionId: string, value?: string): Found | undefined {
  for (const [i, block] of blocks.entries()) {
    for (const element of elementsOf(block)) {
      if (element.action_id !== actionId) continue;
      if (value !== undefined && element.type === 'button' && element.value !== value) continue;
      if (value !== undefined && element.type === 'overflow' && !findOption(element, value)) continue;
      // Slack fills in a block_id when the app leaves it out
      return { block: { ...block, block_id: block.block_id ?? `b${i}` }, element };
    }
  }
  return undefined;
}

function allOptions(element: any): any[] {
  return [...(element?.options ?? []), ...(element?.option_groups ?? []).flatMap((g: any) => g.options ?? [])];
}

export function findOption(element: any, value: string | undefined): any {
  return allOptions(element).find((o) => o.value === value);
}

export function textOption(value: string) {
  return { text: { type: 'plain_text', text: value, emoji: true }, value };
}

/** Shorthand -> the state value Slack sends for this element type. */
export function stateValue(element: any, value: any): any {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'type' in value) return value;
  const type: string = element?.type ?? 'plain_text_input';
  const option = (v: string) => findOption(element, v) ?? textOption(v);
  switch (type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
      return { type, selected_option: value == null ? null : option(String(value)) };
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: (Array.isArray(value) ? value : [value]).map((v) => option(String(v))) };
    case 'users_select':
      return { type, selected_user: value };
    case 'conversations_select':
      return { type, selected_conversation: value };
    case 'channels_select':
      return { type, selected_channel: value };
    case 'datepicker':
      return { type, selected_date: value };
    default:
      return { type, value: value == null ? null : String(value) };
  }
}

/** Initial state of an input element, as Slack reports an input the user did not touch. */
function initialState(element: any): any {
  const type: string = element.type;
  if (type === 'static_select' || type === 'external_select' || type === 'radio_buttons') return { type, selected_option: element.initial_option ?? null };
  if (type === 'multi_static_select' || type === 'multi_external_select' || type === 'checkboxes') return { type, selected_options: element.initial_options ?? [] };
  if (type === 'users_select') return { type, selected_user: element.initial_user ?? null };
  if (type === 'conversations_select') return { type, selected_conversation: element.initial_conversation ?? null };
  if (type === 'channels_select') return { type, selected_channel: element.initial_channel ?? null };
  if (type === 'datepicker') return { type, selected_date: element.initial_date ?? null };
  return { type, value: element.initial_value ?? null };
}

/** state.values for a view: every input block's element (initial values), overlaid with what the user entered. */
export function inputState(view: any, entered: Record<string, Record<string, any>>): Record<string, Record<string, any>> {
  const values: Record<string, Record<string, any>> = {};
  for (const [i, block] of (view?.blocks ?? []).entries()) {
    const blockId = block.block_id ?? `b${i}`;
    for (const element of elementsOf(block)) {
      if (!element.action_id) continue;
      const given = entered[blockId]?.[element.action_id];
      if (given !== undefined) (values[blockId] ??= {})[element.action_id] = given;
      else if (block.type === 'input') (values[blockId] ??= {})[element.action_id] = initialState(element);
    }
  }
  // values for blocks the test named that the view does not declare (still sent: the bot decides)
  for (const [blockId, byAction] of Object.entries(entered)) {
    for (const [actionId, v] of Object.entries(byAction)) if (values[blockId]?.[actionId] === undefined) (values[blockId] ??= {})[actionId] = v;
  }
  return values;
}
