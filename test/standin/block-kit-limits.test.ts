/**
 * The stand-in's Block Kit validator, one failing case per documented rule: each case breaks one
 * limit of an otherwise valid payload and names the error code and JSON pointer Slack would report.
 */
import { checkMessage, checkView, describeViolation, validateBlocks } from '../../src/standin';

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const x = (n: number) => 'x'.repeat(n);
const option = (text: string, value: string) => ({ text: plain(text), value });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', text: plain('Go'), action_id: 'go', value: 'v', ...over });
const select = (over: Record<string, unknown> = {}) => ({
  type: 'static_select',
  action_id: 'pick',
  placeholder: plain('Pick'),
  options: [option('One', '1'), option('Two', '2')],
  ...over,
});
const confirm = (over: Record<string, unknown> = {}) => ({ title: plain('Sure?'), text: mrkdwn('Really'), confirm: plain('Yes'), deny: plain('No'), ...over });
const input = (over: Record<string, unknown> = {}) => ({
  type: 'input',
  block_id: 'name',
  label: plain('Name'),
  element: { type: 'plain_text_input', action_id: 'name_input', placeholder: plain('my-gpu') },
  ...over,
});
const modal = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'deploy',
  title: plain('Deploy a GPU'),
  submit: plain('Deploy'),
  close: plain('Cancel'),
  private_metadata: '{}',
  blocks: [input()],
  ...over,
});
const section = (text: string, over: Record<string, unknown> = {}) => ({ type: 'section', text: mrkdwn(text), ...over });

/** The first violation for `blocks` in a message, as Slack words it. */
function messageError(blocks: unknown[]): string | undefined {
  const r = checkMessage({ text: 'fallback', blocks });
  return r && `${r.error}: ${describeViolation(r.violations[0]!)}`;
}
function viewError(view: unknown): string | undefined {
  const r = checkView(view);
  return r && `${r.error}: ${describeViolation(r.violations[0]!)}`;
}

describe('valid payloads pass', () => {
  it('a message using every element the bot builds', () => {
    const blocks = [
      { type: 'header', text: plain(x(150)) },
      section(x(3000), { accessory: button({ confirm: confirm() }) }),
      { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn(x(2000))) },
      { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c')) },
      { type: 'actions', block_id: 'a', elements: Array.from({ length: 25 }, (_, i) => button({ action_id: `b${i}` })) },
      { type: 'divider' },
      ...Array.from({ length: 44 }, () => ({ type: 'divider' })),
    ];
    expect(blocks).toHaveLength(50);
    expect(messageError(blocks)).toBeUndefined();
  });
  it('a modal with 100 blocks, inputs, selects and option groups', () => {
    const blocks = [
      input(),
      input({ block_id: 'plan', element: select({ options: Array.from({ length: 100 }, (_, i) => option(x(75), `${i}${x(140)}`)) }) }),
      input({ block_id: 'grouped', element: select({ options: undefined, option_groups: [{ label: plain('G'), options: [option('a', 'a')] }] }) }),
      ...Array.from({ length: 97 }, () => ({ type: 'divider' })),
    ];
    expect(viewError(modal({ blocks }))).toBeUndefined();
  });
});

