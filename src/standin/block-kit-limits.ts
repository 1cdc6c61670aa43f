/**
 * Slack's documented Block Kit limits, checked the way Slack checks them, so the stand-in can answer
 * a payload real Slack would refuse with the same refusal (`invalid_blocks`, `invalid_arguments`,
 * `msg_too_long`, `no_text`). Each violation carries a JSON pointer and Slack's wording, e.g.
 * `must be less than 3001 characters [json-pointer:/blocks/0/text/text]` (the shape Slack puts in
 * `errors` / `response_metadata.messages`).
 *
 * Sources, cited next to each rule:
 *   [blocks]   https://docs.slack.dev/reference/block-kit/blocks (50 per message, 100 per modal/Home;
 *              which block types each surface accepts) and each block's own page under it
 *   [elements] https://docs.slack.dev/reference/block-kit/block-elements/<element>
 *   [objects]  https://docs.slack.dev/reference/block-kit/composition-objects/<object>
 *   [views]    https://docs.slack.dev/reference/views (modal/Home view object) and views.open/update errors
 *   [chat]     https://docs.slack.dev/reference/methods/chat.postMessage (text, errors)
 *   [§5]       ../shared/slack/BOLT.md §5 (the same limits as @slack/types' JSDoc states them)
 * Lengths are counted in UTF-16 code units (String.length): never more lenient than Slack's count.
 * Where Slack's sources disagree the stricter documented value is not assumed; the comment says which.
 */

import { conversationSelectViolations } from './conversation-select';

import { ACCESSORY_ELEMENTS, ACTIONS_ELEMENTS, BLOCK_KIT_LIMITS, BLOCKS_BY_SURFACE, INPUT_ELEMENTS, type Surface } from './block-kit-catalog';

export { BLOCK_KIT_LIMITS, type Surface } from './block-kit-catalog';

export interface BlockKitViolation {
  /** RFC 6901 pointer into the payload, as Slack prints it. */
  pointer: string;
  message: string;
}

/** What Slack answers instead of ok:true; undefined when the payload is acceptable. */
export interface BlockKitRefusal {
  error: string;
  violations: BlockKitViolation[];
}

const L = BLOCK_KIT_LIMITS;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Slack's own wording for a violation: `<message> [json-pointer:<pointer>]`. */
export function describeViolation(v: BlockKitViolation): string {
  return `${v.message} [json-pointer:${v.pointer}]`;
}

class Checker {
  readonly out: BlockKitViolation[] = [];

  add(pointer: string, message: string): void {
    this.out.push({ pointer, message });
  }

  /** A required-or-optional string of at most `max` (and at least `min`) characters. */
  str(value: unknown, pointer: string, max: number, opts: { min?: number; required?: boolean } = {}): void {
    if (value === undefined) {
      if (opts.required) this.add(pointer, 'missing required field');
      return;
    }
    if (typeof value !== 'string') return this.add(pointer, 'must be a string');
    if (value.length > max) this.add(pointer, `must be less than ${max + 1} characters`);
    if (value.length < (opts.min ?? 0)) this.add(pointer, `must be more than ${(opts.min ?? 0) - 1} characters`);
  }

  /** An array of `min`..`max` items; returns it (or [] when it is not an array) for the caller to walk. */
  list(value: unknown, pointer: string, max: number, opts: { min?: number; required?: boolean } = {}): unknown[] {
    if (value === undefined) {
      if (opts.required) this.add(pointer, 'missing required field');
      return [];
    }
    if (!Array.isArray(value)) {
      this.add(pointer, 'must be an array');
      return [];
    }
    if (value.length > max) this.add(pointer, `no more than ${max} items allowed`);
    if (value.length < (opts.min ?? 0)) this.add(pointer, `must provide at least ${opts.min} item${opts.min === 1 ? '' : 's'}`);
    return value;
  }

