import t, { type Test } from 'tap';
import { eq, inArray, sql } from 'drizzle-orm';
import { queryRows } from '../../../src/db/client.ts';
import { mediators, users } from '../../../src/db/schema.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

type Page = { items: Array<{ fullName: string }>; nextCursor: string | null; match: string; total: number | null };

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  // What the table should hold: each word of an entry ever on the register, with how many entries hold it.
  const expected = () =>
    queryRows<{ word: string; entries: number }>(
      db,
      sql`SELECT u.word, count(DISTINCT m.id)::int AS entries FROM mediators m, unnest(m.search_words) u(word) WHERE m.status IS NOT NULL GROUP BY u.word ORDER BY u.word`,
    );
  const held = () => queryRows<{ word: string; entries: number }>(db, sql`SELECT word, entries FROM register_name_words ORDER BY word`);
  const entriesOf = async (word: string) => (await held()).find((w) => w.word === word)?.entries ?? 0;
  const keptRight = async (t: Test, after: string) => t.same(await held(), await expected(), `the words and their counts after ${after}`);

  await t.test('register_name_words is kept right through inserts, updates, status changes and deletes', async (t) => {
    const [zoe, john, , sam] = await insertEntries(db, [
      { fullName: 'Zoë Ellis', organisation: 'Ellis Mediation' },
      { fullName: 'John Smith', organisation: 'Smith & Partners' },
      { fullName: "Aoife O'Neill", status: 'lapsed' },
      { fullName: 'Sam Removed', status: 'removed' },
    ]);
    await keptRight(t, 'entries added and moved off the register');
    t.same([await entriesOf('ellis'), await entriesOf('zoe'), await entriesOf('oneill'), await entriesOf('sam')], [1, 1, 1, 1], 'a word in name and organisation counts once; every status counts');

    // Someone applying is not on the register: their words are not the register's.
    const [user] = await db.insert(users).values({ email: 'applicant@example.org', fullName: 'Quentin Applicant' }).returning({ id: users.id });
    const [applicant] = await db.insert(mediators).values({ userId: user!.id, fullName: 'Quentin Applicant', body: 'com' }).returning({ id: mediators.id });
    t.equal(await entriesOf('quentin'), 0, 'not before they are on the register');
    await writeStatuses(db, [{ id: applicant!.id, from: null, to: 'accredited', reason: 'approved (test)' }], { userId: null, role: 'system' }, ta.clock());
    t.equal(await entriesOf('quentin'), 1, 'from their accreditation');
    await keptRight(t, 'an accreditation');

    await db.update(mediators).set({ fullName: 'Zoë Ellis-Hart' }).where(eq(mediators.id, zoe!));
    await db.update(mediators).set({ organisation: null }).where(eq(mediators.id, john!));
    t.same([await entriesOf('hart'), await entriesOf('partners')], [1, 0], 'a new word counted, a word nobody holds gone');
    await keptRight(t, 'a rename and an organisation removed');

    await writeStatuses(db, [{ id: john!, from: 'accredited', to: 'suspended', reason: 'test' }], { userId: null, role: 'registrar' }, ta.clock());
    await keptRight(t, 'a suspension (words unchanged)');

    await db
      .update(mediators)
      .set({ organisation: 'Shared Mediation' })
      .where(inArray(mediators.id, [zoe!, john!, sam!, applicant!.id]));
    t.equal(await entriesOf('shared'), 4, 'one statement changing several entries');
    await keptRight(t, 'an update of several rows');

    await db.delete(mediators).where(eq(mediators.id, sam!));
    t.same([await entriesOf('sam'), await entriesOf('shared')], [0, 3]);
    await keptRight(t, 'a delete');

    await db.execute(sql`
      WITH u AS (INSERT INTO users (email, full_name) SELECT 'bulk' || i || '@example.org', 'Bulk Ellis ' || i FROM generate_series(1, 30) i RETURNING id, full_name)
      INSERT INTO mediators (user_id, full_name, body, status, status_changed_at) SELECT id, full_name, 'com', 'accredited', now() FROM u`);
    t.equal(await entriesOf('ellis'), 31);
    await keptRight(t, 'a bulk insert');
  });

  await t.test('near misses: words within a few edits, closest first, then by name', async (t) => {
    await insertEntries(db, [{ fullName: 'Jon Baker' }, { fullName: 'Josh Abbott' }, { fullName: 'Mary Jones' }, { fullName: 'Amy Walkar' }, { fullName: 'Ben Walker' }]);
    const get = async (url: string) => {
      const res = await ta.request({ method: 'GET', url });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as Page;
    };
    const jonh = await get('/v1/register?q=jonh&status=any');
    t.equal(jonh.match, 'similar');
    t.same(
      jonh.items.map((i) => i.fullName),
      ['John Smith', 'Jon Baker', 'Josh Abbott'],
      'one edit from jonh (a swap, a letter missing, a letter wrong), by name; Jones is two',
    );
    t.equal(jonh.total, 3);
    t.same(
      (await get('/v1/register?q=ellis%20zoe')).items.map((i) => i.fullName),
      ['Zoë Ellis-Hart'],
      'words in another order',
    );
    t.same(
      (await get('/v1/register?q=zoe%20elis')).items.map((i) => i.fullName),
      ['Zoë Ellis-Hart'],
      'and one mistyped',
    );
    t.same(
      (await get('/v1/register?q=j.%20smiht&status=any')).items.map((i) => i.fullName),
      ['John Smith'],
      'an initial left out',
    );
    t.same(
      (await get('/v1/register?q=walkre')).items.map((i) => i.fullName),
      ['Ben Walker', 'Amy Walkar'],
      'one edit before two',
    );
    const walk = async (url: string, limit: number) => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await get(`${url}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        t.equal(page.match, 'similar');
        names.push(...page.items.map((i) => i.fullName));
        cursor = page.nextCursor;
      } while (cursor);
      return names;
    };
    t.same(await walk('/v1/register?q=walkre', 1), ['Ben Walker', 'Amy Walkar'], 'one a page, across the levels');
    const ellis = await walk('/v1/register?q=ellsi', 100);
    t.equal(ellis.length, 31, 'the 30 bulk Ellises and Zoë (John Smith is suspended)');
    t.same(await walk('/v1/register?q=ellsi', 4), ellis, 'pages of four give the same list, none twice or missing');
  });
});
