import { FEATURES, missingCommands } from '../../src/slack/handlers';
import { ACTION, VIEW } from '../../src/slack/ids';

describe('the /gpu handler table', () => {
  it('has a handler for every sub-command the parser knows', () => {
    expect(missingCommands()).toEqual([]);
  });

  it('binds every action and modal id the views emit exactly once', () => {
    const actions = FEATURES.flatMap((f) => (f.actions ?? []).map((a) => a.actionId));
    const views = FEATURES.flatMap((f) => (f.views ?? []).map((v) => v.callbackId));
    expect(new Set(actions).size).toBe(actions.length);
    expect(new Set(views).size).toBe(views.length);
    expect([...actions].sort()).toEqual(Object.values(ACTION).sort());
    expect([...views].sort()).toEqual(Object.values(VIEW).sort());
  });
});
