/**
 * Block Kit -> terminal text, for the offline demo: what a person would read in Slack, as lines.
 * Pure functions over plain JSON (no Slack types: the demo prints whatever the bot really sent).
 * Everything printed passes through `clean()` first, because instance names, logs and API errors
 * come from outside and must not smuggle terminal escape sequences into someone's shell.
 */

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  code(s: string): string;
  italic(s: string): string;
  strike(s: string): string;
  accent(s: string): string;
  danger(s: string): string;
  good(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const same = (s: string) => s;

export const PLAIN: Style = { bold: same, dim: same, code: same, italic: same, strike: same, accent: same, danger: same, good: same };
export const COLOR: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  code: ansi(36, 39),
  italic: ansi(3, 23),
  strike: ansi(9, 29),
  accent: ansi(35, 39),
  danger: ansi(31, 39),
  good: ansi(32, 39),
};

type Json = Record<string, any>;

/** Drops control characters (ESC, BEL, CR...) except newlines and tabs. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescape = (s: string) => s.replace(/&(lt|gt|amp);/g, (e) => ENTITIES[e] ?? e);

/** One Slack `<…>` token -> readable text: mentions, channels, dates, links. */
function token(inner: string, st: Style): string {
  const bar = inner.indexOf('|');
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : undefined;
  if (target.startsWith('@')) return st.accent(`@${label ?? target.slice(1)}`);
  if (target.startsWith('#')) return st.accent(`#${label ?? target.slice(1)}`);
  if (target.startsWith('!date^')) return dateFromToken(target, label);
  if (target.startsWith('!subteam^')) return st.accent(`@${label ?? target.slice('!subteam^'.length)}`);
  if (target.startsWith('!')) return st.accent(`@${target.slice(1)}`);
  return label && label !== target ? `${label} (${target})` : target;
}

/**
 * `!date^1700000000^{date_short} {time}|fallback`: Slack shows it in the reader's time zone; a
 * terminal gets the UTC time, minutes only, which reads better than an ISO fallback.
 */
function dateFromToken(target: string, fallback: string | undefined): string {
  const secs = Number(target.split('^')[1]);
  if (!Number.isFinite(secs) || !/^\d+$/.test(target.split('^')[1] ?? '')) return fallback ?? target;
  return `${new Date(secs * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Inline mrkdwn (no code blocks) -> text: `<…>` tokens, *bold*, _italic_, ~strike~, `code`, entities. */
function inline(s: string, st: Style): string {
  // code spans first, so nothing inside them is read as formatting
  return s
    .split(/(`[^`\n]+`)/)
    .map((part, i) => {
      if (i % 2 === 1) return st === PLAIN ? unescape(part) : st.code(unescape(part.slice(1, -1)));
      return unescape(
        part
          .replace(/<([^<>\n]+)>/g, (_m, t: string) => token(t, st))
          .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s.,;:!?)])/g, (_m, pre: string, t: string) => pre + st.bold(t))
          .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s.,;:!?)])/g, (_m, pre: string, t: string) => pre + st.italic(t))
          .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s.,;:!?)])/g, (_m, pre: string, t: string) => pre + st.strike(t)),
      );
    })
    .join('');
}

/** Slack mrkdwn -> lines of readable text; ``` blocks become indented, framed code. */
export function mrkdwnToLines(s: string, st: Style = PLAIN): string[] {
  const out: string[] = [];
  const parts = clean(s).split('```');
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const code = part.replace(/^\n/, '').replace(/\n$/, '');
      for (const line of code.split('\n')) out.push(st.dim('│ ') + st.code(unescape(line)));
      return;
    }
    let trimmed = i > 0 ? part.replace(/^\n/, '') : part;
    if (i < parts.length - 1) trimmed = trimmed.replace(/\n$/, '');
    if (trimmed === '' && parts.length > 1) return;
    out.push(...trimmed.split('\n').map((l) => inline(l, st)));
  });
  return out;
}

