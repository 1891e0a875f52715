import t from 'tap';
import { eq, sql } from 'drizzle-orm';
import { mediators } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';
import { recountNameWords } from '../../../src/modules/register/name-words-repository.ts';

type Page = { items: Array<{ fullName: string; status: string }>; nextCursor: string | null; match: string; total: number | null; totalIsAtLeast: boolean };

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const get = async (url: string) => {
    const res = await ta.request({ method: 'GET', url });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Page;
  };
  const names = async (url: string) => (await get(url)).items.map((i) => `${i.fullName} (${i.status})`);
  // insertEntries moves the non-accredited off the register on 2024-01-10 (London).
  await insertEntries(ta.database.db, [
    { fullName: 'Sam Accredited', organisation: 'Sam & Co' },
    { fullName: 'Sam Suspended', status: 'suspended' },
    { fullName: 'Sam Lapsed', status: 'lapsed' },
    { fullName: 'Sam Removed', status: 'removed' },
    { fullName: 'Pat Lapsed', status: 'lapsed' },
  ]);

  await t.test('status: accredited by default, others when asked, each labelled', async (t) => {
    t.same(await names('/v1/register?q=sam'), ['Sam Accredited (accredited)'], 'default: accredited alone');
    t.same(await names('/v1/register?q=sam&status=accredited'), ['Sam Accredited (accredited)']);
    t.same(await names('/v1/register?q=sam&status=lapsed,suspended'), ['Sam Lapsed (lapsed)', 'Sam Suspended (suspended)'], 'several, in name order');
    t.same(await names('/v1/register?status=lapsed'), ['Pat Lapsed (lapsed)', 'Sam Lapsed (lapsed)'], 'without q');
    t.same(await names('/v1/register?q=sam&status=any'), ['Sam Accredited (accredited)', 'Sam Lapsed (lapsed)', 'Sam Removed (removed)', 'Sam Suspended (suspended)'], 'any: all four');
    t.same(await names('/v1/register?q=sma&status=removed'), ['Sam Removed (removed)'], 'near misses keep to the statuses asked for');
    t.equal((await get('/v1/register?q=sam&status=any')).total, 4, 'the count keeps to them too');
  });

  await t.test('status: a bad value is refused, naming the field', async (t) => {
    for (const bad of ['expired', 'accredited,', ',lapsed', 'Lapsed', 'lapsed;removed', '']) {
      const res = await ta.request({ method: 'GET', url: `/v1/register?status=${encodeURIComponent(bad)}` });
      t.equal(res.statusCode, 400, `status=${bad}`);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.equal(res.json().errors[0].field, 'status');
    }
    const repeated = await ta.request({ method: 'GET', url: '/v1/register?status=lapsed&status=removed' });
    t.equal(repeated.statusCode, 400, 'one parameter, comma separated: not repeated');
    t.equal(repeated.json().errors[0].field, 'status');
  });

  await t.test('a removed entry leaves search when it leaves public view', async (t) => {
    const removed = '/v1/register?q=sam&status=removed';
    ta.clock.set('2029-01-10T12:00:00Z');
    t.same(await names(removed), ['Sam Removed (removed)'], 'on the last day of its five years');
    t.equal((await get('/v1/register?status=removed')).total, 1, 'counted without q too');
    ta.clock.set('2029-01-11T12:00:00Z');
    t.same(await names(removed), [], 'gone the day after');
    t.equal((await get('/v1/register?status=removed')).total, 0, 'a count kept from the day before is not used');
    t.same(await names('/v1/register?q=sam&status=any'), ['Sam Accredited (accredited)', 'Sam Lapsed (lapsed)', 'Sam Suspended (suspended)'], 'and from any');
    t.equal((await get(removed)).total, 0);
    ta.clock.set('2025-06-02T10:00:00Z');
  });

  await t.test('total: every result of the search, on the first page only', async (t) => {
    const first = await get('/v1/register?q=sam&status=any&limit=2');
    t.same([first.total, first.totalIsAtLeast, first.items.length], [4, false, 2]);
    const second = await get(`/v1/register?q=sam&status=any&limit=2&cursor=${first.nextCursor}`);
    t.same([second.total, second.totalIsAtLeast], [null, false], 'not counted again on later pages');
    const similar = await get('/v1/register?q=sma&status=any');
    t.same([similar.match, similar.total], ['similar', similar.items.length], 'near misses: the count of near misses');
    t.same([(await get('/v1/register?q=nobody')).total, (await get('/v1/register?q=%27%27')).total], [0, 0], 'none, and a query of punctuation');
    t.equal((await get('/v1/register')).total, 1, 'without q: every entry the filters list');
    await ta.database.db.update(mediators).set({ status: 'accredited' }).where(eq(mediators.fullName, 'Pat Lapsed'));
    t.equal((await get('/v1/register')).total, 2, 'counted again once the register changes');
    await ta.database.db.update(mediators).set({ status: 'lapsed' }).where(eq(mediators.fullName, 'Pat Lapsed'));
    t.equal((await get('/v1/register')).total, 1);
  });

  await t.test('total: exact up to 1000, then 1000 and at least', async (t) => {
    const add = (n: number, prefix: string) =>
      ta.database.db.execute(sql`
        WITH u AS (INSERT INTO users (email, full_name) SELECT ${prefix} || i || '@example.org', ${prefix} || i FROM generate_series(1, ${n}) i RETURNING id, full_name)
        INSERT INTO mediators (user_id, full_name, body, status, status_changed_at, regions) SELECT id, full_name, 'com', 'accredited', now(), '{london}' FROM u`);
    await add(999, 'Many Walker ');
    const exact = await get('/v1/register?q=walker');
    t.same([exact.total, exact.totalIsAtLeast], [999, false]);
    await add(1, 'Many Walker extra ');
    t.same([(await get('/v1/register?q=walker')).total, (await get('/v1/register?q=walker')).totalIsAtLeast], [1000, false], 'exactly 1000');
    await add(1, 'Many Walker more ');
    const capped = await get('/v1/register?q=walker&region=london');
    t.same([capped.total, capped.totalIsAtLeast], [1000, true], '1001: 1000 and more');
    t.same([(await get('/v1/register')).total, (await get('/v1/register')).totalIsAtLeast], [1000, true], 'without q');
    t.same([(await get('/v1/register?q=walker&status=any')).total, (await get('/v1/register?q=walker&status=any')).totalIsAtLeast], [1000, true], 'any status');
    // A common word (more than a thousand hold it) under filters most of them miss: counted exactly.
    await ta.database.db.execute(sql`
      WITH u AS (INSERT INTO users (email, full_name) SELECT 'north' || i || '@example.org', 'Many Walker North ' || i FROM generate_series(1, 403) i RETURNING id, full_name)
      INSERT INTO mediators (user_id, full_name, body, status, status_changed_at, regions)
      SELECT id, full_name, 'cmc', CASE WHEN full_name ~ ' 40[1-3]$' THEN 'lapsed' ELSE 'accredited' END::mediator_status, now(), '{north_east}' FROM u`);
    // The daily job's recount tells the search "walker" is common: a page of it comes from a walk in name order.
    await recountNameWords(ta.database.db);
    const searches = ['q=walker&region=north_east', 'q=walker&body=cmc', 'q=walker&body=cmc&status=any', 'q=walker&body=cmc&status=lapsed', 'q=many walker&region=london'];
    const totals = (limit: number) =>
      Promise.all(
        searches.map(async (q) => {
          const page = await get(`/v1/register?${q}&limit=${limit}`);
          return [page.total, page.totalIsAtLeast];
        }),
      );
    const expected = [
      [400, false],
      [400, false],
      [403, false],
      [3, false],
      [1000, true],
    ];
    t.same(await totals(20), expected, 'by region, by body, of any status, lapsed, and where more than a thousand hold it');
    // Once vacuumed, the count walks the covering name index instead (another page size: no kept page).
    await ta.database.db.execute(sql`VACUUM (ANALYZE) mediators`);
    t.same(await totals(5), expected, 'the same once the table is vacuumed');
  });

  await t.test('a region or a language finds only entries that publish them: the accredited', async (t) => {
    const [, lapsed] = await insertEntries(ta.database.db, [
      { fullName: 'Rhys Rhanbarth', regions: ['north_east'], languages: ['cy'] },
      { fullName: 'Rhian Rhanbarth', regions: ['north_east'], languages: ['cy'], status: 'lapsed' },
      { fullName: 'Nia Rhanbarth', regions: ['national'], status: 'suspended' },
    ]);
    t.same(await names('/v1/register?q=rhanbarth&status=any'), ['Nia Rhanbarth (suspended)', 'Rhian Rhanbarth (lapsed)', 'Rhys Rhanbarth (accredited)'], 'by name: all three');
    t.same(await names('/v1/register?q=rhanbarth&status=any&region=north_east'), ['Rhys Rhanbarth (accredited)'], 'by region: not where a lapsed or suspended one worked');
    t.same(await names('/v1/register?q=rhanbarth&status=any&language=cy'), ['Rhys Rhanbarth (accredited)'], 'by language');
    t.equal((await get('/v1/register?status=lapsed&region=north_east')).total, 0, 'nor counted');
    await ta.database.db.update(mediators).set({ status: 'accredited' }).where(eq(mediators.id, lapsed!));
    t.same(await names('/v1/register?q=rhanbarth&status=any&region=north_east'), ['Rhian Rhanbarth (accredited)', 'Rhys Rhanbarth (accredited)'], 'accredited again: found there again');
  });

  await t.test('an organisation is matched only while its mediator is accredited, as it is only published then', async (t) => {
    const [, lapsed] = await insertEntries(ta.database.db, [
      { fullName: 'Ann Able', organisation: 'Quillfeather Mediation' },
      { fullName: 'Ben Blake', organisation: 'Quillfeather Mediation', status: 'lapsed' },
    ]);
    t.same(await names('/v1/register?q=quillfeather&status=any'), ['Ann Able (accredited)'], 'as typed: not the lapsed one');
    t.same(await names('/v1/register?q=quilfeather&status=any'), ['Ann Able (accredited)'], 'a near miss: not the lapsed one either');
    t.same(await names('/v1/register?q=blake&status=any'), ['Ben Blake (lapsed)'], 'the lapsed one by name');
    await ta.database.db.update(mediators).set({ status: 'accredited' }).where(eq(mediators.id, lapsed!));
    t.same(await names('/v1/register?q=quillfeather&status=any'), ['Ann Able (accredited)', 'Ben Blake (accredited)'], 'accredited again: matched again');
  });
});
