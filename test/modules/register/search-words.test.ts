import t, { type Test } from 'tap';
import { eq, inArray, sql } from 'drizzle-orm';
import { queryRows } from '../../../src/db/client.ts';
import { mediators, users } from '../../../src/db/schema.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { openDatabase } from '../../../src/db/client.ts';
import { recountNameWords } from '../../../src/modules/register/name-words-repository.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

type Page = { items: Array<{ fullName: string }>; nextCursor: string | null; match: string; total: number | null };

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  // What the table should hold once recounted: each word of an entry ever on the register, with how many entries hold it.
  const expected = () =>
    queryRows<{ word: string; entries: number }>(
      db,
      sql`SELECT u.word, count(DISTINCT m.id)::int AS entries FROM mediators m, unnest(m.search_words) u(word) WHERE m.status IS NOT NULL GROUP BY u.word ORDER BY u.word`,
    );
  const rows = () => queryRows<{ word: string; entries: number }>(db, sql`SELECT word, entries FROM register_name_words ORDER BY word, entries`);
  const listed = async (word: string) => (await rows()).some((w) => w.word === word);
  // Between recounts writers only add: every word the register's entries hold must be listed.
  const noneMissing = async (t: Test, after: string) => {
    const words = new Set((await rows()).map((w) => w.word));
    t.same(
      (await expected()).filter((w) => !words.has(w.word)),
      [],
      `every word held is listed after ${after}`,
    );
  };
  const exactAfterRecount = async (t: Test) => {
    t.equal(await recountNameWords(db), true, 'recounted');
    t.same(await rows(), await expected(), 'after a recount: exactly the words held, once each, with their counts');
  };

  await t.test('register_name_words lists every word held through inserts, updates, status changes and deletes; a recount makes it exact', async (t) => {
    const [zoe, john, , sam] = await insertEntries(db, [
      { fullName: 'Zoë Ellis', organisation: 'Ellis Mediation' },
      { fullName: 'John Smith', organisation: 'Smith & Partners' },
      { fullName: "Aoife O'Neill", status: 'lapsed' },
      { fullName: 'Sam Removed', status: 'removed' },
    ]);
    await noneMissing(t, 'entries added and moved off the register');
    t.ok((await listed('oneill')) && (await listed('sam')), 'every status counts');

    // Someone applying is not on the register: their words are not the register's.
    const [user] = await db.insert(users).values({ email: 'applicant@example.org', fullName: 'Quentin Applicant' }).returning({ id: users.id });
    const [applicant] = await db.insert(mediators).values({ userId: user!.id, fullName: 'Quentin Applicant', body: 'com' }).returning({ id: mediators.id });
    t.notOk(await listed('quentin'), 'not before they are on the register');
    await writeStatuses(db, [{ id: applicant!.id, from: null, to: 'accredited', reason: 'approved (test)' }], { userId: null, role: 'system' }, ta.clock());
    t.ok(await listed('quentin'), 'from their accreditation');

    await db.update(mediators).set({ fullName: 'Zoë Ellis-Hart' }).where(eq(mediators.id, zoe!));
    await db.update(mediators).set({ organisation: null }).where(eq(mediators.id, john!));
    t.ok(await listed('hart'), 'a new word listed at once');
    await noneMissing(t, 'a rename and an organisation removed');
    await writeStatuses(db, [{ id: john!, from: 'accredited', to: 'suspended', reason: 'test' }], { userId: null, role: 'registrar' }, ta.clock());
    await db
      .update(mediators)
      .set({ organisation: 'Shared Mediation' })
      .where(inArray(mediators.id, [zoe!, john!, sam!, applicant!.id]));
    t.same((await rows()).find((w) => w.word === 'shared')?.entries, 2, 'one statement changing several entries counts each once (an organisation is a word only of the two accredited)');
    await db.delete(mediators).where(eq(mediators.id, sam!));
    await db.execute(sql`
      WITH u AS (INSERT INTO users (email, full_name) SELECT 'bulk' || i || '@example.org', 'Bulk Ellis ' || i FROM generate_series(1, 30) i RETURNING id, full_name)
      INSERT INTO mediators (user_id, full_name, body, status, status_changed_at) SELECT id, full_name, 'com', 'accredited', now() FROM u`);
    await noneMissing(t, 'a suspension, an update of several rows, a delete and a bulk insert');
    t.ok(await listed('partners'), 'a word nobody holds any more stays until the recount');

    await exactAfterRecount(t);
    t.notOk((await listed('partners')) || (await listed('sam')), 'words nobody holds are gone after it');
    t.same((await rows()).find((w) => w.word === 'ellis')?.entries, 31);
  });

  if (kind === 'postgres') {
    await t.test('writers adding the same new words never wait for each other; the duplicates are read as one and recounted away', async (t) => {
      const other = await openDatabase({ kind: 'postgres', url: ta.databaseUrl!, poolMax: 2 });
      t.teardown(() => other.close());
      const [a, b] = [await other.pool!.connect(), await other.pool!.connect()];
      t.teardown(() => {
        a.release();
        b.release();
      });
      const [ua, ub] = await insertEntries(db, [
        { fullName: 'Placeholder One', status: 'accredited' },
        { fullName: 'Placeholder Two', status: 'accredited' },
      ]);
      // Two imports, each renaming into the same new words in opposite orders, neither committed.
      for (const c of [a, b]) await c.query(`BEGIN; SET LOCAL lock_timeout = '2s'`);
      await a.query(`UPDATE mediators SET full_name = 'Xavier Yellowhammer' WHERE id = $1`, [ua]);
      await b.query(`UPDATE mediators SET full_name = 'Yellowhammer Xavier' WHERE id = $1`, [ub]);
      await a.query(`UPDATE mediators SET organisation = 'Zanzibar Mediation' WHERE id = $1`, [ua]);
      await b.query(`UPDATE mediators SET organisation = 'Zanzibar Mediation' WHERE id = $1`, [ub]);
      await a.query('COMMIT');
      await b.query('COMMIT');
      t.same((await rows()).filter((w) => w.word === 'yellowhammer').length, 2, 'each listed the word it did not see committed');
      const page = (await ta.request({ method: 'GET', url: '/v1/register?q=yelowhammer' })).json() as Page;
      t.same(page.items.map((i) => i.fullName).sort(), ['Xavier Yellowhammer', 'Yellowhammer Xavier'], 'near misses find both, once each');
      await noneMissing(t, 'the two commits');
      await exactAfterRecount(t);
    });
  }

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