  /**
   * [objects] text-object: `{type: plain_text|mrkdwn, text}`, text 1..max; `emoji` only on plain_text,
   * `verbatim` only on mrkdwn. `plainOnly` where Slack documents "Must be plain_text".
   */
  text(node: unknown, pointer: string, max: number, opts: { plainOnly?: boolean; required?: boolean } = {}): void {
    if (node === undefined) {
      if (opts.required) this.add(pointer, 'missing required field');
      return;
    }
    if (!isObj(node)) return this.add(pointer, 'must be a text object');
    if (node.type !== 'plain_text' && node.type !== 'mrkdwn') return this.add(`${pointer}/type`, 'must be plain_text or mrkdwn');
    if (opts.plainOnly && node.type !== 'plain_text') this.add(`${pointer}/type`, 'must be plain_text');
    if (node.type === 'mrkdwn' && node.emoji !== undefined) this.add(`${pointer}/emoji`, 'emoji is only allowed on plain_text');
    if (node.type === 'plain_text' && node.verbatim !== undefined) this.add(`${pointer}/verbatim`, 'verbatim is only allowed on mrkdwn');
    this.str(node.text, `${pointer}/text`, max, { min: 1, required: true });
  }

  /** [objects] confirmation-dialog-object: title/confirm/deny plain_text; text plain_text or mrkdwn (per @slack/types). */
  confirm(node: unknown, pointer: string): void {
    if (node === undefined) return;
    if (!isObj(node)) return this.add(pointer, 'must be a confirmation dialog object');
    this.text(node.title, `${pointer}/title`, L.confirmTitle, { plainOnly: true, required: true });
    this.text(node.text, `${pointer}/text`, L.confirmText, { required: true });
    this.text(node.confirm, `${pointer}/confirm`, L.confirmButton, { plainOnly: true, required: true });
    this.text(node.deny, `${pointer}/deny`, L.confirmButton, { plainOnly: true, required: true });
    if (node.style !== undefined && node.style !== 'primary' && node.style !== 'danger') this.add(`${pointer}/style`, 'must be primary or danger');
  }

  /** [objects] option-object; text must be plain_text in selects and overflow menus, may be mrkdwn in checkboxes/radios. */
  option(node: unknown, pointer: string, opts: { plainOnly: boolean; url?: boolean }): void {
    if (!isObj(node)) return this.add(pointer, 'must be an option object');
    this.text(node.text, `${pointer}/text`, L.optionText, { plainOnly: opts.plainOnly, required: true });
    this.str(node.value, `${pointer}/value`, L.optionValue, { min: 1, required: true });
    this.text(node.description, `${pointer}/description`, L.optionText, { plainOnly: opts.plainOnly });
    if (node.url !== undefined) {
      if (opts.url) this.str(node.url, `${pointer}/url`, L.url, { min: 1 });
      else this.add(`${pointer}/url`, 'url is only allowed in overflow menu options');
    }
  }

  /** [elements] static-select: exactly one of options / option_groups; initial options must be among them. */
  staticOptions(e: Json, pointer: string): void {
    const hasOptions = e.options !== undefined;
    const hasGroups = e.option_groups !== undefined;
    if (hasOptions === hasGroups) this.add(pointer, 'must provide exactly one of options or option_groups');
    const all: Json[] = [];
    this.list(e.options, `${pointer}/options`, L.selectOptions).forEach((o, i) => {
      this.option(o, `${pointer}/options/${i}`, { plainOnly: true });
      if (isObj(o)) all.push(o);
    });
    this.list(e.option_groups, `${pointer}/option_groups`, L.selectOptions).forEach((g, i) => {
      const gp = `${pointer}/option_groups/${i}`;
      if (!isObj(g)) return this.add(gp, 'must be an option group object');
      this.text(g.label, `${gp}/label`, L.optionGroupLabel, { plainOnly: true, required: true });
      this.list(g.options, `${gp}/options`, L.selectOptions, { min: 1, required: true }).forEach((o, j) => {
        this.option(o, `${gp}/options/${j}`, { plainOnly: true });
        if (isObj(o)) all.push(o);
      });
    });
    this.initialAmong(e, pointer, all);
  }

