/**
 * Reading a modal's `view.state.values`: the slice of Bolt's state shape the forms use, and the
 * helpers that find a field by block id whatever action id the view gave its element. Pure.
 */
import { INPUT_ACTION, type BlockId } from './form-ids';

/** The slice of Bolt's `ViewStateValue` this module reads (Bolt's type is assignable to it). */
export interface FieldState {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }> | null;
  selected_conversation?: string | null;
}
/** `view.state.values`: block id -> action id -> value. */
export type FormState = Record<string, Record<string, FieldState>>;
export type FieldErrors = Partial<Record<BlockId, string>>;


/**
 * Action id of an input whose prefill depends on another choice (the image preset, the plan).
 * Slack keeps what the user typed across `views.update` only while block id AND action id stay
 * the same, so a new key makes Slack take the new `initial_value`; the block id (which errors
 * are keyed by) never changes. Readers take the block's only element, whatever its action id.
 */
export function keyedActionId(key: string | undefined): string {
  if (!key) return INPUT_ACTION;
  return `${INPUT_ACTION}.${key.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}`;
}

export function field(state: FormState, block: BlockId): { actionId: string; value: FieldState } | undefined {
  const entries = state[block];
  if (!entries) return undefined;
  const own = entries[INPUT_ACTION];
  if (own) return { actionId: INPUT_ACTION, value: own };
  const first = Object.entries(entries)[0];
  return first ? { actionId: first[0], value: first[1] } : undefined;
}

/** Typed text with surrounding whitespace removed; '' when empty or absent. */
export function textOf(state: FormState, block: BlockId): string {
  return (field(state, block)?.value.value ?? '').trim();
}

export function selectedOf(state: FormState, block: BlockId): string | undefined {
  return field(state, block)?.value.selected_option?.value ?? undefined;
}

/** A checkbox group's ticked values. */
export function checkedOf(state: FormState, block: BlockId): string[] {
  return (field(state, block)?.value.selected_options ?? []).map((o) => o.value);
}
