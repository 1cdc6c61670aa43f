/**
 * Container logs and events as code blocks: split so each section stays under 3000 chars, newest
 * last, and when there is more than fits, the OLDEST lines are the ones dropped (the tail is what
 * people look for).
 */
import type { KnownBlock } from '@slack/types';
import { codeSpan, escapeClamp, noBackticks } from './format';
import { LIMITS, context, header, message, section, type MessageView } from './blocks';

/** Escaped chars of one line; longer lines end in "…". */
export const MAX_LINE_CHARS = 500;
/**
 * Sections of code per message. Far below the 50-block limit on purpose: a message of 50 full
 * sections (150 kB of log) is unreadable in Slack and risks the payload size limits.
 */
export const MAX_CODE_SECTIONS = 15;
const FENCE = '```';
const CHUNK_BUDGET = LIMITS.sectionText - 2 * FENCE.length - 2;

export interface LinesInput {
  title: string;
  instanceName: string;
  kind: 'logs' | 'events';
  /** Oldest first (newest last), as the API returns them. */
  lines: string[];
  requested: number;
}

/** Escaped, backtick-free, single-line-safe rendering of each line, packed into ≤ budget chunks. */
export function chunkLines(lines: string[], budget = CHUNK_BUDGET): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = escapeClamp(noBackticks(raw.replace(/\r/g, '')), Math.min(MAX_LINE_CHARS, budget));
    if (current && current.length + 1 + line.length > budget) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current || chunks.length === 0) chunks.push(current);
  return chunks;
}

export function renderLines(input: LinesInput): MessageView {
  const what = input.kind === 'logs' ? 'log lines' : 'events';
  const blocks: KnownBlock[] = [header(input.title)];
  const name = codeSpan(input.instanceName, 100);
  if (input.lines.length === 0) {
    blocks.push(section(`No ${what} yet for ${name}.${input.kind === 'logs' ? ' The container may still be starting.' : ''}`));
    return message(`No ${what} yet for ${escapeClamp(input.instanceName, 100)}.`, blocks);
  }
  const chunks = chunkLines(input.lines);
  const kept = chunks.slice(-MAX_CODE_SECTIONS);
  const dropped = chunks.length - kept.length;
  blocks.push(
    context(
      `${name} · last ${input.lines.length} ${what} (asked for ${input.requested}) · newest at the bottom` +
        (dropped > 0 ? ` · the oldest part did not fit in one message` : ''),
    ),
  );
  for (const chunk of kept) blocks.push(section(`${FENCE}\n${chunk || ' '}\n${FENCE}`));
  return message(`${input.lines.length} ${what} for ${escapeClamp(input.instanceName, 100)}.`, blocks);
}