  /** [elements] "initial_option ... must be an exact match to one of the options". */
  initialAmong(e: Json, pointer: string, options: Json[]): void {
    const same = (a: unknown) => options.some((o) => isObj(a) && o.value === a.value && JSON.stringify(o.text) === JSON.stringify(a.text));
    if (e.initial_option !== undefined && !same(e.initial_option)) this.add(`${pointer}/initial_option`, 'must match one of the options');
    if (Array.isArray(e.initial_options)) {
      e.initial_options.forEach((o, i) => {
        if (!same(o)) this.add(`${pointer}/initial_options/${i}`, 'must match one of the options');
      });
    }
  }

  element(e: unknown, pointer: string, allowed: ReadonlySet<string>): void {
    if (!isObj(e)) return this.add(pointer, 'must be an element object');
    const type = String(e.type);
    if (!allowed.has(type)) return this.add(`${pointer}/type`, `element type ${type} is not allowed here`);
    this.str(e.action_id, `${pointer}/action_id`, L.actionId, { min: 1 });
    this.confirm(e.confirm, `${pointer}/confirm`);
    if (e.placeholder !== undefined) this.text(e.placeholder, `${pointer}/placeholder`, L.placeholder, { plainOnly: true });
    switch (type) {
      case 'button':
        this.text(e.text, `${pointer}/text`, L.buttonText, { plainOnly: true, required: true });
        this.str(e.value, `${pointer}/value`, L.buttonValue);
        this.str(e.url, `${pointer}/url`, L.url, { min: 1 });
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') this.add(`${pointer}/style`, 'must be primary or danger');
        return;
      case 'static_select':
      case 'multi_static_select':
        return this.staticOptions(e, pointer);
      case 'overflow':
        this.list(e.options, `${pointer}/options`, L.overflowOptions, { min: 1, required: true }).forEach((o, i) =>
          this.option(o, `${pointer}/options/${i}`, { plainOnly: true, url: true }),
        );
        return;
      case 'checkboxes':
      case 'radio_buttons': {
        const options = this.list(e.options, `${pointer}/options`, L.choiceOptions, { min: 1, required: true });
        options.forEach((o, i) => this.option(o, `${pointer}/options/${i}`, { plainOnly: false }));
        return this.initialAmong(e, pointer, options.filter(isObj));
      }
      case 'conversations_select':
      case 'multi_conversations_select':
        for (const v of conversationSelectViolations(e, pointer, type.startsWith('multi_'))) this.add(v.pointer, v.message);
        return;
      case 'plain_text_input':
        if (e.min_length !== undefined && !(Number.isInteger(e.min_length) && (e.min_length as number) >= 0 && (e.min_length as number) <= L.inputLength)) {
          this.add(`${pointer}/min_length`, `must be between 0 and ${L.inputLength}`);
        }
        if (e.max_length !== undefined && !(Number.isInteger(e.max_length) && (e.max_length as number) >= 1 && (e.max_length as number) <= L.inputLength)) {
          this.add(`${pointer}/max_length`, `must be between 1 and ${L.inputLength}`);
        }
        return;
      case 'image':
        this.str(e.alt_text, `${pointer}/alt_text`, L.altText, { min: 1, required: true });
        if (e.slack_file === undefined) this.str(e.image_url, `${pointer}/image_url`, L.url, { min: 1, required: true });
        return;
      default:
        return;
    }
  }
}

/**
 * Checks `blocks` for `surface`: count, block types, per-block limits, unique block_ids (across the
 * whole message or view) and unique action_ids within each block.
 */
export function validateBlocks(blocks: unknown, surface: Surface, pointer = '/blocks'): BlockKitViolation[] {
  const c = new Checker();
  checkBlocks(c, blocks, surface, pointer);
  return c.out;
}

