/**
 * What a user sees when an instance argument did not name exactly one instance (too short, not
 * found, ambiguous, or the lists could not be read), and the warning shown when `/gpu list` could
 * read only some of the three workload types. Pure: data in, Block Kit out.
 */
import type { KnownBlock } from '@slack/types';
import type { FluenceError } from '../../fluence/errors';
import { WORKLOADS, type WorkloadType } from '../../fluence/workload';
import type { ResolveResult } from '../../services/instances';
import { ACTION } from '../ids';
import { encodeRef, escapeMrkdwn } from './format';
import { instanceLine } from './instances';
import { LIMITS, button, context, message, section, type MessageView } from './blocks';

/** The message plus the instances it could have meant: leaves room for the footer. */
const MAX_CANDIDATES = LIMITS.blocksPerMessage - 3;

export type ResolveFailure = Extract<ResolveResult, { ok: false }>;

export function renderResolveFailure(failure: ResolveFailure, now: Date): MessageView {
  // The resolver's messages quote the user's text inside a code span; escape so it cannot inject mentions.
  const text = escapeMrkdwn(failure.message);
  const blocks: KnownBlock[] = [section(`:grey_question: ${text}`)];
  const candidates = failure.reason === 'ambiguous' ? (failure.candidates ?? []) : [];
  for (const c of candidates.slice(0, MAX_CANDIDATES)) {
    blocks.push(section(instanceLine(c, now), button({ text: 'Open', actionId: ACTION.openInstance, value: encodeRef(c.type, c.id) })));
  }
  if (candidates.length > MAX_CANDIDATES) blocks.push(context(`…and ${candidates.length - MAX_CANDIDATES} more.`));
  if (failure.reason === 'unavailable') {
    blocks.push(context(`Fluence said: ${escapeMrkdwn(failure.error.message).slice(0, 500)}. Try again in a minute.`));
  }
  return message(text, blocks);
}

/** "⚠️ The VM list could not be read from Fluence (…): they are missing below." */
export function listWarning(failed: Array<{ type: WorkloadType; error: FluenceError }>): string | null {
  if (failed.length === 0) return null;
  const names = failed.map((f) => WORKLOADS[f.type].plural).join(', ');
  const reason = escapeMrkdwn(failed[0]!.error.message).slice(0, 300);
  return `:warning: Fluence did not answer for ${names} (${reason}); ${failed.length === 1 ? 'those are' : 'they are'} missing from this list. Try again in a minute.`;
}

/** The list view with the warning on top, under the header. */
export function withListWarning(view: MessageView, failed: Array<{ type: WorkloadType; error: FluenceError }>): MessageView {
  const warning = listWarning(failed);
  if (!warning) return view;
  const [head, ...rest] = view.blocks;
  const blocks = head && head.type === 'header' ? [head, context(warning), ...rest] : [context(warning), ...view.blocks];
  return message(`${view.text} (incomplete: ${failed.map((f) => WORKLOADS[f.type].plural).join(', ')} unavailable)`, blocks);
}
