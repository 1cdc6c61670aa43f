/**
 * Property-based: whatever text Slack hands us after `/gpu`, the parser returns either a command or
 * an error with a usage line. Never a throw, and never its own last-resort "could not read" branch
 * (that branch exists only to hide a bug; reaching it here means the parser threw internally).
 */
import fc from 'fast-check';
import { parseCommand, USAGE, USAGE_TEXT, MAX_INPUT } from '../../src/slack/command';
import { renderParseError } from '../../src/slack/views/errors';

const KINDS = new Set(Object.keys(USAGE));
const USAGE_LINES = new Set([USAGE_TEXT, ...Object.values(USAGE)]);
const WORDS = [
  'help', 'h', '?', '--help', 'plans', 'plan', 'offers', 'images', 'deploy', 'new', 'create', 'list', 'ls', 'all',
  'status', 'show', 'terminate', 'rm', 'update', 'watch', 'logs', 'events', 'rename', 'mv', 'balance', 'access',
  'grant', 'revoke', 'budget', 'audit', 'off', 'container', 'containers', 'vm', 'vms', 'baremetal', 'bm', 'h100', '4x',
  'viewer', 'deployer', 'admin', 'PLANS', 'Deploy',
];
const KEYS = ['gpu', 'count', 'max', 'location', 'page', 'n', '', 'GPU', 'price', '=', 'count=count'];

const unicode = fc.string({ unit: 'binary', maxLength: 30 });
const number = fc.oneof(fc.integer({ min: -1e6, max: 1e9 }).map(String), fc.double().map(String), fc.constantFrom('NaN', 'Infinity', '1e309', '0x10', '-0', '1.', '.5', '٣'));
const mention = fc.oneof(
  fc.stringMatching(/^[UWC][A-Z0-9]{2,10}$/).map((id) => `<@${id}>`),
  fc.tuple(fc.stringMatching(/^[UW][A-Z0-9]{2,10}$/), unicode).map(([id, n]) => `<@${id}|${n}>`),
  fc.tuple(fc.stringMatching(/^C[A-Z0-9]{2,10}$/), unicode).map(([id, n]) => `<#${id}|${n}>`),
  fc.constantFrom('<!here>', '<!channel>', '<@>', '<#|>', '<@U123', '@alice', '#general', '<mailto:a@b.c|a@b.c>'),
);
const token = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.tuple(fc.constantFrom(...KEYS), fc.oneof(number, unicode, fc.constantFrom(...WORDS))).map(([k, v]) => `${k}=${v}`),
  number,
  mention,
  unicode,
  fc.uuid(),
  fc.stringMatching(/^[0-9a-f]{1,12}$/),
);
const separator = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u200b', '\u2060', '\u3000', '=', ',');
const soup = fc.array(fc.tuple(token, separator), { maxLength: 12 }).map((parts) => parts.map(([t, s]) => t + s).join(''));

/** Plain checks (not expect) inside the properties: thousands of runs stay fast. Throws what was wrong. */
function checkResult(text: string): void {
  const result = parseCommand(text);
  if (result.ok) {
    if (!KINDS.has(result.command.kind)) throw new Error(`unknown kind ${result.command.kind}`);
    return;
  }
  if (result.error === 'I could not read that command.') throw new Error('the parser threw internally (last-resort branch)');
  if (result.error.trim().length === 0) throw new Error('empty error');
  if (!USAGE_LINES.has(result.usage)) throw new Error(`no usage line: ${result.usage}`);
  // and what the user then reads fits in a Slack message
  const view = renderParseError(result);
  if (view.text.length > 3000) throw new Error(`error text of ${view.text.length} characters`);
  for (const b of view.blocks as any[]) {
    if (b.type === 'section' && b.text.text.length > 3000) throw new Error('section over 3000 characters');
  }
}

describe('parseCommand on random input', () => {
  it('any unicode string: a command or an error with a usage line', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => checkResult(s)), { numRuns: 2000 });
  });

  it('sub-command words, key=value soup, mentions and odd numbers: a command or an error with a usage line', () => {
    fc.assert(fc.property(soup, (s) => checkResult(s)), { numRuns: 3000 });
  });

  it('a known sub-command followed by anything', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WORDS), soup, (word, rest) => checkResult(`${word} ${rest}`)),
      { numRuns: 2000 },
    );
  });

  it('text around the length limit is a clear "too long" error, never a throw', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_INPUT - 5, max: MAX_INPUT * 3 }), fc.constantFrom('plans ', 'x', '<@U1> ', 'é'), (n, unit) => {
        const text = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
        checkResult(text);
        if (text.length > MAX_INPUT) expect((parseCommand(text) as { error: string }).error).toMatch(/too long/);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same text parses the same way twice', () => {
    fc.assert(fc.property(soup, (s) => JSON.stringify(parseCommand(s)) === JSON.stringify(parseCommand(s))), { numRuns: 500 });
  });
});