function checkBlocks(c: Checker, blocks: unknown, surface: Surface, pointer: string): void {
  const max = surface === 'message' ? L.messageBlocks : L.viewBlocks;
  const list = c.list(blocks, pointer, max);
  const blockIds = new Map<string, number>();
  list.forEach((b, i) => {
    const p = `${pointer}/${i}`;
    if (!isObj(b)) return c.add(p, 'must be a block object');
    if (b.block_id !== undefined) {
      c.str(b.block_id, `${p}/block_id`, L.blockId, { min: 1 });
      // [blocks] block_id: "should be unique for each message and each iteration of a message"
      const first = typeof b.block_id === 'string' ? blockIds.get(b.block_id) : undefined;
      if (first !== undefined) c.add(`${p}/block_id`, `duplicate block_id (same as ${pointer}/${first})`);
      else if (typeof b.block_id === 'string') blockIds.set(b.block_id, i);
    }
    const type = String(b.type);
    if (!BLOCKS_BY_SURFACE[surface].has(type)) return c.add(`${p}/type`, `block type ${type} is not allowed in a ${surface}`);
    checkBlock(c, b, type, p);
    // [elements] action_id: "should be unique among all other action_ids in the containing block"
    const seen = new Set<string>();
    const elements = [...(Array.isArray(b.elements) ? b.elements : []), b.accessory, b.element];
    elements.forEach((e) => {
      if (!isObj(e) || typeof e.action_id !== 'string') return;
      if (seen.has(e.action_id)) c.add(p, `duplicate action_id ${e.action_id} in one block`);
      seen.add(e.action_id);
    });
  });
}

function checkBlock(c: Checker, b: Json, type: string, p: string): void {
  switch (type) {
    case 'section': {
      // [blocks] section-block: "text ... is preferred; one of text or fields is required"
      if (b.text === undefined && b.fields === undefined) c.add(p, 'must provide either text or fields');
      c.text(b.text, `${p}/text`, L.text);
      c.list(b.fields, `${p}/fields`, L.sectionFields, { min: 1 }).forEach((f, i) => c.text(f, `${p}/fields/${i}`, L.sectionField));
      if (b.accessory !== undefined) c.element(b.accessory, `${p}/accessory`, ACCESSORY_ELEMENTS);
      return;
    }
    case 'header':
      // [blocks] header-block: "text: A text object ... must be plain_text", 150 characters
      return c.text(b.text, `${p}/text`, L.header, { plainOnly: true, required: true });
    case 'context':
      c.list(b.elements, `${p}/elements`, L.contextElements, { min: 1, required: true }).forEach((e, i) => {
        const ep = `${p}/elements/${i}`;
        if (isObj(e) && e.type === 'image') c.element(e, ep, new Set(['image']));
        else c.text(e, ep, L.text, { required: true });
      });
      return;
    case 'actions':
      c.list(b.elements, `${p}/elements`, L.actionsElements, { min: 1, required: true }).forEach((e, i) =>
        c.element(e, `${p}/elements/${i}`, ACTIONS_ELEMENTS),
      );
      return;
    case 'input':
      // [blocks] input-block: label and hint "Must be plain_text", 2000 characters; element required
      c.text(b.label, `${p}/label`, L.label, { plainOnly: true, required: true });
      c.text(b.hint, `${p}/hint`, L.hint, { plainOnly: true });
      if (b.element === undefined) c.add(`${p}/element`, 'missing required field');
      else c.element(b.element, `${p}/element`, INPUT_ELEMENTS);
      return;
    case 'image':
      c.str(b.alt_text, `${p}/alt_text`, L.altText, { min: 1, required: true });
      if (b.slack_file === undefined) c.str(b.image_url, `${p}/image_url`, L.url, { min: 1, required: true });
      c.text(b.title, `${p}/title`, L.label, { plainOnly: true });
      return;
    case 'markdown':
      return c.str(b.text, `${p}/text`, L.markdownBlock, { min: 1, required: true });
    default:
      // divider, rich_text, video, file, table: accepted as they come (the bot does not build them)
      return;
  }
}