export function mrkdwnToText(s: string, st: Style = PLAIN): string {
  return mrkdwnToLines(s, st).join('\n');
}

/** A text object (plain_text or mrkdwn) -> text. */
function textOf(t: unknown, st: Style): string {
  if (typeof t === 'string') return inline(clean(t), st);
  if (!t || typeof t !== 'object') return '';
  const o = t as Json;
  if (typeof o.text !== 'string') return '';
  return o.type === 'mrkdwn' ? mrkdwnToText(o.text, st) : clean(o.text);
}

function confirmNote(c: Json | undefined, st: Style): string {
  if (!c) return '';
  const title = textOf(c.title, st);
  const text = textOf(c.text, st).replace(/\n+/g, ' ');
  return st.dim(` (asks first: “${title}” ${text} [${textOf(c.confirm, st)}] / [${textOf(c.deny, st)}])`);
}

function optionLabel(o: Json | undefined, st: Style): string {
  return o ? textOf(o.text, st) : '';
}

/** One interactive element as it would look: [ Button ], [ Select ▾ ], ( ) radio... */
export function renderElement(e: Json, st: Style = PLAIN): string {
  switch (e.type) {
    case 'button': {
      const label = `[ ${textOf(e.text, st)} ]`;
      const styled = e.style === 'danger' ? st.danger(label) : e.style === 'primary' ? st.good(label) : st.bold(label);
      return styled + (e.url ? st.dim(` → ${clean(String(e.url))}`) : '') + confirmNote(e.confirm, st);
    }
    case 'overflow':
      return `[ ⋯ ${(e.options ?? []).map((o: Json) => optionLabel(o, st)).join(' | ')} ]`;
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select': {
      const chosen = optionLabel(e.initial_option, st) || textOf(e.placeholder, st) || 'Choose…';
      const n = (e.options ?? []).length + (e.option_groups ?? []).reduce((a: number, g: Json) => a + (g.options ?? []).length, 0);
      return `[ ${chosen} ▾ ]${n ? st.dim(` (${n} option${n === 1 ? '' : 's'})`) : ''}`;
    }
    case 'multi_static_select':
    case 'multi_external_select':
      return `[ ${(e.initial_options ?? []).map((o: Json) => optionLabel(o, st)).join(', ') || textOf(e.placeholder, st) || 'Choose…'} ▾▾ ]`;
    case 'radio_buttons':
    case 'checkboxes': {
      const picked = new Set([e.initial_option?.value, ...(e.initial_options ?? []).map((o: Json) => o.value)]);
      const mark = e.type === 'radio_buttons' ? ['( )', '(•)'] : ['[ ]', '[x]'];
      return (e.options ?? []).map((o: Json) => `${mark[picked.has(o.value) ? 1 : 0]} ${optionLabel(o, st)}`).join('  ');
    }
    case 'plain_text_input':
    case 'number_input':
    case 'email_text_input':
    case 'url_text_input': {
      // a placeholder is not a value: marked, so nobody reads "MODEL_PATH=…" as something that will be sent
      const placeholder = textOf(e.placeholder, PLAIN);
      const value = typeof e.initial_value === 'string' && e.initial_value !== '' ? clean(e.initial_value) : st.dim(placeholder ? `e.g. ${placeholder}` : ' ');
      return e.multiline ? `⎡ ${value.split('\n').join('\n  ')} ⎦` : `[ ${value} ]`;
    }
    case 'datepicker':
      return `[ 📅 ${e.initial_date ?? 'pick a date'} ]`;
    case 'image':
      return st.dim(`[image: ${clean(String(e.alt_text ?? ''))}]`);
    case 'mrkdwn':
    case 'plain_text':
      return textOf(e, st);
    default:
      return st.dim(`[${String(e.type)}]`);
  }
}

