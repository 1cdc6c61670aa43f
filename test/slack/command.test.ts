/** The `/gpu` parser as users type it: every sub-command and synonym, each error, and a fuzz run. */
import fc from 'fast-check';
import { decodePlansQuery, editDistance, encodePlansQuery, parseCommand, USAGE, type Command } from '../../src/slack/command';

function ok(text: string): Command {
  const r = parseCommand(text);
  if (!r.ok) throw new Error(`expected "${text}" to parse, got: ${r.error}`);
  return r.command;
}
function err(text: string) {
  const r = parseCommand(text);
  if (r.ok) throw new Error(`expected "${text}" to fail, got ${JSON.stringify(r.command)}`);
  return r;
}

describe('sub-commands and synonyms', () => {
  test.each<[string, Command]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['images', { kind: 'images' }],
    ['balance', { kind: 'balance' }],
    ['deploy', { kind: 'deploy' }],
    ['deploy vm', { kind: 'deploy', type: 'vm' }],
    ['Deploy BM', { kind: 'deploy', type: 'baremetal' }],
    ['new containers', { kind: 'deploy', type: 'container' }],
    ['list', { kind: 'list', all: false }],
    ['ls', { kind: 'list', all: false }],
    ['list all', { kind: 'list', all: true }],
    ['LS ALL', { kind: 'list', all: true }],
    ['status fuchsia-hawk-4706', { kind: 'status', instance: 'fuchsia-hawk-4706' }],
    ['show b54672e2', { kind: 'status', instance: 'b54672e2' }],
    ['terminate b54672e2-0a8b-490f-81ee-7d5a868471fc', { kind: 'terminate', instance: 'b54672e2-0a8b-490f-81ee-7d5a868471fc' }],
    ['rm my-box', { kind: 'terminate', instance: 'my-box' }],
    ['update my-box', { kind: 'update', instance: 'my-box' }],
    ['watch my-box', { kind: 'watch', instance: 'my-box' }],
    ['logs my-box', { kind: 'logs', instance: 'my-box', lines: 50 }],
    ['log my-box 200', { kind: 'logs', instance: 'my-box', lines: 200 }],
    ['events my-box lines=10', { kind: 'events', instance: 'my-box', lines: 10 }],
    ['rename my-box new-name', { kind: 'rename', instance: 'my-box', newName: 'new-name' }],
    ['audit', { kind: 'audit', n: 20 }],
    ['audit 100', { kind: 'audit', n: 100 }],
    ['access', { kind: 'access', action: 'show' }],
    ['access show', { kind: 'access', action: 'show' }],
    ['access grant <@U123ABC|alice> deployer', { kind: 'access', action: 'grant', subject: { kind: 'user', id: 'U123ABC' }, role: 'deployer' }],
    ['access grant <#C123ABC|general> Viewer', { kind: 'access', action: 'grant', subject: { kind: 'channel', id: 'C123ABC' }, role: 'viewer' }],
    ['access grant U999 admin', { kind: 'access', action: 'grant', subject: { kind: 'user', id: 'U999' }, role: 'admin' }],
    ['access revoke <@U123ABC>', { kind: 'access', action: 'revoke', subject: { kind: 'user', id: 'U123ABC' } }],
    ['access revoke C42XYZ', { kind: 'access', action: 'revoke', subject: { kind: 'channel', id: 'C42XYZ' } }],
    ['budget', { kind: 'budget' }],
    ['budget <#C123ABC|general>', { kind: 'budget', channelId: 'C123ABC' }],
    ['budget <#C123ABC|general> 25', { kind: 'budget', channelId: 'C123ABC', usdPerHour: 25 }],
    ['budget <#C123ABC|general> $2.50', { kind: 'budget', channelId: 'C123ABC', usdPerHour: 2.5 }],
    ['budget C123ABC off', { kind: 'budget', channelId: 'C123ABC', usdPerHour: null }],
    ['budget 10', { kind: 'budget', usdPerHour: 10 }],
  ])('%j', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  test('odd whitespace (tabs, NBSP, newlines, zero-width space) between words', () => {
    expect(ok('\t list\u00a0\u00a0all \n')).toEqual({ kind: 'list', all: true });
    expect(ok('status\u200bmy-box')).toEqual({ kind: 'status', instance: 'my-box' });
  });
});

