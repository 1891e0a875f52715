import t from 'tap';
import { eq } from 'drizzle-orm';
import { buildApp } from '../../../src/app.ts';
import { complianceAssessments, mediators } from '../../../src/db/schema.ts';
import { logKey } from '../../../src/lib/audit-signing-key.ts';
import { AUDIT_SIGNING_KEY, JWT_SECRET, buildTestApp, eachDatabase, testConfig, type TestApp } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

type Page = { items: Array<{ fullName: string; status: string; cpdUpToDateFor: string | null }>; total: number | null };
type Instance = Pick<TestApp['app'], 'inject'>;

const search = async (app: Instance, url: string) => {
  const res = await app.inject({ method: 'GET', url });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json() as Page;
};
const names = async (app: Instance, url: string) => (await search(app, url)).items.map((i) => i.fullName);

/** This instance's search cache counters, as the metrics show them. */
async function cacheCounts(app: Instance) {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  return { hits: read('send_register_search_cache_hits_total'), misses: read('send_register_search_cache_misses_total') };
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  /** Another instance of the register on the same database, as a second process would be. */
  const instance = async (env: Record<string, string> = {}) => {
    const app = await buildApp(testConfig(env), { database: ta.database, jwtSecret: JWT_SECRET, clock: ta.clock, auditKey: logKey(AUDIT_SIGNING_KEY) });
    t.teardown(() => app.close());
    return app;
  };
  const [alex, bea] = await insertEntries(ta.database.db, [{ fullName: 'Alex Cached' }, { fullName: 'Bea Cached' }]);

  await t.test('a repeated search is answered from what the instance keeps', async (t) => {
    const before = await cacheCounts(ta.app);
    const first = await search(ta.app, '/v1/register?q=cached');
    t.same(await search(ta.app, '/v1/register?q=cached'), first, 'the same answer');
    const after = await cacheCounts(ta.app);
    t.same([after.misses - before.misses, after.hits - before.hits], [1, 1], 'worked out once, then kept');
    await search(ta.app, '/v1/register?q=cached&limit=1');
    t.equal((await cacheCounts(ta.app)).misses - after.misses, 1, 'another page size is another search');
  });

  await t.test('searches asked at once share one computation', async (t) => {
    const before = await cacheCounts(ta.app);
    const pages = await Promise.all(Array.from({ length: 5 }, () => search(ta.app, '/v1/register?q=bea')));
    t.same(
      pages.map((p) => p.items.map((i) => i.fullName)),
      Array.from({ length: 5 }, () => ['Bea Cached']),
    );
    const after = await cacheCounts(ta.app);
    t.same([after.misses - before.misses, after.hits - before.hits], [1, 4]);
  });

  await t.test('a change made anywhere is in the next search of every instance', async (t) => {
    const other = await instance();
    const url = '/v1/register?q=cached';
    t.same(
      [await names(ta.app, url), await names(other, url)],
      [
        ['Alex Cached', 'Bea Cached'],
        ['Alex Cached', 'Bea Cached'],
      ],
      'both keep the page',
    );
    // Another writer (here the test, as a registrar's decision on a third instance would) suspends Bea.
    await ta.database.db.update(mediators).set({ status: 'suspended', statusChangedAt: ta.clock() }).where(eq(mediators.id, bea!));
    t.same([await names(ta.app, url), await names(other, url)], [['Alex Cached'], ['Alex Cached']], 'neither answers from the kept page');
    await ta.database.db.update(mediators).set({ status: 'accredited', statusChangedAt: ta.clock() }).where(eq(mediators.id, bea!));
    t.same(await names(other, url), ['Alex Cached', 'Bea Cached']);
  });

  await t.test('a period assessed compliant shows at once ("training up to date")', async (t) => {
    const cpd = async () => (await search(ta.app, '/v1/register?q=alex')).items[0]!.cpdUpToDateFor;
    t.equal(await cpd(), null);
    await ta.database.db.insert(complianceAssessments).values({
      mediatorId: alex!,
      periodStart: '2024-04-01',
      periodEnd: '2025-03-31',
      ruleSetId: (await ta.database.db.query.ruleSets.findFirst())!.id,
      outcome: 'compliant',
      assessedAt: new Date('2025-04-01T02:00:00Z'),
      closedAt: new Date('2025-04-01T02:00:00Z'),
    });
    t.equal(await cpd(), '2024/25');
  });

  await t.test('the day a removed entry leaves public view, it leaves the kept pages too', async (t) => {
    await ta.database.db
      .update(mediators)
      .set({ status: 'removed', statusChangedAt: new Date('2025-06-02T10:00:00Z') })
      .where(eq(mediators.id, bea!));
    const url = '/v1/register?q=cached&status=removed';
    ta.clock.set('2030-06-02T22:59:00Z');
    t.same(await names(ta.app, url), ['Bea Cached'], 'on the last day of its five years (23:59 in London)');
    ta.clock.set('2030-06-02T23:00:00Z');
    t.same(await names(ta.app, url), [], 'gone at midnight in London, with nothing written');
    ta.clock.set('2025-06-02T10:00:00Z');
  });

  await t.test('SEARCH_CACHE_MB=0 works out every search', async (t) => {
    const uncached = await instance({ SEARCH_CACHE_MB: '0' });
    await search(uncached, '/v1/register?q=alex');
    await search(uncached, '/v1/register?q=alex');
    t.same(await cacheCounts(uncached), { hits: 0, misses: 2 });
  });
});