export interface MessagePayload {
  text?: unknown;
  blocks?: unknown;
  attachments?: unknown;
}

/**
 * A message sent by chat.postMessage / chat.update / chat.postEphemeral or to a response_url.
 * [chat] errors: no_text (neither text, blocks nor attachments), msg_too_long (text above 40,000),
 * invalid_blocks_format (blocks not an array), invalid_blocks (a limit above).
 */
export function checkMessage(payload: MessagePayload, opts: { requireContent?: boolean } = {}): BlockKitRefusal | undefined {
  const hasBlocks = Array.isArray(payload.blocks) && payload.blocks.length > 0;
  const hasText = typeof payload.text === 'string' && payload.text.length > 0;
  if ((opts.requireContent ?? true) && !hasText && !hasBlocks && !payload.attachments) {
    return { error: 'no_text', violations: [{ pointer: '/text', message: 'must provide text, blocks or attachments' }] };
  }
  if (typeof payload.text === 'string' && payload.text.length > L.messageText) {
    return { error: 'msg_too_long', violations: [{ pointer: '/text', message: `must be less than ${L.messageText + 1} characters` }] };
  }
  if (payload.blocks !== undefined && !Array.isArray(payload.blocks)) {
    return { error: 'invalid_blocks_format', violations: [{ pointer: '/blocks', message: 'must be an array' }] };
  }
  const violations = payload.blocks === undefined ? [] : validateBlocks(payload.blocks, 'message');
  return violations.length ? { error: 'invalid_blocks', violations } : undefined;
}

/**
 * A view for views.open / push / update / publish, or in a view_submission `response_action`.
 * [views] Slack answers invalid_arguments with the pointers in response_metadata.messages, and
 * view_too_large above 250 kB.
 */
export function checkView(view: unknown): BlockKitRefusal | undefined {
  const c = new Checker();
  if (!isObj(view)) return { error: 'invalid_arguments', violations: [{ pointer: '/view', message: 'must be a view object' }] };
  if (JSON.stringify(view).length > L.viewBytes) {
    return { error: 'view_too_large', violations: [{ pointer: '/view', message: `must be less than ${L.viewBytes} bytes` }] };
  }
  const p = '/view';
  if (view.type !== 'modal' && view.type !== 'home') return { error: 'invalid_arguments', violations: [{ pointer: `${p}/type`, message: 'must be modal or home' }] };
  const surface: Surface = view.type;
  if (surface === 'modal') {
    c.text(view.title, `${p}/title`, L.viewTitle, { plainOnly: true, required: true });
    c.text(view.submit, `${p}/submit`, L.viewTitle, { plainOnly: true });
    c.text(view.close, `${p}/close`, L.viewTitle, { plainOnly: true });
    // [views] submit: "required when an input block is within the blocks array"
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.add(`${p}/submit`, 'submit is required when the view has input blocks');
  }
  if (surface === 'home') {
    // [views] a Home tab view has type, blocks, private_metadata, callback_id and external_id only
    for (const k of ['title', 'submit', 'close', 'submit_disabled', 'notify_on_close', 'clear_on_close']) {
      if (view[k] !== undefined) c.add(`${p}/${k}`, `${k} is not allowed in a home view`);
    }
  }
  c.str(view.private_metadata, `${p}/private_metadata`, L.privateMetadata);
  c.str(view.callback_id, `${p}/callback_id`, L.callbackId);
  c.str(view.external_id, `${p}/external_id`, L.externalId);
  checkBlocks(c, view.blocks, surface, `${p}/blocks`);
  if (view.blocks === undefined) c.add(`${p}/blocks`, 'missing required field');
  return c.out.length ? { error: 'invalid_arguments', violations: c.out } : undefined;
}
