import { describeViolation, validateBlocks, type Surface } from '../../src/standin';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Asserts what the Slack stand-in would accept (src/standin/block-kit-limits.ts): one rule set for
 * view unit tests and e2e tests. Throws Slack's wording for every violation.
 */
export function assertBlockKitLimits(blocks: unknown[], surface: Surface = 'message'): void {
  const violations = validateBlocks(blocks, surface);
  if (violations.length) throw new Error(`Slack would refuse these blocks:\n${violations.map(describeViolation).join('\n')}`);
}

/** Every mrkdwn string in the blocks (what Slack parses for mentions and links). */
export function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (!isObj(node)) return [];
  const own = node.type === 'mrkdwn' && typeof node.text === 'string' ? [node.text] : [];
  return [...own, ...Object.values(node).flatMap(mrkdwnTexts)];
}
