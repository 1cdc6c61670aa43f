/** The App Home view: sections per role, buttons as the role allows, and never more than Slack's 100 blocks. */
import type { HomeApproval, HomeData, HomeInstance } from '../../../src/services/home';
import { checkView } from '../../../src/standin';
import { ACTION } from '../../../src/slack/ids';
import { HOME_MAX_BLOCKS, renderHome, shareBlocks } from '../../../src/slack/views/home';
import { SANDBOX_NOTE } from '../../../src/slack/views/format';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = Date.parse('2026-02-07T14:00:00Z');
const buttonsOf = (blocks: Any[]) => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const ids = (blocks: Any[]) => buttonsOf(blocks).map((b: Any) => b.action_id);
const text = (v: Any) => JSON.stringify(v.blocks);

function instance(n: number, over: Partial<HomeInstance> = {}): HomeInstance {
  return {
    type: 'container',
    id: `${String(n).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd`,
    name: `job-${n}`,
    status: 'ACTIVE',
    state: 'active',
    gpu: { vendor: 'NVIDIA', model: 'h100', vram: '80Gi', interface: 'sxm', count: 1 },
    createdAt: new Date(NOW - 2 * 3600_000 - 5 * 60_000).toISOString(),
    pricePerHour: 2.96,
    spent: 6.17,
    lease: { endsAt: NOW + 6 * 3600_000 },
    ownerId: 'UDEPLOYER',
    channelId: 'CGPU',
    canTerminate: true,
    canExtend: true,
    ...over,
  };
}

function approval(n: number): HomeApproval {
  return { id: `ap-${n}`, requesterId: 'UDEPLOYER', channelId: 'CGPU', name: `big-${n}`, type: 'vm', pricePerHour: 23.5, reasons: ['$23.50/h is above the limit of $5.00/h per instance (MAX_HOURLY_USD).'], expiresAt: NOW + 86_400_000 };
}

function data(over: Partial<HomeData> = {}): HomeData {
  return {
    userId: 'UDEPLOYER',
    role: 'deployer',
    sandbox: false,
    now: NOW,
    money: { balance: 120.5, burnPerHour: 5.92, activeCount: 2, unpricedCount: 0, runwayHours: 20.3 },
    mine: [instance(1)],
    team: { kind: 'summary', running: 2, burnPerHour: 5.92 },
    approvals: null,
    failedTypes: [],
    ...over,
  };
}

const extend = { text: 'Extend 2 h', actionId: 'lease_extend_2h', value: (i: HomeInstance & { lease: { endsAt: number } }) => `${i.type}:${i.id}@${i.lease.endsAt}` };

test('deployer: money header, their instance with Open / Extend / Terminate (confirmed), the team as a count and burn', () => {
  const v = renderHome(data(), { extend });
  expect(checkView(v)).toBeUndefined();
  expect(v).toMatchSnapshot();
  const json = text(v);
  expect(json).toContain('*Balance* $120.50');
  expect(json).toContain('*Burn* $5.92/h (2 active)');
  expect(json).toContain('*Runway* 20.3 h');
  expect(json).toContain('My instances (1)');
  expect(json).toContain('*job-1* `00000001`');
  expect(json).toContain('H100 80GB SXM × 1 · $2.96/h · up 2h5m · spent $6.17 · lease ends <!date^');
  expect(json).toContain('*2* instance(s) running across the team, burning *$5.92/h*');
  expect(json).not.toContain('Pending approvals');
  expect(ids(v.blocks as Any[])).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet, ACTION.openInstance, 'lease_extend_2h', ACTION.terminate]);
  const terminate = buttonsOf(v.blocks as Any[]).find((b: Any) => b.action_id === ACTION.terminate);
  expect(terminate.confirm.title.text).toBe('Terminate job-1?');
  expect(terminate.value).toBe('container:00000001-aaaa-bbbb-cccc-dddddddddddd');
  const ext = buttonsOf(v.blocks as Any[]).find((b: Any) => b.action_id === 'lease_extend_2h');
  expect(ext.value).toBe(`container:00000001-aaaa-bbbb-cccc-dddddddddddd@${NOW + 6 * 3600_000}`);
});

test('viewer: no Terminate or Extend where the role does not allow them, and the sandbox note in sandbox mode', () => {
  const v = renderHome(data({ role: 'viewer', sandbox: true, mine: [instance(1, { canTerminate: false, canExtend: false })] }), { extend });
  expect(ids(v.blocks as Any[])).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet, ACTION.openInstance]);
  expect(text(v)).toContain(SANDBOX_NOTE);
  expect(text(v)).toContain('You are a *viewer* here');
});

