/**
 * Block Kit builders that enforce Slack's limits (../shared/slack/BOLT.md §5) at the point where a
 * block is made, so no view can produce a payload Slack rejects with `invalid_blocks`. Callers
 * pass already-escaped mrkdwn; the builders only clamp.
 */
import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { clamp, SANDBOX_NOTE } from './format';

export { SANDBOX_NOTE };

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  optionText: 75,
  optionValue: 75,
  /** Notification fallback: Slack advises ≤ 4000. */
  fallbackText: 4000,
} as const;

/** What every message view returns. */
export interface MessageView {
  /** Notification / accessibility fallback. */
  text: string;
  blocks: KnownBlock[];
}

/**
 * The last resort against more than 50 blocks: views cut their lists with a "more" line first
 * (truncate.ts); if blocks still overflow, the cut is said out loud, never silent.
 */
export function message(text: string, blocks: KnownBlock[]): MessageView {
  if (blocks.length <= LIMITS.blocksPerMessage) return { text: clamp(text, LIMITS.fallbackText), blocks };
  const kept = blocks.slice(0, LIMITS.blocksPerMessage - 1);
  const cut = blocks.length - kept.length;
  return { text: clamp(text, LIMITS.fallbackText), blocks: [...kept, context(`…${cut} more part${cut === 1 ? '' : 's'} did not fit in one Slack message.`)] };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: clamp(text, LIMITS.headerText), emoji: true } };
}

export function section(mrkdwn: string, accessory?: Button): SectionBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: clamp(mrkdwn || ' ', LIMITS.sectionText) },
    ...(accessory ? { accessory } : {}),
  };
}

export function fieldsSection(fields: string[]): SectionBlock {
  return {
    type: 'section',
    fields: fields
      .slice(0, LIMITS.sectionFields)
      .map((f) => ({ type: 'mrkdwn' as const, text: clamp(f || ' ', LIMITS.fieldText) })),
  };
}

/** Fields in as many sections as needed (10 per section). */
export function fieldsSections(fields: string[]): SectionBlock[] {
  const out: SectionBlock[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.sectionFields) {
    out.push(fieldsSection(fields.slice(i, i + LIMITS.sectionFields)));
  }
  return out;
}

export function context(...mrkdwn: string[]): ContextBlock {
  return {
    type: 'context',
    elements: mrkdwn
      .slice(0, LIMITS.contextElements)
      .map((t) => ({ type: 'mrkdwn' as const, text: clamp(t || ' ', LIMITS.sectionText) })),
  };
}

export function divider(): KnownBlock {
  return { type: 'divider' };
}

export interface ConfirmSpec {
  title: string;
  /** mrkdwn, already escaped */
  text: string;
  confirm: string;
  deny: string;
}

export function confirmDialog(c: ConfirmSpec): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: clamp(c.title, LIMITS.confirmTitle) },
    text: { type: 'mrkdwn', text: clamp(c.text, LIMITS.confirmText) },
    confirm: { type: 'plain_text', text: clamp(c.confirm, LIMITS.confirmButton) },
    deny: { type: 'plain_text', text: clamp(c.deny, LIMITS.confirmButton) },
    style: 'danger',
  };
}

export interface ButtonSpec {
  text: string;
  actionId: string;
  value?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmSpec;
}

/**
 * A value over 2000 chars would be rejected by Slack, and a clamped one would decode to the wrong
 * thing; callers keep values short, so this throws to surface a bug in tests instead.
 */
export function button(b: ButtonSpec): Button {
  if (b.value !== undefined && b.value.length > LIMITS.buttonValue) {
    throw new Error(`button value too long (${b.value.length} > ${LIMITS.buttonValue}) for ${b.actionId}`);
  }
  return {
    type: 'button',
    text: { type: 'plain_text', text: clamp(b.text, LIMITS.buttonText), emoji: true },
    action_id: clamp(b.actionId, LIMITS.actionId),
    ...(b.value !== undefined ? { value: b.value } : {}),
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm ? { confirm: confirmDialog(b.confirm) } : {}),
  };
}

/** One actions block per 25 buttons; buttons in one message need distinct action_ids per block. */
export function actions(buttons: Button[], blockId?: string): ActionsBlock[] {
  const out: ActionsBlock[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.actionsElements) {
    out.push({
      type: 'actions',
      ...(blockId ? { block_id: clamp(`${blockId}${i ? `_${i}` : ''}`, LIMITS.actionId) } : {}),
      elements: buttons.slice(i, i + LIMITS.actionsElements),
    });
  }
  return out;
}

/** The context line every message carries in sandbox mode (no real Fluence, no real money). */
export function sandboxBlocks(sandbox: boolean): KnownBlock[] {
  return sandbox ? [context(SANDBOX_NOTE)] : [];
}
