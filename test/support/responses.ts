/**
 * Reading what the bot answered, for the end-to-end tests: the
 * response_url posts the stand-in recorded for one command or click, and the visible text of a
 * Block Kit message (what a user would read), so assertions say what a user would notice.
 */
import type { SlackStandin } from '../../src/standin';

/** Every body posted to this response_url, in order. */
export function responsesTo(standin: SlackStandin, responseUrl: string): any[] {
  const id = decodeURIComponent(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
  return standin.responses.filter((r) => r.id === id).map((r) => r.body);
}

/** Waits until the n-th (1-based) post to this response_url arrives and returns it. */
export function nthResponse(standin: SlackStandin, responseUrl: string, n = 1): Promise<any> {
  return standin.waitFor(() => responsesTo(standin, responseUrl)[n - 1]);
}

/** Every piece of text a user sees in a message: fallback, header, sections, fields, context, buttons. */
export function visibleText(msg: { text?: string; blocks?: any[] }): string {
  const out: string[] = [];
  const add = (t: unknown) => {
    if (typeof t === 'string') out.push(t);
    else if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') out.push((t as { text: string }).text);
  };
  for (const b of msg.blocks ?? []) {
    add(b.text);
    for (const f of b.fields ?? []) add(f);
    for (const e of b.elements ?? []) add(e.text ?? e);
    if (b.accessory) add(b.accessory.text);
  }
  if (out.length === 0) add(msg.text);
  return out.join('\n');
}

/** Buttons in a message, optionally only those with this action_id. */
export function buttonsOf(msg: { blocks?: any[] }, actionId?: string): any[] {
  const all: any[] = [];
  for (const b of msg.blocks ?? []) {
    for (const e of [...(b.elements ?? []), b.accessory].filter(Boolean)) if (e.type === 'button') all.push(e);
  }
  return actionId ? all.filter((e) => e.action_id === actionId) : all;
}

/** Fluence requests the simulator saw whose path matches, e.g. /instances\/.*\/logs/. */
export function simCalls(sim: { control: { requests: Array<{ method: string; path: string }> } }, method: string, path: RegExp): number {
  return sim.control.requests.filter((r) => r.method === method && path.test(r.path)).length;
}
