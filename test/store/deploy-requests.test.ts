/** Deploy claims on SQLite and on PostgreSQL (issue 13 §1): a deploy is claimed once, across processes and replicas. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DeployRequestMeta, DeployRequestStore } from '../../src/store/deploy-requests';
import { describeOnEachEngine } from '../support/engines';
import { tempStores } from './temp-store';

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

describeOnEachEngine('Deploy claims', (r) => {
  describe('DeployRequestStore.begin: a deploy is claimed once', () => {
    it('a double submit with one key starts exactly once and reports the pending attempt', async () => {
      const { deployRequests } = r;
      expect(await deployRequests.begin('req-1', meta())).toEqual({ started: true });
      const second = await deployRequests.begin('req-1', meta());
      expect(second).toMatchObject({ started: false, existing: { key: 'req-1', state: 'pending', instanceId: null, userId: 'U1' } });
    });

    it('after success, a retry learns the instance it already deployed', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('req-1', meta());
      expect(await deployRequests.succeed('req-1', 'inst-9')).toMatchObject({ state: 'succeeded', instanceId: 'inst-9' });
      expect(await deployRequests.begin('req-1', meta())).toMatchObject({ started: false, existing: { state: 'succeeded', instanceId: 'inst-9' } });
    });

    it('a failed attempt may be retried with the same key: begin starts again, once', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('req-1', meta());
      expect(await deployRequests.fail('req-1', 'Insufficient balance')).toMatchObject({ state: 'failed', errorSummary: 'Insufficient balance' });
      expect(await deployRequests.begin('req-1', meta({ name: 'llm-2' }))).toEqual({ started: true });
      expect(await deployRequests.get('req-1')).toMatchObject({ state: 'pending', attempts: 2, errorSummary: null, name: 'llm-2' });
      expect((await deployRequests.begin('req-1', meta())).started).toBe(false);
    });

    it('fail() does not overturn a recorded success, and unknown keys change nothing', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('req-1', meta());
      await deployRequests.succeed('req-1', 'inst-1');
      expect(await deployRequests.fail('req-1', 'late timeout')).toBeUndefined();
      expect((await deployRequests.get('req-1'))?.state).toBe('succeeded');
      expect(await deployRequests.succeed('nope', 'inst-2')).toBeUndefined();
      expect(await deployRequests.fail('nope', 'x')).toBeUndefined();
      expect(await deployRequests.get('nope')).toBeUndefined();
    });

    it('listUnwatched: succeeded deploys in the window whose instance has no watch (the reconciler announces them)', async () => {
      const { deployRequests, watches, clock } = r;
      for (const [key, inst] of [['lost', 'i-lost'], ['watched', 'i-watched'], ['pending', null], ['late', 'i-late']] as const) {
        await deployRequests.begin(key, meta({ name: key }));
        if (key === 'late') clock.t += 10_000;
        if (inst) await deployRequests.succeed(key, inst);
      }
      await watches.add({ instanceId: 'i-watched', type: 'container', channelId: 'C1', messageTs: '1.1', requesterId: 'U1', name: 'watched', planLabel: 'H100', pricePerHour: 1 }, clock.t);
      const from = clock.t - 60_000;
      expect((await deployRequests.listUnwatched(from, clock.t)).map((c) => c.key)).toEqual(['lost']);
      expect((await deployRequests.listUnwatched(from, clock.t + 1)).map((c) => c.key)).toEqual(['lost', 'late']);
      expect(await deployRequests.listUnwatched(clock.t + 1, clock.t + 2)).toEqual([]);
    });

    it('caps a long error summary', async () => {
      await r.deployRequests.begin('req-1', meta());
      expect((await r.deployRequests.fail('req-1', 'e'.repeat(5000)))?.errorSummary?.length).toBe(500);
    });

    it('two replicas claiming the same keys at once: every key has exactly one winner, who alone records it', async () => {
      const b = await r.another();
      const keys = Array.from({ length: 40 }, (_, i) => `modal-${i}`);
      const race = async (store: DeployRequestStore, who: string) => {
        const won: string[] = [];
        await Promise.all(
          keys.map(async (key) => {
            if ((await store.begin(key, meta({ userId: who, name: key }))).started) {
              won.push(key);
              await store.succeed(key, `inst-${who}-${key}`);
            }
          }),
        );
        return won;
      };
      const [a, bb] = await Promise.all([race(r.deployRequests, 'UA'), race(b.deployRequests, 'UB')]);
      expect([...a, ...bb].sort()).toEqual([...keys].sort());
      for (const row of await r.deployRequests.listByChannel('C1')) {
        const who = a.includes(row.key) ? 'UA' : 'UB';
        expect(row).toMatchObject({ state: 'succeeded', userId: who, instanceId: `inst-${who}-${row.key}`, attempts: 1 });
      }
    });

    it('two replicas claiming against one channel budget at once: never more than the budget is claimed', async () => {
      const b = await r.another();
      // every connection of both pools open first, so the claims really run side by side
      await Promise.all([r, b].flatMap((x) => Array.from({ length: 8 }, () => x.engine.kysely.selectFrom('deployRequests').select('key').execute())));
      const budget = 10; // USD/h; each deploy costs 2.5: four fit
      const claim = (store: DeployRequestStore, i: number) =>
        store.beginChecked(`k-${i}`, meta({ name: `vm-${i}` }), async (open) => {
          const burn = (await open()).reduce((s, x) => s + (x.pricePerHour ?? 0), 0);
          await new Promise((resolve) => setTimeout(resolve, 10)); // every chance to interleave
          return burn + 2.5 > budget ? 'over budget' : null;
        });
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(i % 2 ? b.deployRequests : r.deployRequests, i)));
      expect(results.filter((x) => x.started)).toHaveLength(4);
      expect(results.filter((x) => !x.started && 'vetoed' in x && x.vetoed === 'over budget')).toHaveLength(8);
      expect(await r.deployRequests.listByChannel('C1', ['pending'])).toHaveLength(4);
    });

    it("another form's unsettled deploy of the same name and type is seen by the check", async () => {
      await r.deployRequests.begin('first', meta());
      const vetoed = await r.deployRequests.beginChecked('second', meta(), async (_open, sameNamePending) => ((await sameNamePending()) ? 'same name' : null));
      expect(vetoed).toEqual({ started: false, vetoed: 'same name' });
      expect(await r.deployRequests.beginChecked('third', meta({ type: 'vm' }), async (_open, sameNamePending) => ((await sameNamePending()) ? 'same name' : null))).toEqual({ started: true });
    });
  });

  describe('DeployRequestStore: what the bot remembers about its instances', () => {
    it('findByInstance gives the requester, channel and thread of an instance deployed through the bot', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('req-1', meta({ userId: 'U7', channelId: 'C7' }));
      await deployRequests.succeed('req-1', 'inst-1');
      expect(await deployRequests.setThread('inst-1', 'C7', '1700000000.000100')).toBe(true);
      expect(await deployRequests.findByInstance('inst-1')).toMatchObject({
        key: 'req-1', userId: 'U7', channelId: 'C7', threadChannelId: 'C7', threadTs: '1700000000.000100',
      });
      expect(await deployRequests.findByInstance('someone-elses')).toBeUndefined();
      await deployRequests.begin('req-2', meta());
      await deployRequests.succeed('req-2', 'inst-2');
      const many = await deployRequests.findByInstances(['inst-1', 'someone-elses', 'inst-2', 'inst-1', ...Array.from({ length: 1200 }, (_, i) => `x-${i}`)]);
      expect([...many].map(([id, rec]) => [id, rec.key]).sort()).toEqual([['inst-1', 'req-1'], ['inst-2', 'req-2']]);
    });

    it('setThread also works by request key before the instance exists', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('req-1', meta());
      expect(await deployRequests.setThread('req-1', 'C1', '1.2')).toBe(true);
      expect(await deployRequests.get('req-1')).toMatchObject({ threadChannelId: 'C1', threadTs: '1.2' });
      expect(await deployRequests.setThread('unknown', 'C1', '1.3')).toBe(false);
    });

    it('listByChannel filters by channel and state (per-channel budget)', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('a', meta({ pricePerHour: 1 }));
      await deployRequests.succeed('a', 'i-a');
      r.clock.t += 1;
      await deployRequests.begin('b', meta({ pricePerHour: 2 }));
      await deployRequests.succeed('b', 'i-b');
      r.clock.t += 1;
      await deployRequests.begin('c', meta({ pricePerHour: 4 }));
      await deployRequests.fail('c', 'boom');
      await deployRequests.begin('d', meta({ channelId: 'C2', pricePerHour: 8 }));
      await deployRequests.succeed('d', 'i-d');

      const live = await deployRequests.listByChannel('C1', ['succeeded']);
      expect(live.map((x) => x.key)).toEqual(['a', 'b']);
      expect(live.reduce((s, x) => s + (x.pricePerHour ?? 0), 0)).toBe(3);
      expect((await deployRequests.listByChannel('C1')).map((x) => x.key)).toEqual(['a', 'b', 'c']);
      expect((await deployRequests.listByChannel('C1', ['failed', 'pending'])).map((x) => x.key)).toEqual(['c']);
    });

    it('prune forgets old failed attempts but keeps every deployed instance and every unsettled claim', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('old-ok', meta());
      await deployRequests.succeed('old-ok', 'i-1');
      await deployRequests.begin('old-failed', meta());
      await deployRequests.fail('old-failed', 'x');
      await deployRequests.begin('old-pending', meta());
      r.clock.t += 10 * 86_400_000;
      await deployRequests.begin('fresh-failed', meta());
      await deployRequests.fail('fresh-failed', 'x');

      expect(await deployRequests.prune(7 * 86_400_000)).toBe(1);
      expect(await deployRequests.get('old-failed')).toBeUndefined();
      // a pending claim may stand for a deploy that went through: only the reconciler settles it
      expect((await deployRequests.get('old-pending'))?.state).toBe('pending');
      expect((await deployRequests.get('fresh-failed'))?.state).toBe('failed');
      expect((await deployRequests.findByInstance('i-1'))?.key).toBe('old-ok');
    });

    it('stamps times from the injected clock', async () => {
      const { deployRequests } = r;
      await deployRequests.begin('k', meta());
      r.clock.t += 5000;
      await deployRequests.succeed('k', 'i');
      expect(await deployRequests.get('k')).toMatchObject({ createdAt: 1_700_000_000_000, updatedAt: 1_700_000_005_000, attemptedAt: 1_700_000_000_000 });
    });

    it('adopt settles an unclear claim once, with the instance found at Fluence', async () => {
      await r.deployRequests.begin('k', meta());
      const b = await r.another();
      const [x, y] = await Promise.all([r.deployRequests.adopt('k', 'inst-1'), b.deployRequests.adopt('k', 'inst-1')]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      expect(await r.deployRequests.get('k')).toMatchObject({ state: 'succeeded', instanceId: 'inst-1' });
      expect(await r.deployRequests.listPending()).toEqual([]);
    });
  });
});

describe('competing processes on one SQLite file', () => {
  it('every key has exactly one winner', async () => {
    const t = tempStores();
    try {
      await (await t.open()).close(); // migrate once before the race
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
      const allWon = results.flatMap((x) => x.won);
      expect(allWon).toHaveLength(keys);
      expect(new Set(allWon).size).toBe(keys);

      const store = await t.open();
      const rows = await store.deployRequests.listByChannel('C1');
      expect(rows).toHaveLength(keys);
      const winnerOf = new Map(results.flatMap((x) => x.won.map((k) => [k, x.pid] as const)));
      for (const row of rows) {
        // the winner, and only the winner, wrote the claim and recorded its instance
        expect(row).toMatchObject({ state: 'succeeded', userId: `U${winnerOf.get(row.key)}`, attempts: 1 });
      }
    } finally {
      await t.cleanup();
    }
  }, 60_000);
});
