/**
 * Block Kit primitives shared by the deploy, update and rename modals: text objects, inputs,
 * options and the modal shell, each clamped to Slack's limits (BOLT.md §5) where it is built. Pure.
 */
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { INPUT_ACTION } from '../ids';
import { clamp as clampText } from './format';

/** Slack's limit on the text of a select option. */
export const OPTION_TEXT_MAX = 75;

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

export function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** A plain_text_input block; `action` is keyedActionId(...) for fields a choice prefills. */
export function textInput(o: {
  block: string; label: string; action?: string; initial?: string | undefined; placeholder?: string;
  hint?: string; optional?: boolean; multiline?: boolean;
}): KnownBlock {
  return {
    type: 'input',
    block_id: o.block,
    label: plain(o.label),
    ...(o.optional ? { optional: true } : {}),
    element: {
      type: 'plain_text_input',
      action_id: o.action ?? INPUT_ACTION,
      ...(o.multiline ? { multiline: true } : {}),
      ...(o.initial ? { initial_value: o.initial } : {}),
      ...(o.placeholder ? { placeholder: plain(clampText(o.placeholder, 150)) } : {}),
    },
    ...(o.hint ? { hint: plain(o.hint) } : {}),
  };
}

/** Title, submit and close are at most 24 characters (BOLT.md §5). */
export function modalShell(o: {
  callbackId: string; title: string; submit?: string; close: string; metadata?: string; blocks: KnownBlock[];
}): ModalView {
  if (o.blocks.length > 100) throw new Error(`modal has ${o.blocks.length} blocks (limit 100)`);
  return {
    type: 'modal',
    callback_id: o.callbackId,
    title: plain(clampText(o.title, 24)),
    ...(o.submit ? { submit: plain(clampText(o.submit, 24)) } : {}),
    close: plain(clampText(o.close, 24)),
    ...(o.metadata !== undefined ? { private_metadata: o.metadata } : {}),
    blocks: o.blocks,
  };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(clampText(text, OPTION_TEXT_MAX)), value };
}