// [message or view, breaking change, expected "code: message [json-pointer:...]"]
const messageCases: Array<[string, unknown[], string]> = [
  ['more than 50 blocks in a message', Array.from({ length: 51 }, () => ({ type: 'divider' })), 'invalid_blocks: no more than 50 items allowed [json-pointer:/blocks]'],
  ['section text over 3000', [section(x(3001))], 'invalid_blocks: must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
  ['empty section text', [section('')], 'invalid_blocks: must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
  ['section without text or fields', [{ type: 'section' }], 'invalid_blocks: must provide either text or fields [json-pointer:/blocks/0]'],
  ['more than 10 section fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }], 'invalid_blocks: no more than 10 items allowed [json-pointer:/blocks/0/fields]'],
  ['section field over 2000', [{ type: 'section', fields: [mrkdwn(x(2001))] }], 'invalid_blocks: must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]'],
  ['header over 150', [{ type: 'header', text: plain(x(151)) }], 'invalid_blocks: must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
  ['mrkdwn header', [{ type: 'header', text: mrkdwn('h') }], 'invalid_blocks: must be plain_text [json-pointer:/blocks/0/text/type]'],
  ['a text object of an unknown type', [{ type: 'section', text: { type: 'markdown', text: 'm' } }], 'invalid_blocks: must be plain_text or mrkdwn [json-pointer:/blocks/0/text/type]'],
  ['emoji on mrkdwn', [section('s', { text: { type: 'mrkdwn', text: 's', emoji: true } })], 'invalid_blocks: emoji is only allowed on plain_text [json-pointer:/blocks/0/text/emoji]'],
  ['a bare string where a text object belongs', [{ type: 'section', text: 'hello' }], 'invalid_blocks: must be a text object [json-pointer:/blocks/0/text]'],
  ['more than 10 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }], 'invalid_blocks: no more than 10 items allowed [json-pointer:/blocks/0/elements]'],
  ['empty context', [{ type: 'context', elements: [] }], 'invalid_blocks: must provide at least 1 item [json-pointer:/blocks/0/elements]'],
  ['more than 25 actions elements', [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })) }], 'invalid_blocks: no more than 25 items allowed [json-pointer:/blocks/0/elements]'],
  ['duplicate action_id in one block', [{ type: 'actions', elements: [button(), button()] }], 'invalid_blocks: duplicate action_id go in one block [json-pointer:/blocks/0]'],
  ['duplicate block_id in one message', [section('a', { block_id: 'same' }), section('b', { block_id: 'same' })], 'invalid_blocks: duplicate block_id (same as /blocks/0) [json-pointer:/blocks/1/block_id]'],
  ['block_id over 255', [section('a', { block_id: x(256) })], 'invalid_blocks: must be less than 256 characters [json-pointer:/blocks/0/block_id]'],
  ['action_id over 255', [section('a', { accessory: button({ action_id: x(256) }) })], 'invalid_blocks: must be less than 256 characters [json-pointer:/blocks/0/accessory/action_id]'],
  ['button text over 75', [section('a', { accessory: button({ text: plain(x(76)) }) })], 'invalid_blocks: must be less than 76 characters [json-pointer:/blocks/0/accessory/text/text]'],
  ['mrkdwn button text', [section('a', { accessory: button({ text: mrkdwn('Go') }) })], 'invalid_blocks: must be plain_text [json-pointer:/blocks/0/accessory/text/type]'],
  ['button value over 2000', [section('a', { accessory: button({ value: x(2001) }) })], 'invalid_blocks: must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]'],
  ['button url over 3000', [section('a', { accessory: button({ url: `https://${x(3000)}` }) })], 'invalid_blocks: must be less than 3001 characters [json-pointer:/blocks/0/accessory/url]'],
  ['button style not primary/danger', [section('a', { accessory: button({ style: 'warning' }) })], 'invalid_blocks: must be primary or danger [json-pointer:/blocks/0/accessory/style]'],
  ['confirm title over 100', [section('a', { accessory: button({ confirm: confirm({ title: plain(x(101)) }) }) })], 'invalid_blocks: must be less than 101 characters [json-pointer:/blocks/0/accessory/confirm/title/text]'],
  ['confirm text over 300', [section('a', { accessory: button({ confirm: confirm({ text: mrkdwn(x(301)) }) }) })], 'invalid_blocks: must be less than 301 characters [json-pointer:/blocks/0/accessory/confirm/text/text]'],
  ['confirm button over 30', [section('a', { accessory: button({ confirm: confirm({ confirm: plain(x(31)) }) }) })], 'invalid_blocks: must be less than 31 characters [json-pointer:/blocks/0/accessory/confirm/confirm/text]'],
  ['confirm deny over 30', [section('a', { accessory: button({ confirm: confirm({ deny: plain(x(31)) }) }) })], 'invalid_blocks: must be less than 31 characters [json-pointer:/blocks/0/accessory/confirm/deny/text]'],
  ['mrkdwn confirm title', [section('a', { accessory: button({ confirm: confirm({ title: mrkdwn('t') }) }) })], 'invalid_blocks: must be plain_text [json-pointer:/blocks/0/accessory/confirm/title/type]'],
  ['an element a block does not accept', [section('a', { accessory: { type: 'plain_text_input', action_id: 'i' } })], 'invalid_blocks: element type plain_text_input is not allowed here [json-pointer:/blocks/0/accessory/type]'],
  ['a block type messages do not have', [{ type: 'nonsense' }], 'invalid_blocks: block type nonsense is not allowed in a message [json-pointer:/blocks/0/type]'],
  ['overflow with more than 5 options', [section('a', { accessory: { type: 'overflow', action_id: 'o', options: Array.from({ length: 6 }, (_, i) => option('o', `${i}`)) } })], 'invalid_blocks: no more than 5 items allowed [json-pointer:/blocks/0/accessory/options]'],
  ['image without alt_text', [{ type: 'image', image_url: 'https://example.com/a.png' }], 'invalid_blocks: missing required field [json-pointer:/blocks/0/alt_text]'],
];

const viewCases: Array<[string, unknown, string]> = [
  ['more than 100 blocks in a modal', modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }), 'invalid_arguments: no more than 100 items allowed [json-pointer:/view/blocks]'],
  ['more than 100 blocks in a Home tab', { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }, 'invalid_arguments: no more than 100 items allowed [json-pointer:/view/blocks]'],
  ['modal title over 24', modal({ title: plain(x(25)) }), 'invalid_arguments: must be less than 25 characters [json-pointer:/view/title/text]'],
  ['modal submit over 24', modal({ submit: plain(x(25)) }), 'invalid_arguments: must be less than 25 characters [json-pointer:/view/submit/text]'],
  ['modal close over 24', modal({ close: plain(x(25)) }), 'invalid_arguments: must be less than 25 characters [json-pointer:/view/close/text]'],
  ['mrkdwn modal title', modal({ title: mrkdwn('t') }), 'invalid_arguments: must be plain_text [json-pointer:/view/title/type]'],
  ['modal without a title', modal({ title: undefined }), 'invalid_arguments: missing required field [json-pointer:/view/title]'],
  ['inputs without submit', modal({ submit: undefined }), 'invalid_arguments: submit is required when the view has input blocks [json-pointer:/view/submit]'],
  ['private_metadata over 3000', modal({ private_metadata: x(3001) }), 'invalid_arguments: must be less than 3001 characters [json-pointer:/view/private_metadata]'],
  ['callback_id over 255', modal({ callback_id: x(256) }), 'invalid_arguments: must be less than 256 characters [json-pointer:/view/callback_id]'],
  ['external_id over 255', modal({ external_id: x(256) }), 'invalid_arguments: must be less than 256 characters [json-pointer:/view/external_id]'],
  ['not a modal or home', modal({ type: 'workflow_step' }), 'invalid_arguments: must be modal or home [json-pointer:/view/type]'],
  ['a view over 250 kB', modal({ blocks: Array.from({ length: 100 }, () => section(x(2600))) }), 'view_too_large: must be less than 250000 bytes [json-pointer:/view]'],
  ['a markdown block (messages only)', modal({ blocks: [{ type: 'markdown', text: 'm' }] }), 'invalid_arguments: block type markdown is not allowed in a modal [json-pointer:/view/blocks/0/type]'],
  ['input label over 2000', modal({ blocks: [input({ label: plain(x(2001)) })] }), 'invalid_arguments: must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]'],
  ['mrkdwn input label', modal({ blocks: [input({ label: mrkdwn('l') })] }), 'invalid_arguments: must be plain_text [json-pointer:/view/blocks/0/label/type]'],
  ['input hint over 2000', modal({ blocks: [input({ hint: plain(x(2001)) })] }), 'invalid_arguments: must be less than 2001 characters [json-pointer:/view/blocks/0/hint/text]'],
  ['input without an element', modal({ blocks: [input({ element: undefined })] }), 'invalid_arguments: missing required field [json-pointer:/view/blocks/0/element]'],
  ['placeholder over 150', modal({ blocks: [input({ element: { type: 'plain_text_input', action_id: 'i', placeholder: plain(x(151)) } })] }), 'invalid_arguments: must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]'],
  ['mrkdwn placeholder', modal({ blocks: [input({ element: { type: 'plain_text_input', action_id: 'i', placeholder: mrkdwn('p') } })] }), 'invalid_arguments: must be plain_text [json-pointer:/view/blocks/0/element/placeholder/type]'],
  ['max_length over 3000', modal({ blocks: [input({ element: { type: 'plain_text_input', action_id: 'i', max_length: 3001 } })] }), 'invalid_arguments: must be between 1 and 3000 [json-pointer:/view/blocks/0/element/max_length]'],
  ['more than 100 select options', modal({ blocks: [input({ element: select({ options: Array.from({ length: 101 }, (_, i) => option('o', `${i}`)) }) })] }), 'invalid_arguments: no more than 100 items allowed [json-pointer:/view/blocks/0/element/options]'],
  ['more than 100 option groups', modal({ blocks: [input({ element: select({ options: undefined, option_groups: Array.from({ length: 101 }, () => ({ label: plain('g'), options: [option('o', 'o')] })) }) })] }), 'invalid_arguments: no more than 100 items allowed [json-pointer:/view/blocks/0/element/option_groups]'],
  ['options and option_groups together', modal({ blocks: [input({ element: select({ option_groups: [{ label: plain('g'), options: [option('o', 'o')] }] }) })] }), 'invalid_arguments: must provide exactly one of options or option_groups [json-pointer:/view/blocks/0/element]'],
  ['option group label over 75', modal({ blocks: [input({ element: select({ options: undefined, option_groups: [{ label: plain(x(76)), options: [option('o', 'o')] }] }) })] }), 'invalid_arguments: must be less than 76 characters [json-pointer:/view/blocks/0/element/option_groups/0/label/text]'],
  ['option text over 75', modal({ blocks: [input({ element: select({ options: [option(x(76), 'v')] }) })] }), 'invalid_arguments: must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]'],
  ['option value over 150', modal({ blocks: [input({ element: select({ options: [option('o', x(151))] }) })] }), 'invalid_arguments: must be less than 151 characters [json-pointer:/view/blocks/0/element/options/0/value]'],
  ['mrkdwn option text in a select', modal({ blocks: [input({ element: select({ options: [{ text: mrkdwn('o'), value: 'v' }] }) })] }), 'invalid_arguments: must be plain_text [json-pointer:/view/blocks/0/element/options/0/text/type]'],
  ['initial_option that is not an option', modal({ blocks: [input({ element: select({ initial_option: option('Three', '3') }) })] }), 'invalid_arguments: must match one of the options [json-pointer:/view/blocks/0/element/initial_option]'],
  ['more than 10 radio buttons', modal({ blocks: [input({ element: { type: 'radio_buttons', action_id: 'r', options: Array.from({ length: 11 }, (_, i) => option('o', `${i}`)) } })] }), 'invalid_arguments: no more than 10 items allowed [json-pointer:/view/blocks/0/element/options]'],
  ['duplicate block_id in one view', modal({ blocks: [input(), input()] }), 'invalid_arguments: duplicate block_id (same as /view/blocks/0) [json-pointer:/view/blocks/1/block_id]'],
];

