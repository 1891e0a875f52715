import t, { type Test } from 'tap';
import { buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';
import { insertEntries, type EntrySeed } from '../../helpers/entries.ts';

type Item = { id: string; fullName: string };
type Page = { items: Item[]; nextCursor: string | null; match?: string };

/** Every page of a list, following nextCursor: the ids in the order served, and each page's `match`. */
async function walk(ta: TestApp, url: string, token?: string) {
  const ids: string[] = [];
  const matches: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await ta.request({ method: 'GET', url: cursor ? `${url}&cursor=${cursor}` : url, token });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    const page = res.json() as Page;
    ids.push(...page.items.map((i) => i.id));
    if (page.match) matches.push(page.match);
    cursor = page.nextCursor;
  } while (cursor);
  return { ids, matches };
}

/** Inserts the seeds in the order given and answers each name's id. */
async function insertNamed(ta: TestApp, seeds: EntrySeed[]) {
  const ids = await insertEntries(ta.database.db, seeds);
  return Object.fromEntries(seeds.map((s, i) => [s.fullName, ids[i]!]));
}

// Reading order, one group per sort key; names in a group fold to the same key, so their order is by id.
const READING_ORDER = [
  ["Aoife O'Neill"],
  ['Ava Zed'],
  ["D'Arcy Brown"],
  ['david Ames'],
  ['Élodie Martin'],
  ['Émilie Dubois'],
  ['Eve Adams'],
  ['Jo Bloggs', 'JO BLOGGS', 'jo bloggs'],
  ['Lara Croft'],
  ['Łukasz Nowak'],
  ['Ó Briain'],
  ['Oliver Ng'],
  ['Ümit Yilmaz'],
  ['zack lower'],
  ['Zoë Ellis'],
];

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  // Inserted out of order (reversed, the ties interleaved with the rest), so neither id nor insertion order gives the answer.
  const names = READING_ORDER.flat().reverse();
  const id = await insertNamed(ta, [...names.map((fullName) => ({ fullName })), { fullName: 'Béatrice Suspended', status: 'suspended' }]);
  const expected = READING_ORDER.flatMap((same) => same.map((n) => id[n]!).sort());
  const fullNames = (ids: string[]) => ids.map((i) => Object.keys(id).find((n) => id[n] === i));

  await t.test('names sort the way people read them', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/v1/register?limit=100' });
    t.same(fullNames(res.json().items.map((i: Item) => i.id)), fullNames(expected), 'É among the E, Ł among the L, Ó among the O, case and apostrophes ignored');
    t.same(
      res.json().items.map((i: Item) => i.id),
      expected,
      'equal keys in id order',
    );
  });

  await t.test('pages of two follow the same order: none twice, none missing', async (t) => {
    t.same((await walk(ta, '/v1/register?limit=2')).ids, expected);
    t.same((await walk(ta, '/v1/register?limit=3')).ids, expected, 'a page boundary between the three equal keys too');
  });

  await t.test('the export is in the same order, every status in public view included, as status=any lists them', async (t) => {
    const json = await ta.request({ method: 'GET', url: '/v1/register/export.json' });
    const any = (await walk(ta, '/v1/register?status=any&limit=2')).ids;
    t.same(
      json.json().map((e: Item) => e.id),
      any,
    );
    t.same(
      any.filter((i) => i !== id['Béatrice Suspended']),
      expected,
    );
  });

  await t.test('the admin list is in the same order, every status included', async (t) => {
    const { token } = await ta.staff('registrar');
    const withSuspended = [...expected];
    withSuspended.splice(1 + expected.indexOf(id['Ava Zed']!), 0, id['Béatrice Suspended']!);
    const res = await ta.request({ method: 'GET', url: '/v1/admin/mediators?limit=100', token });
    t.same(
      res.json().items.map((i: Item) => i.id),
      withSuspended,
    );
    t.same((await walk(ta, '/v1/admin/mediators?limit=2', token)).ids, withSuspended, 'pages of two');
  });

  await t.test('the CSV export starts with a UTF-8 byte order mark; the JSON export does not', async (t) => {
    const csv = await ta.request({ method: 'GET', url: '/v1/register/export.csv' });
    t.same([...csv.rawPayload.subarray(0, 5)], [0xef, 0xbb, 0xbf, ...Buffer.from('id')]);
    t.match(csv.rawPayload.toString('utf8'), 'Łukasz Nowak', 'accents intact in UTF-8');
    const json = await ta.request({ method: 'GET', url: '/v1/register/export.json' });
    t.same([...json.rawPayload.subarray(0, 2)], [...Buffer.from('[\n')]);
  });
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const id = await insertNamed(ta, [
    { fullName: 'Zara London', regions: ['london'], organisation: 'Family Mediation' },
    { fullName: 'Bea Remote', regions: ['national'], organisation: 'Family Mediation' },
    { fullName: 'Émile Both', regions: ['london', 'national'] },
    { fullName: 'Nina North', regions: ['north_west'], organisation: 'Family Mediation' },
    { fullName: 'Carl Remote', regions: ['north_west', 'national'] },
    { fullName: 'Adam London', regions: ['london'], organisation: 'Family Mediation' },
    { fullName: 'Ángel Remote', regions: ['national'], organisation: 'Family Mediation' },
    { fullName: 'Dana Remote', regions: ['london'] },
  ]);
  const ids = (...names: string[]) => names.map((n) => id[n]!);
  const eachLimit = async (t: Test, url: string, expected: string[], match = 'exact') => {
    for (const limit of [1, 2, 3, 4, 5, 100]) {
      const { ids: got, matches } = await walk(ta, `${url}&limit=${limit}`);
      t.same(got, expected, `${url}, pages of ${limit}`);
      t.ok(
        matches.every((m) => m === match),
        `every page says ${match}`,
      );
    }
  };

  await t.test('a region lists its local entries, then those who work remotely across England', async (t) => {
    const london = ids('Adam London', 'Dana Remote', 'Émile Both', 'Zara London', 'Ángel Remote', 'Bea Remote', 'Carl Remote');
    await eachLimit(t, '/v1/register?region=london', london);
    await eachLimit(t, '/v1/register?region=north_west', ids('Carl Remote', 'Nina North', 'Ángel Remote', 'Bea Remote', 'Émile Both'));
    await eachLimit(t, '/v1/register?region=national', ids('Ángel Remote', 'Bea Remote', 'Carl Remote', 'Émile Both'), 'exact');
    await eachLimit(t, '/v1/register?region=london&body=com', london);
    await eachLimit(t, '/v1/register?region=south_west', ids('Ángel Remote', 'Bea Remote', 'Carl Remote', 'Émile Both'), 'exact');
  });

  await t.test('substring matches and near misses keep local entries first', async (t) => {
    await eachLimit(t, '/v1/register?region=london&q=family', ids('Adam London', 'Zara London', 'Ángel Remote', 'Bea Remote'));
    await eachLimit(t, '/v1/register?region=london&q=remote', ids('Dana Remote', 'Ángel Remote', 'Bea Remote', 'Carl Remote'));
    // Nothing contains "rmote": the near misses, equally close, local first and then by name.
    await eachLimit(t, '/v1/register?region=london&q=rmote', ids('Dana Remote', 'Ángel Remote', 'Bea Remote', 'Carl Remote'), 'similar');
  });

  await t.test('a cursor from a region page carries its group; edited to another list it finds nothing past it', async (t) => {
    const first = (await ta.request({ method: 'GET', url: '/v1/register?region=london&limit=5' })).json() as Page;
    t.same(
      first.items.map((i) => i.id),
      ids('Adam London', 'Dana Remote', 'Émile Both', 'Zara London', 'Ángel Remote'),
    );
    const rest = await ta.request({ method: 'GET', url: `/v1/register?limit=5&cursor=${first.nextCursor}` });
    t.equal(rest.statusCode, 200);
    t.same(rest.json().items, [], 'a remote-group cursor without the region: nothing after the last group');
  });
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  await insertEntries(ta.database.db, [{ fullName: 'John Smith' }, { fullName: 'Joan Smyth' }, { fullName: 'Jonah Hill' }, { fullName: 'Mary Jones' }]);
  const get = async (url: string) => (await ta.request({ method: 'GET', url })).json() as Page;

  await t.test('a response says whether it matched as typed or shows similar names', async (t) => {
    t.equal((await get('/v1/register')).match, 'exact', 'without q');
    t.equal((await get('/v1/register?q=john')).match, 'exact');
    const jonh = await get('/v1/register?q=jonh');
    t.equal(jonh.match, 'similar');
    t.ok(
      jonh.items.some((i) => i.fullName === 'John Smith'),
      'with the names closest to it',
    );
    const nothing = await get('/v1/register?q=xqzvw');
    t.same(nothing, { items: [], nextCursor: null, match: 'exact', total: 0, totalIsAtLeast: false }, 'nothing similar either: no similar names to show');
  });

  await t.test('every page of near misses says similar', async (t) => {
    const { ids, matches } = await walk(ta, '/v1/register?q=jonh&limit=1');
    t.ok(ids.length >= 2, 'more than one page');
    t.equal(new Set(ids).size, ids.length, 'none twice');
    t.same(
      matches,
      ids.map(() => 'similar'),
    );
  });

  await t.test('the OpenAPI document describes the field', async (t) => {
    const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
    const schema = doc.components.schemas.RegisterSearchPage;
    t.same(schema.required.sort(), ['items', 'match', 'nextCursor', 'total', 'totalIsAtLeast']);
    t.same(schema.properties.match.enum, ['exact', 'similar']);
    t.match(schema.properties.match.description, /closest/);
  });
});
