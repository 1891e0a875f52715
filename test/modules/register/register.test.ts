import fc from 'fast-check';
import t from 'tap';
import { eq } from 'drizzle-orm';
import { mediators } from '../../../src/db/schema.ts';
import { PublicEntryKeys } from '../../../schemas/register.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

const names = (res: { json(): { items: Array<{ fullName: string }> } }) => res.json().items.map((i) => i.fullName);

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const get = (url: string, headers: Record<string, string> = {}) => ta.request({ method: 'GET', url, headers });
  const [zoe, oneill, john, , suspended, lapsed, removed] = await insertEntries(ta.database.db, [
    {
      fullName: 'Zoë Ellis',
      organisation: 'Ellis Mediation',
      regions: ['london'],
      languages: ['en', 'cy'],
      body: 'com',
      contactEmail: 'zoe@example.org',
      showEmail: true,
      contactPhone: '0207 000 0000',
      showPhone: false,
    },
    { fullName: "Aoife O'Neill", organisation: 'Northern Family Mediation', regions: ['north_west'], languages: ['en', 'pl'], body: 'cmc' },
    { fullName: 'John Smith', organisation: 'Smith & Partners', regions: ['london', 'south_east'], languages: ['en-GB'], body: 'cmc' },
    { fullName: 'Siân Jones', organisation: 'Cymru Mediation', regions: ['national'], languages: ['cy'], body: 'com' },
    { fullName: 'Sam Suspended', status: 'suspended' },
    { fullName: 'Sam Lapsed', status: 'lapsed' },
    { fullName: 'Sam Removed', status: 'removed' },
  ]);

  await t.test('accent, case, substring and typo tolerant search', async (t) => {
    t.same(names(await get('/v1/register?q=zoe')), ['Zoë Ellis'], 'zoe finds Zoë');
    t.same(names(await get('/v1/register?q=ZOË')), ['Zoë Ellis'], 'case-insensitive');
    t.same(names(await get('/v1/register?q=oneill')), ["Aoife O'Neill"], "oneill finds O'Neill");
    t.same(names(await get("/v1/register?q=o'neill")), ["Aoife O'Neill"], 'apostrophe typed too');
    t.ok(names(await get('/v1/register?q=jonh')).includes('John Smith'), 'jonh finds John');
    t.same(names(await get('/v1/register?q=northern fam')), ["Aoife O'Neill"], 'organisation substring');
    t.same(names(await get('/v1/register?q=ellis')), ['Zoë Ellis'], 'name and organisation match rank once');
    t.same(names(await get('/v1/register?q=sam')), [], 'suspended, lapsed and removed never appear');
  });

  await t.test('filters, alone and combined', async (t) => {
    t.same(names(await get('/v1/register?region=london')), ['John Smith', 'Zoë Ellis', 'Siân Jones'], 'sorted by name without q; remote (national) after local');
    t.same(names(await get('/v1/register?region=london&body=com')), ['Zoë Ellis', 'Siân Jones']);
    t.same(names(await get('/v1/register?language=cy')), ['Siân Jones', 'Zoë Ellis']);
    t.same(names(await get('/v1/register?language=en')), ["Aoife O'Neill", 'John Smith', 'Zoë Ellis'], 'en matches en-GB');
    t.same(names(await get('/v1/register?language=EN-gb&region=south_east&q=smith')), ['John Smith']);
    t.equal((await get('/v1/register?region=atlantis')).statusCode, 400);
    t.equal((await get('/v1/register?body=xyz')).statusCode, 400);
    t.equal((await get('/v1/register?unknown=1')).statusCode, 400, 'unknown parameters refused');
  });

  await t.test('query limits and metacharacters', async (t) => {
    const long = await get(`/v1/register?q=${'a'.repeat(101)}`);
    t.equal(long.statusCode, 400);
    t.equal(long.json().errors[0].field, 'q');
    t.equal((await get(`/v1/register?q=${'a'.repeat(100)}`)).statusCode, 200, '100 characters allowed');
    const nul = await get('/v1/register?q=a%00b');
    t.equal(nul.statusCode, 400);
    t.equal(nul.json().errors?.[0].field, 'q', 'a NUL names q (PostgreSQL cannot take it)');
    for (const q of ['%', '_', "'", '\\', "'; DROP TABLE mediators; --", '%_%', '\\%']) {
      const res = await get(`/v1/register?q=${encodeURIComponent(q)}`);
      t.equal(res.statusCode, 200, `q=${q}`);
      t.same(res.json().items, [], `q=${q} matches nothing`);
    }
    t.equal((await get('/v1/register?limit=101')).statusCode, 400);
    t.equal((await get('/v1/register?limit=0')).statusCode, 400);
    t.equal((await get('/v1/register?cursor=garbage')).statusCode, 400);
  });

  await t.test('an entry: allow-listed fields, contacts only where opted in', async (t) => {
    const res = await get(`/v1/register/${zoe}`);
    t.equal(res.statusCode, 200);
    t.match(res.headers['cache-control'], /public, max-age=300/);
    const body = res.json();
    t.same(Object.keys(body).sort(), [...PublicEntryKeys].sort());
    t.equal(body.contactEmail, 'zoe@example.org');
    t.equal(body.contactPhone, null, 'phone not published');
    for (const [id, status] of [
      [suspended, 'suspended'],
      [lapsed, 'lapsed'],
      [removed, 'removed'],
    ] as const) {
      t.match(
        (await get(`/v1/register/${id}`)).json(),
        { status, statusSince: '2024-01-10', contactEmail: null },
        `a ${status} entry stays findable, labelled (test/modules/register/entry-status.test.ts)`,
      );
    }
    t.equal((await get('/v1/register/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    t.equal((await get('/v1/register/not-a-uuid')).statusCode, 400);
  });

  await t.test('public history: status and date, never the reason', async (t) => {
    const res = await get(`/v1/register/${oneill}/history`);
    t.same(res.json(), { items: [{ status: 'accredited', date: '2019-06-01' }] });
    t.notMatch(res.body, 'grandfathered (test)');
    t.same((await get(`/v1/register/${suspended}/history`)).json(), {
      items: [
        { status: 'accredited', date: '2019-06-01' },
        { status: 'suspended', date: '2024-01-10' },
      ],
    });
  });

  await t.test('open-data export, streamed, with conditional requests', async (t) => {
    const csv = await get('/v1/register/export.csv');
    t.equal(csv.statusCode, 200);
    t.match(csv.headers['content-type'], /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    t.equal(lines[0], PublicEntryKeys.join(','));
    t.equal(lines.length, 8, 'header and every entry in public view, whatever its status');
    t.match(csv.body, '"Smith & Partners"'.replace(/"/g, ''));
    t.match(csv.body, "Aoife O'Neill");
    t.notMatch(csv.body, 'secret internal reason');
    const json = await get('/v1/register/export.json');
    const entries = json.json();
    t.same(
      entries.map((e: { fullName: string; status: string }) => [e.fullName, e.status]),
      [
        ["Aoife O'Neill", 'accredited'],
        ['John Smith', 'accredited'],
        ['Sam Lapsed', 'lapsed'],
        ['Sam Removed', 'removed'],
        ['Sam Suspended', 'suspended'],
        ['Siân Jones', 'accredited'],
        ['Zoë Ellis', 'accredited'],
      ],
      'in name order, labelled as the entry pages are',
    );
    for (const e of entries) t.same(Object.keys(e).sort(), [...PublicEntryKeys].sort());
    for (const id of [suspended, lapsed, removed]) {
      t.same(
        entries.find((e: { id: string }) => e.id === id),
        (await get(`/v1/register/${id}`)).json(),
        'each the same record as its entry page',
      );
    }

    const etag = String(json.headers.etag);
    const lastModified = String(json.headers['last-modified']);
    t.equal((await get('/v1/register/export.json', { 'if-none-match': etag })).statusCode, 304);
    t.equal((await get('/v1/register/export.csv', { 'if-none-match': etag })).statusCode, 304, 'same version for both formats');
    t.equal((await get('/v1/register/export.csv', { 'if-modified-since': lastModified })).statusCode, 304);
    await ta.database.db
      .update(mediators)
      .set({ status: 'suspended', statusChangedAt: new Date(Date.now() + 5000) })
      .where(eq(mediators.id, john!));
    const changed = await get('/v1/register/export.json', { 'if-none-match': etag });
    t.equal(changed.statusCode, 200, 'a status change invalidates the ETag');
    t.match(
      changed.json().find((e: { id: string }) => e.id === john),
      { fullName: 'John Smith', status: 'suspended', organisation: null },
      'listed as suspended, without how to reach him',
    );
    await ta.database.db.update(mediators).set({ status: 'accredited' }).where(eq(mediators.id, john!));
  });
});

await eachDatabase(t, async (t, kind) => {
  await t.test('substring matches in name order; near misses only when nothing matches as typed', async (t) => {
    const ta = await buildTestApp(t, kind);
    await insertEntries(ta.database.db, [
      ...Array.from({ length: 12 }, (_, i) => ({ fullName: `Mediator ${String(i).padStart(2, '0')} Walker` })),
      { fullName: 'Amy Walkar' },
      { fullName: 'Ben Walkar' },
    ]);
    const walk = async (q: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await ta.request({ method: 'GET', url: `/v1/register?limit=5&q=${q}${cursor ? `&cursor=${cursor}` : ''}` });
        t.equal(res.statusCode, 200);
        seen.push(...names(res));
        cursor = res.json().nextCursor;
      } while (cursor);
      return seen;
    };
    const walkers = Array.from({ length: 12 }, (_, i) => `Mediator ${String(i).padStart(2, '0')} Walker`);
    t.same(await walk('walker'), walkers, 'the 12 containing "walker", by name, over three pages; no near misses');
    const nearMisses = await walk('walkr');
    t.same([...nearMisses].sort(), [...walkers, 'Amy Walkar', 'Ben Walkar'].sort(), '"walkr" matches nothing as typed: every near miss, once');
  });
});

await eachDatabase(t, async (t, kind) => {
  await t.test('pagination walks every entry exactly once while entries are added', async (t) => {
    const ta = await buildTestApp(t, kind);
    await insertEntries(
      ta.database.db,
      Array.from({ length: 45 }, (_, i) => ({ fullName: `Mediator ${String(i).padStart(2, '0')} Walker`, regions: ['london'] })),
    );
    for (const q of ['', '&q=walker']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await ta.request({ method: 'GET', url: `/v1/register?limit=10${q}${cursor ? `&cursor=${cursor}` : ''}` });
        t.equal(res.statusCode, 200);
        seen.push(...res.json().items.map((i: { id: string }) => i.id));
        cursor = res.json().nextCursor;
        // New entries arrive mid-walk, before and after the current position.
        if (pages++ === 1) await insertEntries(ta.database.db, [{ fullName: 'Aaron Early Walker' }, { fullName: 'Zed Late Walker' }]);
      } while (cursor);
      t.equal(new Set(seen).size, seen.length, `no entry twice (${q || 'by name'})`);
      const all = await ta.request({ method: 'GET', url: `/v1/register?limit=100${q}` });
      const before = all
        .json()
        .items.filter((i: { fullName: string }) => !/Aaron Early|Zed Late/.test(i.fullName))
        .map((i: { id: string }) => i.id);
      t.ok(
        before.every((id: string) => seen.includes(id)),
        `every entry that existed throughout was seen (${q || 'by name'})`,
      );
    }
  });

  await t.test('public endpoints are rate-limited per IP', async (t) => {
    const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '3' } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await ta.request({ method: 'GET', url: '/v1/register', remoteAddress: '10.1.1.1' })).statusCode);
    t.same(codes, [200, 200, 200, 429]);
    const limited = await ta.request({ method: 'GET', url: '/v1/register', remoteAddress: '10.1.1.1' });
    t.ok(Number(limited.headers['retry-after']) > 0);
    t.match(limited.headers['content-type'], /^application\/problem\+json/);
    t.equal((await ta.request({ method: 'GET', url: '/v1/register', remoteAddress: '10.1.1.2' })).statusCode, 200, 'another address is unaffected');
  });
});

t.test('random profile data never adds a key outside the allow-list', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const text = fc.string({ minLength: 1, maxLength: 40 });
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        fullName: text,
        organisation: fc.option(text),
        regions: fc.subarray(['london', 'north_east', 'national']),
        languages: fc.subarray(['en', 'cy', 'pl']),
        contactEmail: fc.option(fc.emailAddress()),
        showEmail: fc.boolean(),
        contactPhone: fc.option(text),
        showPhone: fc.boolean(),
        website: fc.option(fc.webUrl()),
        showWebsite: fc.boolean(),
        body: fc.constantFrom('com' as const, 'cmc' as const),
      }),
      async (seed) => {
        const [id] = await insertEntries(ta.database.db, [seed]);
        const entry = (await ta.request({ method: 'GET', url: `/v1/register/${id}` })).json();
        t.same(Object.keys(entry).sort(), [...PublicEntryKeys].sort());
        t.equal(entry.contactEmail, seed.showEmail ? seed.contactEmail : null);
        t.equal(entry.contactPhone, seed.showPhone ? seed.contactPhone : null);
        t.equal(entry.website, seed.showWebsite ? seed.website : null);
      },
    ),
    { numRuns: 25, seed: 42 },
  );
});