describe('plans', () => {
  test.each<[string, Command]>([
    ['plans', { kind: 'plans', type: 'container', filters: {}, page: 1 }],
    ['plans vms', { kind: 'plans', type: 'vm', filters: {}, page: 1 }],
    ['plan baremetal', { kind: 'plans', type: 'baremetal', filters: {}, page: 1 }],
    ['plans h100', { kind: 'plans', type: 'container', filters: { gpu: 'h100' }, page: 1 }],
    ['plans A100 4x', { kind: 'plans', type: 'container', filters: { gpu: 'a100', count: 4 }, page: 1 }],
    ['plans rtx4090 x2', { kind: 'plans', type: 'container', filters: { gpu: 'rtx4090', count: 2 }, page: 1 }],
    ['plans vm gpu=H100 count=8 max=$2.50 location=us-central-3 page=3',
      { kind: 'plans', type: 'vm', filters: { gpu: 'h100', count: 8, maxPrice: 2.5, location: 'us-central-3' }, page: 3 }],
    ['PLANS MAX=2.5 Location=US', { kind: 'plans', type: 'container', filters: { maxPrice: 2.5, location: 'US' }, page: 1 }],
  ])('%j', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  test('bad values get a specific error', () => {
    expect(err('plans count=abc').error).toContain("count must be a whole number from 1 to 64, got 'abc'");
    expect(err('plans count=65').error).toContain('from 1 to 64');
    expect(err('plans max=cheap').error).toContain("max must be a price in USD per hour like 2.50 or $2.50, got 'cheap'");
    expect(err('plans max=0').error).toContain('max must be');
    expect(err('plans page=0').error).toContain('page must be a whole number');
    expect(err('plans gpu=h<100>').error).toContain('gpu must be a GPU model');
  });

  test('unknown key names the allowed keys', () => {
    const r = err('plans colour=red');
    expect(r.error).toContain("Unknown filter 'colour'");
    expect(r.error).toContain('gpu, count, max, location, page');
    expect(r.usage).toBe(USAGE.plans);
  });

  test('two different types or a meaningless word are errors', () => {
    expect(err('plans vms baremetal').error).toContain('Pick one type');
    expect(err('plans please').error).toContain("I don't understand 'please'");
  });

  test('the page button value round-trips through the parser', () => {
    const value = encodePlansQuery('vm', { gpu: 'h100', count: 8, maxPrice: 2.5, location: 'US' }, 4);
    expect(decodePlansQuery(value)).toEqual({ kind: 'plans', type: 'vm', filters: { gpu: 'h100', count: 8, maxPrice: 2.5, location: 'US' }, page: 4 });
    expect(decodePlansQuery('nonsense=1')).toBeUndefined();
  });
});

describe('errors', () => {
  test.each([
    ['pans', 'plans'],
    ['stauts', 'status'],
    ['termnate', 'terminate'],
    ['term', 'terminate'],
    ['lst', 'list'],
    ['LOGZ', 'logs'],
  ])('typo %s suggests %s', (typo, suggestion) => {
    const r = err(`${typo} x`);
    expect(r.suggestion).toBe(suggestion);
    expect(r.error).toContain(`Did you mean \`${suggestion}\`?`);
    expect(r.usage).toBe(USAGE[suggestion as keyof typeof USAGE]);
  });

  test('an unknown word far from everything gets no suggestion but the full usage', () => {
    const r = err('xylophone');
    expect(r.suggestion).toBeUndefined();
    expect(r.error).toContain("I don't know the command 'xylophone'");
    expect(r.usage).toContain('/gpu plans');
    expect(r.usage).toContain('/gpu audit');
  });

  test('a missing instance says what is needed', () => {
    expect(err('status').error).toBe('`status` needs an instance: `/gpu status <id, 8+ char id prefix, or name>`');
    expect(err('terminate').error).toContain('`terminate` needs an instance');
    expect(err('rename my-box').error).toContain('needs the new name');
  });

  test('bad arguments', () => {
    expect(err('logs my-box 5000').error).toContain('lines must be a whole number from 1 to 1000');
    expect(err('audit 101').error).toContain('from 1 to 100');
    expect(err('deploy spaceship').error).toContain("'spaceship' is not a workload type");
    expect(err('list everything').error).toContain('only `all`');
    expect(err('status a;b').error).toContain('is not an instance id');
    expect(err('access grant @alice admin').error).toContain('is not a user or channel');
    expect(err('access grant <@U1ABC> god').error).toContain('viewer, deployer or admin');
    expect(err('access frobnicate').error).toContain('show, grant or revoke');
    expect(err('budget <@U1ABC> 5').error).toContain('is not a channel');
    expect(err('budget C1ABC lots').error).toContain('The budget must be USD per hour');
    expect(err('balance now').error).toContain('does not take');
  });

  test('oversized input is an error, not a throw', () => {
    const r = err(`plans ${'x'.repeat(5000)}`);
    expect(r.error).toContain('too long');
  });

  test('user text quoted in an error cannot inject mentions or markup', () => {
    const r = err('<!channel>');
    expect(r.error).not.toContain('<!channel>');
  });
});

test('edit distance counts a transposition as one edit', () => {
  expect(editDistance('status', 'stauts')).toBe(1);
  expect(editDistance('plans', 'pans')).toBe(1);
  expect(editDistance('', 'abc')).toBe(3);
});

test('fuzz: random strings never throw and always yield a well-formed result', () => {
  const words = ['plans', 'list', 'status', 'access', 'grant', 'budget', 'logs', 'gpu=', 'max=$', '<@U1|a>', '<#C1|b>', '4x', 'off', '='];
  const token = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 3000 }), fc.array(token, { maxLength: 8 }).map((ws) => ws.join(' '))), (text) => {
      const r = parseCommand(text);
      if (r.ok) expect(typeof r.command.kind).toBe('string');
      else {
        expect(r.error.length).toBeGreaterThan(0);
        expect(r.error.length).toBeLessThan(600);
        expect(r.usage.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 3000, seed: 42 },
  );
});
