/** Modal request ids issued at open, the prices a form showed, kept form secrets, command deliveries, and the migration that added them. */
import { openDatabase } from '../../src/store/db';
import { DEPLOY_MIGRATIONS } from '../../src/store/deploy-migrations';
import { MIGRATIONS } from '../../src/store/schema';
import { describeOnEachEngine } from '../support/engines';
import { tempStores } from './temp-store';

describeOnEachEngine('Deploy modals, form drafts, command deliveries', (r) => {
  it('records who a request id was issued to, its view, and the prices the form last showed', async () => {
    const { deployModals } = r;
    expect(await deployModals.get('r1')).toBeUndefined();
    await deployModals.issue('r1', { teamId: 'T1', userId: 'U1', channelId: 'C1' });
    await deployModals.setView('r1', 'V1');
    await deployModals.setShownPrices('r1', { a: 0.39, b: 2.1 });
    await deployModals.setShownPrices('r1', { a: 0.4 }); // a re-render shows what is offered now
    await deployModals.setShownPrice('r1', 'c', 5);
    expect(await deployModals.get('r1')).toMatchObject({ userId: 'U1', channelId: 'C1', viewId: 'V1', shownPrices: { a: 0.4, c: 5 } });
    await expect(deployModals.issue('r1', { userId: 'U2', channelId: 'C2' })).rejects.toMatchObject({ message: expect.stringMatching(/UNIQUE|duplicate key/i) }); // an id is issued once
    r.clock.t += 10_000;
    expect(await deployModals.prune(5_000)).toBe(1);
    expect(await deployModals.get('r1')).toBeUndefined();
  });

  it('keeps a sealed form secret until it is deleted or expires', async () => {
    const { formDrafts } = r;
    await formDrafts.put('r1', 'sealed-1', r.clock.t + 1000);
    await formDrafts.put('r1', 'sealed-2', r.clock.t + 1000); // a re-render replaces it
    await formDrafts.put('r2', 'sealed-3', r.clock.t + 10);
    expect(await formDrafts.get('r1')).toBe('sealed-2');
    r.clock.t += 10;
    expect(await formDrafts.get('r2')).toBeUndefined();
    await formDrafts.delete('r1');
    expect(await formDrafts.get('r1')).toBeUndefined();
    expect(await r.engine.kysely.selectFrom('formDrafts').selectAll().execute()).toEqual([]); // the expired one went with the delete
  });

  it('a slash command delivered twice, to two replicas at once, is claimed once', async () => {
    const b = await r.another();
    const claims = await Promise.all([r.commandDeliveries.claim('k1'), b.commandDeliveries.claim('k1'), r.commandDeliveries.claim('k1')]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await b.commandDeliveries.claim('k2')).toBe(true);
  });
});

it('an existing database (at every earlier version) gets the new tables and keeps its claims', async () => {
  const t = tempStores();
  try {
    // the database as it was before the deploy migrations shipped (later modules' migrations come after them)
    const first = Math.min(...DEPLOY_MIGRATIONS.map((m) => m.version));
    const earlier = MIGRATIONS.filter((m) => m.version < first);
    const old = openDatabase(t.path, earlier);
    old.prepare(
      `INSERT INTO deploy_requests (key, channel_id, user_id, type, plan_id, name, price_per_hour, created_at, updated_at)
       VALUES ('k', 'C1', 'U1', 'container', 'p', 'n', 1, 5, 7)`,
    ).run();
    old.close();
    const store = await t.open();
    expect(await store.deployRequests.get('k')).toMatchObject({ state: 'pending', attemptedAt: 7, planLabel: null });
    expect((await store.deployRequests.listPending()).map((c) => c.key)).toEqual(['k']);
    await store.deployModals.issue('r', { userId: 'U1', channelId: 'C1' });
    expect(await store.deployModals.get('r')).toMatchObject({ requestId: 'r', userId: 'U1', shownPrices: {} });
  } finally {
    await t.cleanup();
  }
});
