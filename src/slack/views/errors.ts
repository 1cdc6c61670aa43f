/**
 * What the user reads when something went wrong: one clear message per FluenceError kind, parse
 * errors from `/gpu`, and small ephemeral notices. Secrets never reach here unmasked (the client
 * and the redactor see to that); we still escape and clamp everything that came from outside.
 */
import type { KnownBlock } from '@slack/types';
import type { FluenceError } from '../../fluence/errors';
import type { ParseResult } from '../command';
import { codeSpan, escapeClamp, escapeMrkdwn } from './format';
import { context, message, section, type MessageView } from './blocks';

const MAX_ISSUES = 15;

export interface ErrorContext {
  /** What the user was doing, as a verb phrase: "deploy the container", "list your instances". */
  action: string;
}

export function renderFluenceError(err: FluenceError, ctx: ErrorContext): MessageView {
  const action = escapeClamp(ctx.action, 200);
  const d = err.details;
  let body: string;
  switch (err.kind) {
    case 'validation': {
      const issues = d.issues ?? [];
      const lines = issues
        .slice(0, MAX_ISSUES)
        .map((i) => `• ${codeSpan(i.loc.filter((l) => l !== 'body').join('.') || 'request', 120)}: ${escapeClamp(i.msg, 300)}`);
      if (issues.length > MAX_ISSUES) lines.push(`…and ${issues.length - MAX_ISSUES} more`);
      body = `:warning: Fluence rejected the request to ${action}:\n${lines.join('\n') || escapeClamp(err.message, 500)}`;
      break;
    }
    case 'business':
      body = `:warning: Fluence refused to ${action}: ${escapeClamp(d.detail ?? err.message, 2000)}`;
      break;
    case 'auth':
      body =
        `:closed_lock_with_key: Fluence rejected the bot's API key while trying to ${action}. ` +
        'An admin should check that `FLUENCE_API_KEY` is set to a current key of the right Fluence account ' +
        '(keys are managed in the Fluence console) and restart the bot.' +
        (d.detail ? `\nFluence said: ${escapeClamp(d.detail, 500)}` : '');
      break;
    case 'not_found':
      body =
        `:mag: No instance found while trying to ${action}. It may have ended or been deleted, or the id is mistyped: ` +
        'see `/gpu list all`.';
      break;
    case 'rate_limited': {
      const s = d.retryAfterSeconds;
      body = `:hourglass: Fluence is rate limiting requests. Retry ${s !== undefined ? `in ${Math.ceil(s)} s` : 'in a minute'}.`;
      break;
    }
    case 'unavailable':
      body = d.maybeApplied
        ? `:warning: Fluence did not answer in time while trying to ${action}, and the request may still have gone through. ` +
          'Check `/gpu list` before retrying, so you do not deploy or pay twice.'
        : `:cloud: Fluence is unreachable or too slow right now, so I could not ${action}. ` +
          'The request did not go through, so nothing was changed or charged. Try again in a minute.';
      break;
    case 'bad_response':
      body =
        `:interrobang: Fluence answered something unexpected while trying to ${action}` +
        `${d.field ? ` (field ${codeSpan(d.field, 120)})` : ''}. Nothing more is known; an admin can find details in the bot's logs.`;
      break;
  }
  const blocks: KnownBlock[] = [section(body)];
  const plain = body.replace(/:[a-z_]+: /g, '');
  return message(plain, blocks);
}

/** The parser's error, its usage line and (for typos) the suggestion already in the error text. */
export function renderParseError(result: Extract<ParseResult, { ok: false }>): MessageView {
  return message(result.error, [
    section(`:grey_question: ${escapeMrkdwn(result.error)}`),
    context(`Usage: ${escapeMrkdwn(result.usage)}`),
    context('`/gpu help` lists everything I can do.'),
  ]);
}

export function renderNotice(n: { text: string; emoji?: string }): MessageView {
  const text = escapeClamp(n.text, 2900);
  return message(text, [section(n.emoji ? `${n.emoji} ${text}` : text)]);
}