/** Rich text (what Slack stores for messages typed by people) flattened to its words. */
function richText(node: unknown, st: Style): string {
  if (Array.isArray(node)) return node.map((n) => richText(n, st)).join('');
  if (!node || typeof node !== 'object') return '';
  const n = node as Json;
  if (n.type === 'text') return clean(String(n.text ?? ''));
  if (n.type === 'user') return st.accent(`@${n.user_id}`);
  if (n.type === 'channel') return st.accent(`#${n.channel_id}`);
  if (n.type === 'link') return clean(String(n.text ?? n.url ?? ''));
  if (n.type === 'emoji') return `:${n.name}:`;
  return richText(n.elements, st) + (n.type === 'rich_text_section' || n.type === 'rich_text_preformatted' ? '\n' : '');
}

/** Two fields per row, as Slack lays them out on a wide screen. */
function fieldRows(fields: Json[], st: Style): string[] {
  const texts = fields.map((f) => textOf(f, st).replace(/\n+/g, '  '));
  const rows: string[] = [];
  for (let i = 0; i < texts.length; i += 2) rows.push(texts.slice(i, i + 2).join(st.dim('   ·   ')));
  return rows;
}

/** One block -> lines (without indentation). */
export function renderBlock(b: Json, st: Style = PLAIN): string[] {
  switch (b.type) {
    case 'header':
      return [st.bold(`▌ ${textOf(b.text, st)}`)];
    case 'section': {
      const lines = b.text ? textOf(b.text, st).split('\n') : [];
      if (Array.isArray(b.fields)) lines.push(...fieldRows(b.fields, st));
      if (b.accessory) lines.push(`  ${renderElement(b.accessory, st)}`);
      return lines;
    }
    case 'context':
      return [st.dim((b.elements ?? []).map((e: Json) => (e.type === 'image' ? `[${clean(String(e.alt_text ?? 'image'))}]` : textOf(e, PLAIN))).join('  ·  '))];
    case 'divider':
      return [st.dim('─'.repeat(40))];
    case 'actions':
      return [(b.elements ?? []).map((e: Json) => renderElement(e, st)).join('  ')];
    case 'input': {
      const optional = b.optional ? st.dim(' (optional)') : '';
      const lines = [`${st.bold(textOf(b.label, st))}${optional}: ${renderElement(b.element ?? {}, st)}`];
      if (b.hint) lines.push(st.dim(`  ${textOf(b.hint, st)}`));
      return lines;
    }
    case 'image':
      return [st.dim(`[image: ${clean(String(b.alt_text ?? ''))}]`)];
    case 'rich_text':
      return richText(b.elements, st).replace(/\n$/, '').split('\n');
    default:
      return [st.dim(`[${String(b.type)} block]`)];
  }
}

/** A message: its blocks, or its fallback text when it has none. */
export function renderMessage(msg: { text?: unknown; blocks?: unknown }, st: Style = PLAIN): string[] {
  const blocks = Array.isArray(msg.blocks) ? (msg.blocks as Json[]) : [];
  if (blocks.length === 0) return typeof msg.text === 'string' ? mrkdwnToLines(msg.text, st) : [];
  return blocks.flatMap((b) => renderBlock(b, st));
}

/** A modal, framed, with its title and its Submit / Close buttons. */
export function renderModal(view: Json, st: Style = PLAIN): string[] {
  const title = textOf(view.title, st) || 'Modal';
  const buttons = [view.close && `[ ${textOf(view.close, st)} ]`, view.submit && st.good(`[ ${textOf(view.submit, st)} ]`)].filter(Boolean);
  const body = (Array.isArray(view.blocks) ? view.blocks : []).flatMap((b: Json) => renderBlock(b, st));
  return [
    st.bold(`┏━ ${title} ${'━'.repeat(Math.max(3, 36 - title.length))}`),
    ...body.map((l: string) => `┃ ${l}`),
    ...(buttons.length ? [`┃ ${' '.repeat(20)}${buttons.join('  ')}`] : []),
    st.bold(`┗${'━'.repeat(40)}`),
  ];
}

/** Prefixes every line (threads are indented under their parent). */
export function indent(lines: string[], prefix: string): string[] {
  return lines.map((l) => prefix + l);
}
