/**
 * Parsing `/gpu spend [today|7d|30d|month] [by=user|channel|instance]` and
 * `/gpu digest [#channel on|off]`, kept beside command.ts so the money commands add two lines there.
 */
import { DEFAULT_SPEND_PERIOD, SPEND_PERIODS, type SpendPeriod } from '../services/spend-window';
import { SPEND_GROUPINGS, type SpendGrouping } from '../services/spend-report';
import { fail, q } from './command-usage';

export type SpendCommand = { kind: 'spend'; period: SpendPeriod; by: SpendGrouping };
/** No channel: show the digest settings. */
export type DigestCommand = { kind: 'digest'; channelId?: string; on?: boolean };

const PERIOD_WORDS: Readonly<Record<string, SpendPeriod>> = {
  today: 'today',
  day: 'today',
  '1d': 'today',
  '7d': '7d',
  week: '7d',
  '1w': '7d',
  '30d': '30d',
  month: 'month',
  mtd: 'month',
};

const BY_WORDS: Readonly<Record<string, SpendGrouping>> = {
  user: 'user',
  users: 'user',
  owner: 'user',
  owners: 'user',
  channel: 'channel',
  channels: 'channel',
  instance: 'instance',
  instances: 'instance',
};

export function parseSpend(args: string[]): SpendCommand {
  let period: SpendPeriod | undefined;
  let by: SpendGrouping | undefined;
  // `by instance` reads like `by=instance`
  for (const arg of args.filter((a, i) => !(a.toLowerCase() === 'by' && args[i + 1] !== undefined))) {
    const lower = arg.toLowerCase();
    const value = lower.startsWith('by=') ? lower.slice(3) : lower;
    if (lower.startsWith('by=') || BY_WORDS[value]) {
      const g = BY_WORDS[value];
      if (!g) fail('spend', `by= takes ${SPEND_GROUPINGS.join(', ')}; got ${q(arg)}.`);
      if (by && by !== g) fail('spend', `Pick one grouping: by=${by} or by=${g}.`);
      by = g;
      continue;
    }
    const p = PERIOD_WORDS[lower];
    if (!p) fail('spend', `I don't understand ${q(arg)} in \`spend\`: the periods are ${SPEND_PERIODS.join(', ')}, the groupings by=${SPEND_GROUPINGS.join('|')}.`);
    if (period && period !== p) fail('spend', `Pick one period: ${period} or ${p}.`);
    period = p;
  }
  return { kind: 'spend', period: period ?? DEFAULT_SPEND_PERIOD, by: by ?? 'user' };
}

export function parseDigest(args: string[], channelOf: (word: string) => string | undefined): DigestCommand {
  if (args.length === 0) return { kind: 'digest' };
  const [where, state, extra] = args;
  if (extra !== undefined) fail('digest', `\`digest\` does not take ${q(extra)}.`);
  const channelId = channelOf(where!);
  if (!channelId) fail('digest', `${q(where!)} is not a channel; mention it with #, like \`/gpu digest #team-gpu on\`.`);
  const s = state?.toLowerCase();
  if (s !== 'on' && s !== 'off') fail('digest', `Say \`on\` or \`off\` after the channel${state ? `, not ${q(state)}` : ''}.`);
  return { kind: 'digest', channelId: channelId!, on: s === 'on' };
}
