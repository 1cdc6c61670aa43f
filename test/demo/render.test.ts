/**
 * The demo's Block Kit -> terminal renderer: what a person reads must match what Slack would show,
 * and nothing from outside may reach the terminal as an escape sequence.
 */
import { COLOR, PLAIN, clean, mrkdwnToLines, mrkdwnToText, renderBlock, renderElement, renderMessage, renderModal } from '../../src/demo/render';

describe('mrkdwn made readable', () => {
  it.each([
    ['<@U123>', '@U123'],
    ['<@U123|alice> deployed', '@alice deployed'],
    ['in <#C42|ml-team>', 'in #ml-team'],
    ['<#C42>', '#C42'],
    ['<!here> look', '@here look'],
    ['<https://fluence.dev|the docs>', 'the docs (https://fluence.dev)'],
    ['<https://fluence.dev>', 'https://fluence.dev'],
    ['*bold* and _italic_ and ~gone~', 'bold and italic and gone'],
    ['`a *not bold* code`', '`a *not bold* code`'],
    ['1 &lt; 2 &amp;&amp; 3 &gt; 2', '1 < 2 && 3 > 2'],
    ['price: *$0.39/h*.', 'price: $0.39/h.'],
  ])('%s -> %s', (input, expected) => {
    expect(mrkdwnToText(input)).toBe(expected);
  });

  it('renders a date token as UTC minutes, and keeps the fallback when the token has no epoch', () => {
    expect(mrkdwnToText('Updated <!date^1700000000^{date_short} {time}|2023-11-14T22:13:20Z>')).toBe('Updated 2023-11-14 22:13 UTC');
    expect(mrkdwnToText('<!date^soon^{date}|tomorrow>')).toBe('tomorrow');
  });

  it('frames code blocks on their own lines without blank lines around them', () => {
    expect(mrkdwnToLines('*Connect*\n```ssh -p 31600 root@host\nexit```\nafter')).toEqual(['Connect', '│ ssh -p 31600 root@host', '│ exit', 'after']);
  });

  it('drops terminal control characters from outside text (an instance name with an escape sequence)', () => {
    expect(clean('evil\u001b[2J\u0007name\nnext')).toBe('evil[2Jname\nnext');
    expect(mrkdwnToText('`\u001b]0;pwned\u0007box`')).toBe('`]0;pwnedbox`');
  });

  it('uses ANSI styles only with the colour style', () => {
    expect(mrkdwnToText('*bold* `code`', PLAIN)).not.toMatch(/\u001b/);
    expect(mrkdwnToText('*bold* `code`', COLOR)).toBe('\u001b[1mbold\u001b[22m \u001b[36mcode\u001b[39m');
  });
});

describe('blocks', () => {
  const txt = (text: string) => ({ type: 'mrkdwn', text });
  const plain = (text: string) => ({ type: 'plain_text', text });

  it('header, section with fields and a button accessory, context, divider', () => {
    const lines = renderMessage({
      text: 'fallback',
      blocks: [
        { type: 'header', text: plain('🟢 web-0') },
        { type: 'section', fields: [txt('*Type*\ncontainer'), txt('*Status*\nACTIVE'), txt('*GPU*\nH100')], accessory: { type: 'button', action_id: 'a', text: plain('Open') } },
        { type: 'divider' },
        { type: 'context', elements: [txt('billed by <@U1>'), { type: 'image', image_url: 'x', alt_text: 'logo' }] },
      ],
    });
    expect(lines).toEqual(['▌ 🟢 web-0', 'Type  container   ·   Status  ACTIVE', 'GPU  H100', '  [ Open ]', '─'.repeat(40), 'billed by @U1  ·  [logo]']);
  });

  it('uses the fallback text when a message has no blocks', () => {
    expect(renderMessage({ text: '✅ Terminated `web-0`.' })).toEqual(['✅ Terminated `web-0`.']);
  });

  it('shows buttons with their confirm dialog, selects with their choice, overflow menus', () => {
    const line = renderBlock({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'r', text: plain('Refresh') },
        {
          type: 'button', action_id: 't', style: 'danger', text: plain('Terminate'),
          confirm: { title: plain('Terminate web-0?'), text: txt('This stops `web-0` for good.'), confirm: plain('Terminate'), deny: plain('Keep it') },
        },
        { type: 'static_select', action_id: 's', placeholder: plain('Type'), initial_option: { text: plain('VMs'), value: 'vm' }, options: [{ text: plain('VMs'), value: 'vm' }, { text: plain('Containers'), value: 'c' }] },
        { type: 'overflow', action_id: 'o', options: [{ text: plain('Logs'), value: 'l' }, { text: plain('Events'), value: 'e' }] },
      ],
    });
    expect(line).toEqual([
      '[ Refresh ]  [ Terminate ] (asks first: “Terminate web-0?” This stops `web-0` for good. [Terminate] / [Keep it])  [ VMs ▾ ] (2 options)  [ ⋯ Logs | Events ]',
    ]);
  });

  it('shows inputs with label, value or a marked placeholder, hint and optional flag', () => {
    expect(renderBlock({ type: 'input', label: plain('Name'), element: { type: 'plain_text_input', action_id: 'v', placeholder: plain('my-gpu') }, hint: plain('lowercase') })).toEqual([
      'Name: [ e.g. my-gpu ]',
      '  lowercase',
    ]);
    expect(renderBlock({ type: 'input', optional: true, label: plain('Ports'), element: { type: 'plain_text_input', action_id: 'v', initial_value: '22/tcp' } })).toEqual([
      'Ports (optional): [ 22/tcp ]',
    ]);
    expect(renderElement({ type: 'radio_buttons', initial_option: { value: 'b' }, options: [{ text: plain('A'), value: 'a' }, { text: plain('B'), value: 'b' }] })).toBe('( ) A  (•) B');
  });

  it('frames a modal with its title and its Close / Submit buttons', () => {
    const lines = renderModal({ type: 'modal', title: plain('Deploy a GPU'), submit: plain('Deploy'), close: plain('Cancel'), blocks: [{ type: 'section', text: txt('⏳ Loading…') }] });
    expect(lines[0]).toMatch(/^┏━ Deploy a GPU ━+$/);
    expect(lines[1]).toBe('┃ ⏳ Loading…');
    expect(lines[2]).toMatch(/\[ Cancel \]  \[ Deploy \]$/);
    expect(lines[3]).toMatch(/^┗━+$/);
  });

  it('never throws on blocks it does not know', () => {
    expect(renderMessage({ blocks: [{ type: 'video' }, { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi ' }, { type: 'user', user_id: 'U1' }] }] }] })).toEqual([
      '[video block]',
      'hi @U1',
    ]);
  });
});
