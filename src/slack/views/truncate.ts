/**
 * One way to cut what does not fit: lists longer than a message, a section or a select can hold
 * are shortened VISIBLY ("…and 12 more: `/gpu list all`"), never silently, and never beyond the
 * Block Kit limits the Slack stand-in enforces (src/standin/block-kit-limits.ts). Pure.
 */

export interface Fitted<T> {
  shown: T[];
  /** How many items were left out. */
  hidden: number;
}

/**
 * The first `max` items, in order; items `keep` marks (say, the selected option, which Slack
 * requires to be among the options) stay even past `max`, replacing the last unmarked ones.
 */
export function fitItems<T>(items: readonly T[], max: number, keep?: (item: T) => boolean): Fitted<T> {
  if (items.length <= max) return { shown: [...items], hidden: 0 };
  const kept = new Set(keep ? items.filter(keep).slice(0, max) : []);
  let room = max - kept.size;
  const shown = items.filter((item) => kept.has(item) || (room-- > 0));
  return { shown, hidden: items.length - shown.length };
}

/** "…and 12 more instances: `/gpu list all`" (mrkdwn; `what` and `hint` are the bot's own text). */
export function moreLine(hidden: number, what: string, hint?: string): string {
  return `…and ${hidden} more ${what}${hint ? `: ${hint}` : '.'}`;
}

export interface PackOptions {
  /** Characters per chunk (a section's text is at most 3000; leave room for a heading). */
  budget: number;
  /** At most this many chunks (blocks); lines past them are counted in the "more" line. */
  maxChunks: number;
  /** Noun for the "more" line: "entries", "user grants". */
  what: string;
  hint?: string;
  /** Put before the first chunk's lines (a bold title). */
  heading?: string;
}

/**
 * Lines (already escaped, each shorter than `budget`) packed into as few chunks as possible,
 * first lines first; when they do not all fit, the last chunk ends with the "more" line.
 */
export function packLines(lines: readonly string[], o: PackOptions): string[] {
  const chunks: string[] = [];
  let current = o.heading ?? '';
  let used = 0;
  // the "more" line must always fit in the last chunk: reserve room for it
  const reserve = moreLine(lines.length, o.what, o.hint).length + 1;
  for (const line of lines) {
    const last = chunks.length === o.maxChunks - 1;
    const room = o.budget - (last ? reserve : 0);
    if (current && current.length + 1 + line.length > room) {
      if (last) break;
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    used++;
  }
  if (used < lines.length) current = current ? `${current}\n${moreLine(lines.length - used, o.what, o.hint)}` : moreLine(lines.length - used, o.what, o.hint);
  if (current) chunks.push(current);
  return chunks;
}
