/**
 * The stand-in's wire format: how Slack's Web API bodies are read (form fields with JSON values, or
 * JSON) and how its errors are answered. Nothing here holds state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockKitRefusal } from './block-kit-limits';
import type { BlockKitRejection } from './slack-standin-types';

/** Form fields @slack/web-api sends as JSON text. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);

export type Answer = Record<string, any>;
export class SlackError extends Error {
  constructor(
    readonly code: string,
    /** Slack's per-field messages; chat.* put them in `errors` too, views.* only in response_metadata. */
    readonly details: string[] = [],
  ) {
    super(code);
  }
}

/**
 * chat.* answer `invalid_blocks` with `errors` and the same lines in response_metadata.messages
 * ("[ERROR] ..."); views.* answer `invalid_arguments` with response_metadata.messages only.
 */
export function slackErrorBody(method: string, err: SlackError): Record<string, unknown> {
  if (err.details.length === 0) return { ok: false, error: err.code };
  const messages = err.details.map((d) => `[ERROR] ${d}`);
  return method.startsWith('views.')
    ? { ok: false, error: err.code, response_metadata: { messages } }
    : { ok: false, error: err.code, errors: err.details, response_metadata: { messages } };
}

/**
 * `response_action: errors`: an object of block_id -> message, each naming an input block of the
 * submitted view (https://docs.slack.dev/surfaces/modals#displaying_errors).
 */
export function checkSubmissionErrors(view: any, errors: unknown): BlockKitRefusal | undefined {
  if (!errors || typeof errors !== 'object' || Array.isArray(errors)) {
    return { error: 'invalid_arguments', violations: [{ pointer: '/errors', message: 'must be an object of block_id to message' }] };
  }
  const inputs = new Set((view?.blocks ?? []).filter((b: any) => b?.type === 'input').map((b: any) => b.block_id));
  const violations = Object.entries(errors as Record<string, unknown>).flatMap(([blockId, message]) => [
    ...(inputs.has(blockId) ? [] : [{ pointer: `/errors/${blockId}`, message: 'must name an input block of the view' }]),
    ...(typeof message === 'string' && message.length > 0 ? [] : [{ pointer: `/errors/${blockId}`, message: 'must be a non-empty string' }]),
  ]);
  return violations.length ? { error: 'invalid_arguments', violations } : undefined;
}

/** One line per rejection, for failure messages. */
export function describeRejection(r: BlockKitRejection): string {
  return `  ${r.where} -> ${r.error}: ${r.errors.join('; ')}`;
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form bodies (what @slack/web-api sends) or JSON (what respond() sends); JSON-valued form fields decoded. */
export function parseBody(raw: string, contentType: string | undefined): Record<string, any> {
  if (raw.trim() === '') return {};
  if (contentType?.includes('application/json') || /^\s*[{[]/.test(raw)) {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? parsed : { value: parsed };
  }
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // not JSON after all: keep the text, as Slack would report invalid_blocks itself
      }
    }
    out[k] = v;
  }
  return out;
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function compareTs(a: string, b: string): number {
  const [as, af = ''] = a.split('.');
  const [bs, bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
