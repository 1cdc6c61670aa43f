/** What a user reads when an instance argument did not name one instance, and the partial-list warning. */
import { FluenceError } from '../../../src/fluence/errors';
import { ACTION } from '../../../src/slack/ids';
import { renderResolveFailure, withListWarning } from '../../../src/slack/views/instance-lookup';
import { renderInstanceList } from '../../../src/slack/views/instances';
import { assertBlockKitLimits, mrkdwnTexts } from '../../support/blockkit';
import { NOW, containerActive, vmActive } from './fixtures';

describe('renderResolveFailure', () => {
  it('lists ambiguous candidates, each with an Open button carrying type:id', () => {
    const a = containerActive();
    const b = { ...vmActive(), name: a.name };
    const view = renderResolveFailure({ ok: false, reason: 'ambiguous', message: `Several instances are named \`${a.name}\`: use the id.`, candidates: [a, b] }, NOW);
    const opens = view.blocks.flatMap((blk: any) => (blk.accessory?.action_id === ACTION.openInstance ? [blk.accessory.value] : []));
    expect(opens).toEqual([`container:${a.id}`, `vm:${b.id}`]);
    expect(mrkdwnTexts(view.blocks)[0]).toContain('Several instances are named');
    assertBlockKitLimits(view.blocks);
  });

  it('stays within 50 blocks with hundreds of candidates', () => {
    const c = containerActive();
    const many = Array.from({ length: 300 }, (_, k) => ({ ...c, id: `${c.id}-${k}` }));
    const view = renderResolveFailure({ ok: false, reason: 'ambiguous', message: 'm', candidates: many }, NOW);
    assertBlockKitLimits(view.blocks);
    expect(mrkdwnTexts(view.blocks).join('\n')).toMatch(/…and \d+ more/);
  });

  it('escapes what the user typed so it cannot mention anyone', () => {
    const view = renderResolveFailure({ ok: false, reason: 'not_found', message: 'No instance matches `<!channel>`.' }, NOW);
    expect(JSON.stringify(view)).not.toContain('<!channel>');
    expect(view.blocks).toHaveLength(1);
  });

  it('adds what Fluence said when the lists could not be read', () => {
    const error = new FluenceError('unavailable', 'HTTP 503 from GET /gpu/instances/');
    const view = renderResolveFailure({ ok: false, reason: 'unavailable', message: 'No instance `x` found, but…', error }, NOW);
    expect(mrkdwnTexts(view.blocks).join('\n')).toContain('HTTP 503');
  });
});

describe('withListWarning', () => {
  const list = renderInstanceList({ instances: [containerActive()], all: false, hiddenEnded: 0, now: NOW });

  it('is the list unchanged when every type was read', () => {
    expect(withListWarning(list, [])).toBe(list);
  });

  it('puts the warning right under the header, naming the missing types', () => {
    const view = withListWarning(list, [
      { type: 'vm', error: new FluenceError('unavailable', 'timeout') },
      { type: 'baremetal', error: new FluenceError('rate_limited', 'HTTP 429') },
    ]);
    expect(view.blocks[0]).toEqual(list.blocks[0]);
    expect(mrkdwnTexts([view.blocks[1]])[0]).toMatch(/Fluence did not answer for VMs, Bare metal \(timeout\); they are missing/);
    expect(view.blocks.slice(2)).toEqual(list.blocks.slice(1));
    expect(view.text).toContain('incomplete');
    assertBlockKitLimits(view.blocks);
  });
});
