import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DeployRequestMeta } from '../../src/store/deploy-requests';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

const meta = (over: Partial<DeployRequestMeta> = {}): DeployRequestMeta => ({
  teamId: 'T1',
  channelId: 'C1',
  userId: 'U1',
  type: 'container',
  planId: 'plan-a',
  name: 'llm-1',
  pricePerHour: 2.5,
  ...over,
});

describe('DeployRequestStore.begin: a deploy is claimed once', () => {
  it('a double submit with one key starts exactly once and reports the pending attempt', async () => {
    const { deployRequests } = await t.open();
    expect(deployRequests.begin('req-1', meta())).toEqual({ started: true });
    const second = deployRequests.begin('req-1', meta());
    expect(second).toMatchObject({ started: false, existing: { key: 'req-1', state: 'pending', instanceId: null, userId: 'U1' } });
  });

  it('after success, a retry learns the instance it already deployed', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta());
    expect(deployRequests.succeed('req-1', 'inst-9')).toMatchObject({ state: 'succeeded', instanceId: 'inst-9' });
    expect(deployRequests.begin('req-1', meta())).toMatchObject({ started: false, existing: { state: 'succeeded', instanceId: 'inst-9' } });
  });

  it('a failed attempt may be retried with the same key: begin starts again, once', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta());
    expect(deployRequests.fail('req-1', 'Insufficient balance')).toMatchObject({ state: 'failed', errorSummary: 'Insufficient balance' });
    expect(deployRequests.begin('req-1', meta({ name: 'llm-2' }))).toEqual({ started: true });
    expect(deployRequests.get('req-1')).toMatchObject({ state: 'pending', attempts: 2, errorSummary: null, name: 'llm-2' });
    expect(deployRequests.begin('req-1', meta()).started).toBe(false);
  });

  it('fail() does not overturn a recorded success, and unknown keys change nothing', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta());
    deployRequests.succeed('req-1', 'inst-1');
    expect(deployRequests.fail('req-1', 'late timeout')).toBeUndefined();
    expect(deployRequests.get('req-1')?.state).toBe('succeeded');
    expect(deployRequests.succeed('nope', 'inst-2')).toBeUndefined();
    expect(deployRequests.fail('nope', 'x')).toBeUndefined();
    expect(deployRequests.get('nope')).toBeUndefined();
  });

  it('caps a long error summary', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta());
    expect(deployRequests.fail('req-1', 'e'.repeat(5000))?.errorSummary?.length).toBe(500);
  });

  it('two Store instances on one file: the second begin sees the first claim', async () => {
    const a = await t.open();
    const b = await t.open();
    const results = [a.deployRequests.begin('req-1', meta()), b.deployRequests.begin('req-1', meta({ userId: 'U2' }))];
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(b.deployRequests.get('req-1')?.userId).toBe('U1');
  });

  it('competing processes on one file: every key has exactly one winner', async () => {
    (await t.open()).close(); // migrate once before the race
    const keys = 1000; // enough that the competitors' claims really interleave
    const startAt = Date.now() + 1500; // after every child has booted
    const child = join(__dirname, 'race-begin.child.ts');
    const runs = Array.from({ length: 3 }, () =>
      new Promise<{ pid: number; won: string[] }>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, t.path, String(startAt), String(keys)], {
          cwd: join(__dirname, '..', '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', reject);
        p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
      }),
    );
    const results = await Promise.all(runs);
    const allWon = results.flatMap((r) => r.won);
    expect(allWon).toHaveLength(keys);
    expect(new Set(allWon).size).toBe(keys);

    const store = await t.open();
    const rows = store.deployRequests.listByChannel('C1');
    expect(rows).toHaveLength(keys);
    const winnerOf = new Map(results.flatMap((x) => x.won.map((k) => [k, x.pid] as const)));
    for (const r of rows) {
      // the winner, and only the winner, wrote the claim and recorded its instance
      expect(r).toMatchObject({ state: 'succeeded', userId: `U${winnerOf.get(r.key)}`, attempts: 1 });
    }
  });
});

describe('DeployRequestStore: what the bot remembers about its instances', () => {
  it('findByInstance gives the requester, channel and thread of an instance deployed through the bot', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta({ userId: 'U7', channelId: 'C7' }));
    deployRequests.succeed('req-1', 'inst-1');
    expect(deployRequests.setThread('inst-1', 'C7', '1700000000.000100')).toBe(true);
    expect(deployRequests.findByInstance('inst-1')).toMatchObject({
      key: 'req-1', userId: 'U7', channelId: 'C7', threadChannelId: 'C7', threadTs: '1700000000.000100',
    });
    expect(deployRequests.findByInstance('someone-elses')).toBeUndefined();
  });

  it('setThread also works by request key before the instance exists', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('req-1', meta());
    expect(deployRequests.setThread('req-1', 'C1', '1.2')).toBe(true);
    expect(deployRequests.get('req-1')).toMatchObject({ threadChannelId: 'C1', threadTs: '1.2' });
    expect(deployRequests.setThread('unknown', 'C1', '1.3')).toBe(false);
  });

  it('listByChannel filters by channel and state (per-channel budget)', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('a', meta({ pricePerHour: 1 }));
    deployRequests.succeed('a', 'i-a');
    t.clock.t += 1;
    deployRequests.begin('b', meta({ pricePerHour: 2 }));
    deployRequests.succeed('b', 'i-b');
    t.clock.t += 1;
    deployRequests.begin('c', meta({ pricePerHour: 4 }));
    deployRequests.fail('c', 'boom');
    deployRequests.begin('d', meta({ channelId: 'C2', pricePerHour: 8 }));
    deployRequests.succeed('d', 'i-d');

    const live = deployRequests.listByChannel('C1', ['succeeded']);
    expect(live.map((r) => r.key)).toEqual(['a', 'b']);
    expect(live.reduce((s, r) => s + (r.pricePerHour ?? 0), 0)).toBe(3);
    expect(deployRequests.listByChannel('C1').map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(deployRequests.listByChannel('C1', ['failed', 'pending']).map((r) => r.key)).toEqual(['c']);
  });

  it('prune forgets old failed attempts but keeps every deployed instance and every unsettled claim', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('old-ok', meta());
    deployRequests.succeed('old-ok', 'i-1');
    deployRequests.begin('old-failed', meta());
    deployRequests.fail('old-failed', 'x');
    deployRequests.begin('old-pending', meta());
    t.clock.t += 10 * 86_400_000;
    deployRequests.begin('fresh-failed', meta());
    deployRequests.fail('fresh-failed', 'x');

    expect(deployRequests.prune(7 * 86_400_000)).toBe(1);
    expect(deployRequests.get('old-failed')).toBeUndefined();
    // a pending claim may stand for a deploy that went through: only the reconciler settles it
    expect(deployRequests.get('old-pending')?.state).toBe('pending');
    expect(deployRequests.get('fresh-failed')).toBeDefined();
    expect(deployRequests.findByInstance('i-1')?.key).toBe('old-ok');
  });

  it('stamps times from the injected clock', async () => {
    const { deployRequests } = await t.open();
    deployRequests.begin('k', meta());
    t.clock.t += 5000;
    deployRequests.succeed('k', 'i');
    expect(deployRequests.get('k')).toMatchObject({ createdAt: 1_700_000_000_000, updatedAt: 1_700_000_005_000 });
  });
});
