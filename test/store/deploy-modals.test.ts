/** Modal request ids issued at open, the prices a form showed, and the migration that added them. */
import { openDatabase } from '../../src/store/db';
import { DEPLOY_MIGRATIONS } from '../../src/store/deploy-migrations';
import { MIGRATIONS } from '../../src/store/schema';
import { tempStores, type TempStores } from './temp-store';

let t: TempStores;
beforeEach(() => (t = tempStores()));
afterEach(async () => t.cleanup());

it('records who a request id was issued to, its view, and the prices the form last showed', async () => {
  const { deployModals } = await t.open();
  expect(deployModals.get('r1')).toBeUndefined();
  deployModals.issue('r1', { teamId: 'T1', userId: 'U1', channelId: 'C1' });
  deployModals.setView('r1', 'V1');
  deployModals.setShownPrices('r1', { a: 0.39, b: 2.1 });
  deployModals.setShownPrices('r1', { a: 0.4 }); // a re-render shows what is offered now
  deployModals.setShownPrice('r1', 'c', 5);
  expect(deployModals.get('r1')).toMatchObject({ userId: 'U1', channelId: 'C1', viewId: 'V1', shownPrices: { a: 0.4, c: 5 } });
  expect(() => deployModals.issue('r1', { userId: 'U2', channelId: 'C2' })).toThrow(); // an id is issued once
});

it('an existing database (at every earlier version) gets the new tables and keeps its claims', async () => {
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
  expect(store.deployRequests.get('k')).toMatchObject({ state: 'pending', attemptedAt: 7, planLabel: null });
  expect(store.deployRequests.listPending().map((c) => c.key)).toEqual(['k']);
  store.deployModals.issue('r', { userId: 'U1', channelId: 'C1' });
  expect(store.deployModals.get('r')).toBeDefined();
});
