/** `/gpu alert …`: the `/gpu plans` filter grammar, and a specific message for each bad input. */
import { parseCommand, USAGE, type Command } from '../../src/slack/command';

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

describe('/gpu alert', () => {
  test.each<[string, Command]>([
    ['alert', { kind: 'alert', action: 'list' }],
    ['alerts list', { kind: 'alert', action: 'list' }],
    ['alert add h100 max=2', { kind: 'alert', action: 'add', type: 'container', filters: { gpu: 'h100', maxPrice: 2 } }],
    ['alert add vms h100 2x location=newyork-usa-1 max=$4.80/h', { kind: 'alert', action: 'add', type: 'vm', filters: { gpu: 'h100', count: 2, location: 'newyork-usa-1', maxPrice: 4.8 } }],
    ['ALERT ADD baremetal count=8', { kind: 'alert', action: 'add', type: 'baremetal', filters: { count: 8 } }],
    ['alert remove 12', { kind: 'alert', action: 'remove', id: 12 }],
    ['alert rm #3', { kind: 'alert', action: 'remove', id: 3 }],
  ])('%j', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['alert add', /Say what to watch for: a GPU model like h100/],
    ['alert add containers', /Say what to watch for/],
    ['alert add h100 max=cheap', /max must be a price in USD per hour like 2\.50 or \$2\.50, got 'cheap'/],
    ['alert add h100 page=2', /Unknown filter 'page'; the filters are gpu, count, max, location\./],
    ['alert add h100 banana!', /I don't understand 'banana!' in `alert add`/],
    ['alert add vm baremetal h100', /Pick one type: VMs or Bare metal/],
    ['alert add count=0', /count must be a whole number from 1 to 64, got '0'/],
    ['alert remove', /needs the alert's number/],
    ['alert remove twelve', /The alert number must be a whole number/],
    ['alert remove 1 2', /takes one alert number/],
    ['alert watch h100', /`alert` takes add, list or remove, got 'watch'/],
  ])('%j is refused with a specific message and the alert usage', (text, message) => {
    const r = err(text);
    expect(r.error).toMatch(message);
    expect(r.usage).toBe(USAGE.alert);
  });

  test('a typo of the sub-command suggests it', () => {
    expect(err('alrt add h100').suggestion).toBe('alert');
  });
});