describe('messages: invalid_blocks', () => {
  it.each(messageCases)('%s', (_name, blocks, expected) => expect(messageError(blocks)).toBe(expected));
});

describe('views: invalid_arguments', () => {
  it.each(viewCases)('%s', (_name, view, expected) => expect(viewError(view)).toBe(expected));
});

describe('message-level rules', () => {
  it('a message needs text, blocks or attachments (no_text)', () => {
    expect(checkMessage({})?.error).toBe('no_text');
    expect(checkMessage({ text: '' , blocks: [] })?.error).toBe('no_text');
    expect(checkMessage({ text: 'hi' })).toBeUndefined();
  });
  it('text above 40,000 characters is msg_too_long', () => {
    expect(checkMessage({ text: x(40_000) })).toBeUndefined();
    expect(checkMessage({ text: x(40_001) })).toEqual({ error: 'msg_too_long', violations: [{ pointer: '/text', message: 'must be less than 40001 characters' }] });
  });
  it('blocks that are not an array are invalid_blocks_format', () => {
    expect(checkMessage({ text: 't', blocks: '[{"type":"divider"' })?.error).toBe('invalid_blocks_format');
  });
  it('reports every violation, not only the first', () => {
    expect(validateBlocks([section(x(3001)), { type: 'header', text: plain(x(151)) }], 'message').map((v) => v.pointer)).toEqual(['/blocks/0/text/text', '/blocks/1/text/text']);
  });
});
