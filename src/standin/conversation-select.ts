/**
 * The conversations select menus as Slack checks them
 * (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#conversations_select
 * and #conversation_multi_select) and which conversations a user may pick in one: the filter's
 * types, and only conversations the user can see. Split from block-kit-limits.ts (the generic
 * limits); the stand-in and SlackUser both use it.
 */
import type { BlockKitViolation } from './block-kit-limits';

/** [elements] filter object: include is any of these. */
export const CONVERSATION_TYPES = ['im', 'mpim', 'private', 'public'] as const;
export type ConversationType = (typeof CONVERSATION_TYPES)[number];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A conversation id: C (public), G (private or mpim), D (im). */
const CONVERSATION_ID = /^[CGD][A-Z0-9_]{2,}$/; // (the stand-in's own ids have underscores: C_GENERAL)

export function conversationSelectViolations(e: Json, pointer: string, multi: boolean): BlockKitViolation[] {
  const out: BlockKitViolation[] = [];
  const add = (p: string, message: string) => out.push({ pointer: `${pointer}${p}`, message });
  if (e.options !== undefined || e.option_groups !== undefined) add('/options', 'options are not allowed in a conversations select');
  for (const flag of ['default_to_current_conversation', 'response_url_enabled', 'focus_on_load']) {
    if (e[flag] !== undefined && typeof e[flag] !== 'boolean') add(`/${flag}`, 'must be a boolean');
  }
  if (multi) {
    if (e.initial_conversation !== undefined) add('/initial_conversation', 'not allowed in a multi select: use initial_conversations');
    if (e.initial_conversations !== undefined) {
      if (!Array.isArray(e.initial_conversations)) add('/initial_conversations', 'must be an array');
      else e.initial_conversations.forEach((id, i) => {
        if (typeof id !== 'string' || !CONVERSATION_ID.test(id)) add(`/initial_conversations/${i}`, 'must be a conversation id');
      });
    }
    if (e.max_selected_items !== undefined && !(Number.isInteger(e.max_selected_items) && (e.max_selected_items as number) >= 1)) {
      add('/max_selected_items', 'must be an integer of at least 1');
    }
  } else {
    if (e.initial_conversations !== undefined) add('/initial_conversations', 'not allowed in a single select: use initial_conversation');
    if (e.initial_conversation !== undefined && (typeof e.initial_conversation !== 'string' || !CONVERSATION_ID.test(e.initial_conversation))) {
      add('/initial_conversation', 'must be a conversation id');
    }
  }
  if (e.filter !== undefined) {
    const f = e.filter;
    if (!isObj(f)) add('/filter', 'must be a filter object');
    else {
      // "while all properties are optional, you must supply at least one"
      if (Object.keys(f).length === 0) add('/filter', 'must supply at least one of include, exclude_external_shared_channels, exclude_bot_users');
      if (f.include !== undefined) {
        if (!Array.isArray(f.include) || f.include.length === 0) add('/filter/include', 'must be a non-empty array');
        else f.include.forEach((t, i) => {
          if (!(CONVERSATION_TYPES as readonly unknown[]).includes(t)) add(`/filter/include/${i}`, `must be one of ${CONVERSATION_TYPES.join(', ')}`);
        });
      }
      for (const flag of ['exclude_external_shared_channels', 'exclude_bot_users']) {
        if (f[flag] !== undefined && typeof f[flag] !== 'boolean') add(`/filter/${flag}`, 'must be a boolean');
      }
      for (const k of Object.keys(f)) {
        if (!['include', 'exclude_external_shared_channels', 'exclude_bot_users'].includes(k)) add(`/filter/${k}`, 'unknown filter property');
      }
    }
  }
  return out;
}

/** What a conversations select offers a user for `id`: its type, and whether they may see it. */
export function conversationTypeOf(id: string, isPrivate: boolean | undefined): ConversationType {
  if (id.startsWith('D')) return 'im';
  if (id.startsWith('C')) return isPrivate ? 'private' : 'public';
  return isPrivate === false ? 'public' : 'private';
}

/** Whether Slack would list `id` in this select's menu for the user (the filter's types). */
export function filterAllows(filter: unknown, type: ConversationType): boolean {
  if (!isObj(filter) || !Array.isArray(filter.include)) return true;
  return filter.include.includes(type);
}