test('nothing running: says so, and the runway reads "no spend"', () => {
  const v = renderHome(data({ mine: [], money: { balance: 50, burnPerHour: 0, activeCount: 0, unpricedCount: 0, runwayHours: null }, team: { kind: 'summary', running: 0, burnPerHour: 0 } }));
  expect(text(v)).toContain('Nothing of yours is running.');
  expect(text(v)).toContain('*Runway* no spend (nothing active)');
});

test('admin: pending approvals with Approve / Deny in place, every running instance with owner and channel, channel budgets and their use', () => {
  const v = renderHome(
    data({
      userId: 'UADMIN',
      role: 'admin',
      mine: [],
      approvals: [approval(1)],
      team: {
        kind: 'admin',
        running: [instance(1), instance(2, { ownerId: null, channelId: null, name: 'elsewhere' })],
        budgets: [{ channelId: 'CGPU', usdPerHour: 10, burnPerHour: 2.96 }, { channelId: 'CML', usdPerHour: 4, burnPerHour: null }],
      },
    }),
  );
  expect(checkView(v)).toBeUndefined();
  expect(v).toMatchSnapshot();
  const json = text(v);
  expect(json).toContain('Pending approvals (1)');
  expect(json).toContain('<@UDEPLOYER> wants to deploy the VM `big-1` at *$23.50/h* (from <#CGPU>');
  expect(ids(v.blocks as Any[])).toEqual([ACTION.homeDeploy, ACTION.helpPlans, ACTION.sshKeySet, ACTION.approve, ACTION.deny]);
  expect(buttonsOf(v.blocks as Any[]).find((b: Any) => b.action_id === ACTION.approve).value).toBe('ap-1');
  expect(json).toContain('<@UDEPLOYER> in <#CGPU>');
  expect(json).toContain('*elsewhere*');
  expect(json).toContain('deployed outside gpu-bot');
  expect(json).toContain('<#CGPU>: $2.96/h of $10.00/h');
  expect(json).toContain('<#CML>: use unknown of $4.00/h');
});

test('admin with no pending request: the section says so (an admin always sees it)', () => {
  const v = renderHome(data({ role: 'admin', approvals: [], team: { kind: 'admin', running: [], budgets: [] } }));
  expect(text(v)).toContain('No deploy is waiting for an admin.');
});

test('hundreds of everything: at most 100 blocks, Slack accepts it, and every cut list says how many more and where', () => {
  const v = renderHome(
    data({
      role: 'admin',
      mine: Array.from({ length: 200 }, (_, i) => instance(i)),
      approvals: Array.from({ length: 80 }, (_, i) => approval(i)),
      team: { kind: 'admin', running: Array.from({ length: 5000 }, (_, i) => instance(i)), budgets: Array.from({ length: 400 }, (_, i) => ({ channelId: `C${i}`, usdPerHour: 10, burnPerHour: 1 })) },
    }),
    { extend },
  );
  expect(v.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
  expect(checkView(v)).toBeUndefined();
  const json = text(v);
  const shownMine = (v.blocks as Any[]).filter((b) => b.type === 'actions' && b.elements.some((e: Any) => e.action_id === ACTION.openInstance)).length;
  expect(shownMine).toBeGreaterThan(5);
  expect(json).toContain(`${200 - shownMine} more: \`/gpu list\``);
  expect(json).toMatch(/\d+ more: in the channels they were asked from/);
  expect(json).toMatch(/…and \d+ more instances: `\/gpu list`/);
  expect(json).toMatch(/…and \d+ more budgets: `\/gpu budget`/);
});

test('a Home of exactly one list too long for 100 blocks is cut, and one that fits is not', () => {
  const fits = renderHome(data({ mine: Array.from({ length: 30 }, (_, i) => instance(i)) }));
  expect(text(fits)).not.toContain('more: `/gpu list`');
  const cut = renderHome(data({ mine: Array.from({ length: 60 }, (_, i) => instance(i)) }));
  expect(cut.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
  expect(text(cut)).toMatch(/\d+ more: `\/gpu list`/);
});

test('shareBlocks hands items out in turn until the budget is spent', () => {
  expect(shareBlocks([{ items: 100, blocksEach: 2 }, { items: 1, blocksEach: 2 }, { items: 100, blocksEach: 1 }], 10)).toEqual([3, 1, 2]);
  expect(shareBlocks([{ items: 2, blocksEach: 2 }, { items: 0, blocksEach: 2 }], 50)).toEqual([2, 0]);
});
