/**
 * Turns what the Slack stand-in recorded (Web API calls and response_url posts) into what a person
 * in the channel would have seen, in order: channel posts, edits, thread replies (indented under
 * their parent), ephemeral answers ("only you"), modals opening and changing. `flush()` prints
 * whatever arrived since the last flush, so the demo script can show each step's effect under it.
 */
import type { RecordedCall, SlackStandin } from '../standin';
import { clean, indent, renderMessage, renderModal, type Style } from './render';

interface Event {
  at: number;
  lines: string[];
}

export class Transcript {
  private callsSeen = 0;
  private responsesSeen = 0;
  /** Last rendering per view id: a views.update that changes nothing visible is not printed again. */
  private readonly lastView = new Map<string, string>();

  constructor(
    private readonly standin: SlackStandin,
    private readonly write: (line: string) => void,
    private readonly st: Style,
  ) {}

  /** A line for what the user did (the command typed, the button clicked). */
  user(who: string, what: string): void {
    this.write('');
    this.write(this.st.bold(`${who} ›`) + ` ${clean(what)}`);
  }

  note(text: string): void {
    this.write(this.st.dim(`  … ${text}`));
  }

  /** The App Home tab as the user sees it (views.publish). */
  home(view: Record<string, any>): void {
    this.emitView('the Home tab shows', { ...view, title: { type: 'plain_text', text: 'GPU Bot · Home' } }, undefined);
  }

  /** A modal Slack shows because of an ack (view_submission `response_action: update|push|errors`). */
  ack(body: unknown): void {
    if (!body || typeof body !== 'object') return;
    const b = body as Record<string, any>;
    if (b.response_action === 'errors') {
      this.write(this.st.danger('  The modal stays open with these errors under the fields:'));
      for (const [field, msg] of Object.entries(b.errors ?? {})) this.write(this.st.danger(`    ${field}: ${clean(String(msg))}`));
    } else if ((b.response_action === 'update' || b.response_action === 'push') && b.view) {
      this.emitView('modal', b.view, b.view.id);
    }
  }

  flush(): void {
    const events: Event[] = [];
    const calls = this.standin.calls.slice(this.callsSeen);
    this.callsSeen += calls.length;
    for (const c of calls) {
      const lines = this.callLines(c);
      if (lines.length) events.push({ at: c.at, lines });
    }
    const responses = this.standin.responses.slice(this.responsesSeen);
    this.responsesSeen += responses.length;
    for (const r of responses) events.push({ at: r.at, lines: this.responseLines(r.body) });
    events.sort((a, b) => a.at - b.at);
    for (const e of events) for (const l of e.lines) this.write(l);
  }

  private callLines(c: RecordedCall): string[] {
    const { st } = this;
    const a = c.args;
    if (c.error) return [st.danger(`  ⚠ Slack answered ${c.method} with ${c.error}`)];
    switch (c.method) {
      case 'chat.postMessage': {
        const body = renderMessage(a, st);
        const where = this.channelLabel(a.channel);
        if (a.thread_ts) {
          const parent = this.parentLine(where === 'a DM' ? undefined : String(a.channel), String(a.thread_ts));
          return [st.dim(`    ↳ thread reply in ${where}, under “${parent}”`), ...indent(body, '    │ ')];
        }
        return [st.dim(`  ◆ posted in ${where}`), ...indent(body, '  │ ')];
      }
      case 'chat.update':
        return [st.dim(`  ✎ message in ${this.channelLabel(a.channel)} edited in place`), ...indent(renderMessage(a, st), '  │ ')];
      case 'chat.postEphemeral':
        return [st.dim(`  ◇ only visible to @${a.user}`), ...indent(renderMessage(a, st), '  │ ')];
      case 'chat.delete':
        return [st.dim(`  ✖ message deleted in ${this.channelLabel(a.channel)}`)];
      case 'views.open':
      case 'views.push':
        return this.viewLines(c.method === 'views.open' ? 'modal opens' : 'modal pushed', a.view, undefined);
      case 'views.update':
        return this.viewLines('modal updates', a.view, a.view_id);
      case 'views.publish':
        return [st.dim(`  ▣ App Home of @${a.user_id} published (${Array.isArray(a.view?.blocks) ? a.view.blocks.length : 0} blocks)`)];
      default:
        return [];
    }
  }

  private responseLines(body: any): string[] {
    const { st } = this;
    if (!body || typeof body !== 'object') return [];
    if (body.delete_original === true || body.delete_original === 'true') return [st.dim('  ✖ the message above is removed')];
    const how =
      body.replace_original === true || body.replace_original === 'true'
        ? 'replaces the message it came from (only you see it)'
        : body.response_type === 'in_channel'
          ? 'posted in the channel for everyone'
          : 'only visible to you';
    return [st.dim(`  ◇ ${how}`), ...indent(renderMessage(body, st), '  │ ')];
  }

  private emitView(what: string, view: unknown, id: unknown): void {
    for (const l of this.viewLines(what, view, id)) this.write(l);
  }

  private viewLines(what: string, view: unknown, id: unknown): string[] {
    if (!view || typeof view !== 'object') return [];
    const lines = renderModal(view as Record<string, any>, this.st);
    const key = typeof id === 'string' ? id : undefined;
    const rendered = lines.join('\n');
    if (key && this.lastView.get(key) === rendered) return [];
    if (key) this.lastView.set(key, rendered);
    return [this.st.dim(`  ▣ ${what}`), ...indent(lines, '  ')];
  }

  /** The thread's parent as it reads now (it may have been edited since): its first line. */
  private parentLine(channel: string | undefined, ts: string): string {
    const parent = this.standin.messages(channel).find((m) => m.ts === ts);
    return parent ? firstLine(renderMessage(parent, this.st)) : 'a message';
  }

  private channelLabel(channel: unknown): string {
    const c = String(channel ?? '');
    return /^[UWD]/.test(c) ? 'a DM' : `#${c}`;
  }
}

function firstLine(lines: string[]): string {
  const first = lines.find((l) => l.trim() !== '') ?? '';
  // strip ANSI codes for the quote, then shorten
  // eslint-disable-next-line no-control-regex
  const plain = first.replace(/\u001b\[\d+m/g, '').replace(/^▌ /, '');
  return plain.length > 60 ? `${plain.slice(0, 59)}…` : plain;
}
