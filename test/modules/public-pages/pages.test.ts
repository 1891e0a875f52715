import t from 'tap';
import { complianceAssessments } from '../../../src/db/schema.ts';
import { readSearchForm } from '../../../src/modules/public-pages/search-form.ts';
import { notAccreditedLabel, resultCountLabel } from '../../../src/modules/public-pages/labels.ts';
import { MAX_BACK, PagingSchema, pagingLinks } from '../../../src/modules/public-pages/search-paging.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

t.test('readSearchForm keeps what was typed and names each wrong field', async (t) => {
  t.same(readSearchForm({}).search, null, 'an empty form is not a search');
  t.same(readSearchForm({ q: '  ' }).search, null, 'blank fields are ignored');
  t.same(readSearchForm({ q: ' Zoë ', region: 'london' }).search, { q: 'Zoë', region: 'london' });
  const bad = readSearchForm({ q: 'x'.repeat(101), region: 'atlantis', body: 'bar', language: 'English!' });
  t.equal(bad.search, null);
  t.same(
    bad.errors.map((e) => e.field),
    ['q', 'region', 'language', 'body'],
  );
  t.equal(bad.form.region, 'atlantis', 'the form shows what was sent');
  t.same(readSearchForm({ q: ['first', 'second'] }).search, { q: 'first' }, 'repeated parameters take the first');
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const [hostile, zoe, , suspended] = await insertEntries(ta.database.db, [
    { fullName: '<script>alert("x")</script> Evans', organisation: '<img src=x onerror=alert(1)>Mediation & Co', regions: ['north_west'] },
    {
      fullName: 'Zoë Ellis',
      organisation: 'Ellis Mediation',
      regions: ['london'],
      languages: ['en', 'cy'],
      contactEmail: 'zoe@example.org',
      showEmail: true,
      contactPhone: '020 7946 0000',
      showPhone: false,
    },
    { fullName: 'Sam Hidden-Contact', contactEmail: 'hidden@example.org', showEmail: false },
    { fullName: 'Suspended Person', status: 'suspended' },
  ]);

  await t.test('the search page without a query', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/' });
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/html/);
    t.match(res.headers['content-security-policy'], /default-src 'self'/);
    t.match(res.headers['content-security-policy'], /script-src 'self'/);
    t.match(res.body, /<title>Find a SEND mediator – Register of SEND Mediators<\/title>/);
    t.match(res.body, /<label for="q">/);
    t.match(res.body, /href="\/v1\/register\/export\.csv"/, 'links the open data');
    t.notMatch(res.body, /<script/, 'no scripts at all');
  });

  await t.test('hostile names are shown as text', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/?q=evans' });
    t.equal(res.statusCode, 200);
    t.match(res.body, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Evans');
    t.match(res.body, '&lt;img src=x onerror=alert(1)&gt;Mediation &amp; Co');
    t.notMatch(res.body, '<script>alert');
    t.notMatch(res.body, '<img src=x');
    const entry = await ta.request({ method: 'GET', url: `/mediators/${hostile}` });
    t.match(entry.body, /<title>&lt;script&gt;/);
    t.notMatch(entry.body, '<script>alert');
  });

  await t.test('results show only the allowed contact details', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/?q=zoe&region=london' });
    t.match(res.body, 'Zoë Ellis');
    t.match(res.body, 'mailto:zoe@example.org', 'opted-in email shown');
    t.notMatch(res.body, '020 7946 0000', 'phone not opted in');
    t.match(res.body, /Search results for “zoe” in London/);
    const all = await ta.request({ method: 'GET', url: '/?q=sam' });
    t.match(all.body, 'Sam Hidden-Contact');
    t.notMatch(all.body, 'hidden@example.org');
  });

  await t.test('an entry page, a suspended entry and an unknown id', async (t) => {
    const res = await ta.request({ method: 'GET', url: `/mediators/${zoe}` });
    t.equal(res.statusCode, 200);
    t.match(res.body, /<h1>Zoë Ellis<\/h1>/);
    t.match(res.body, /Register history/);
    t.match(res.body, /1 June 2019/);
    t.match((await ta.request({ method: 'GET', url: `/mediators/${suspended}` })).body, 'Not currently accredited: suspended on 10 January 2024', 'labelled (entry-page.test.ts)');
    const missing = await ta.request({ method: 'GET', url: '/mediators/not-a-uuid' });
    t.equal(missing.statusCode, 404);
    t.match(missing.body, /Mediator not found/);
    t.notMatch((await ta.request({ method: 'GET', url: '/?q=suspended' })).body, 'Suspended Person');
  });

  await t.test('errors are shown next to their field', async (t) => {
    const res = await ta.request({ method: 'GET', url: `/?q=${'a'.repeat(101)}&region=atlantis` });
    t.equal(res.statusCode, 400);
    t.match(res.body, /<title>Error: Find a SEND mediator<\/title>/);
    t.match(res.body, /role="alert"/);
    t.match(res.body, /id="q-error"[^>]*>Enter 100 characters or fewer/);
    t.match(res.body, /aria-describedby="q-hint q-error"/);
    t.match(res.body, /id="region-error"[^>]*>Choose an area from the list/);

    const nul = await ta.request({ method: 'GET', url: '/?q=a%00b' });
    t.equal(nul.statusCode, 400);
    t.match(nul.headers['content-type'], /^text\/html/, 'a NUL in the search box: the page, not a JSON 400');
    t.match(nul.body, /id="q-error"[^>]*>Enter letters, numbers and punctuation only/);
  });

  await t.test('an empty result says what to try next', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/?q=nobody-at-all-xyz' });
    t.equal(res.statusCode, 200);
    t.match(res.body, /No accredited mediator matches this search/);
    t.match(res.body, /<title>No results for “nobody-at-all-xyz” – Find a SEND mediator<\/title>/);
  });

  await t.test('the stylesheet is served with caching', async (t) => {
    const res = await ta.request({ method: 'GET', url: '/assets/site.css' });
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /text\/css/);
    const again = await ta.request({ method: 'GET', url: '/assets/site.css', headers: { 'if-none-match': String(res.headers.etag) } });
    t.equal(again.statusCode, 304);
  });
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  await insertEntries(ta.database.db, [
    { fullName: 'Lucy Local', regions: ['london'] },
    { fullName: 'Rita Remote', regions: ['national'] },
    { fullName: 'Sol Both', regions: ['south_west', 'national'] },
    // More near misses for "walkr" than fit on a page of 20.
    ...Array.from({ length: 22 }, (_, i) => ({ fullName: `Person ${String(i).padStart(2, '0')} Walker`, regions: ['north_east'] })),
  ]);
  const page = async (url: string) => (await ta.request({ method: 'GET', url })).body;
  const results = (html: string) => [...html.matchAll(/<h3><a href="\/mediators\/[^"]+">([^<]+)<\/a><\/h3>/g)].map((m) => m[1]);

  await t.test('a region search shows who works remotely across England, after the local entries', async (t) => {
    const html = await page('/?region=london');
    t.same(results(html), ['Lucy Local', 'Rita Remote', 'Sol Both']);
    t.match(html, /<dt>Areas<\/dt><dd>Works remotely across England<\/dd>/);
    t.match(html, /<dt>Areas<\/dt><dd>South West; works remotely across England<\/dd>/);
    t.match(html, /<dt>Areas<\/dt><dd>London<\/dd>/);
  });

  await t.test('near misses say so, on every page of them', async (t) => {
    const first = await page('/?q=walkr');
    t.match(first, "No exact matches for 'walkr'. Showing similar names.");
    t.match(first, /Mediators with names like “walkr”/);
    t.equal(results(first).length, 20);
    const next = /href="([^"]+)" rel="next"/.exec(first)![1]!.replaceAll('&amp;', '&');
    const second = await page(next);
    t.match(second, "No exact matches for 'walkr'. Showing similar names.", 'page 2 too');
    t.equal(results(second).length, 2);
    t.notMatch(await page('/?q=walker'), 'No exact matches', 'not when the name matches as typed');
    t.notMatch(await page('/?q=xqzvw'), 'Showing similar names', 'not when nothing is similar either');
  });

  await t.test('the query in the notice is escaped', async (t) => {
    const html = await page(`/?q=${encodeURIComponent('<b>walkr</b>')}`);
    t.match(html, "No exact matches for '&lt;b&gt;walkr&lt;/b&gt;'. Showing similar names.");
    t.notMatch(html, '<b>walkr');
  });
});

t.test('a tampered paging link is explained on the page', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const res = await ta.request({ method: 'GET', url: '/?q=a&cursor=not-a-cursor' });
  t.equal(res.statusCode, 400);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.body, /That page link has expired/);
});

t.test('the result count and the label of an entry not accredited, in words', async (t) => {
  t.equal(resultCountLabel(1, false, false), '1 mediator found');
  t.equal(resultCountLabel(23, false, false), '23 mediators found');
  t.equal(resultCountLabel(1000, false, false), '1,000 mediators found');
  t.equal(resultCountLabel(1000, true, false), 'More than 1,000 mediators found', 'past the cap, a lower bound');
  t.equal(resultCountLabel(3, false, true), '3 mediators with similar names');
  t.equal(notAccreditedLabel('lapsed', '2026-05-31'), 'Not currently accredited: lapsed on 31 May 2026');
  t.equal(notAccreditedLabel('suspended', '2026-01-02'), 'Not currently accredited: suspended on 2 January 2026');
  t.equal(notAccreditedLabel('removed', '2025-12-01'), 'Not currently accredited: removed from the register on 1 December 2025');
  t.equal(notAccreditedLabel('accredited', '2025-12-01'), null);
});

t.test('paging links: previous pops the cursors the link carries, within MAX_BACK of them', async (t) => {
  const search = new URLSearchParams({ q: 'ann' });
  const paging = (href: string | null) => PagingSchema.parse(Object.fromEntries(new URLSearchParams(href!.slice(2))));
  const first = PagingSchema.parse({});
  t.same(first, { cursor: undefined, back: [], page: 1 });
  t.same(pagingLinks(search, first, null), { page: 1, nextHref: null, previousHref: null, firstHref: null }, 'one page: no links');
  // Page after page, each with its own cursor c2, c3, ...: deeper than MAX_BACK the oldest are dropped.
  let current = first;
  const deepest = MAX_BACK + 5;
  for (let n = 2; n <= deepest; n++) current = paging(pagingLinks(search, current, `c${n}`).nextHref);
  t.same(current, { cursor: `c${deepest}`, back: Array.from({ length: MAX_BACK }, (_, i) => `c${deepest - MAX_BACK + i}`), page: deepest });
  t.match(pagingLinks(search, current, null).nextHref, null);
  // Back down: each previous page has its own cursor, until the link has none left to give.
  for (let n = deepest - 1; n >= deepest - MAX_BACK; n--) {
    current = paging(pagingLinks(search, current, `c${n + 1}`).previousHref);
    t.equal(current.cursor, `c${n}`);
    t.equal(current.page, n);
  }
  const spent = pagingLinks(search, current, 'cX');
  t.equal(spent.previousHref, null, `page ${current.page}: no earlier cursor left in the link`);
  t.equal(spent.firstHref, '/?q=ann', 'but a link to the first page');
  const second = PagingSchema.parse({ cursor: 'c2', page: '2' });
  t.equal(pagingLinks(search, second, 'c3').previousHref, '/?q=ann', 'page 2 goes back to page 1, without a cursor');
  t.equal(pagingLinks(search, second, 'c3').nextHref, '/?q=ann&cursor=c3&back=c2&page=3');

  for (const [why, query] of [
    ['earlier cursors without a cursor', { back: 'c2' }],
    ['a page number without a cursor', { page: '3' }],
    ['more earlier cursors than pages before it', { cursor: 'c4', back: 'c2,c3', page: '3' }],
    ['more than MAX_BACK earlier cursors', { cursor: 'c', back: Array.from({ length: MAX_BACK + 1 }, () => 'c').join(','), page: '99' }],
    ['an earlier cursor that is not base64url', { cursor: 'c3', back: 'c2!', page: '3' }],
    ['an empty earlier cursor', { cursor: 'c3', back: ',', page: '3' }],
    ['page 1 with a cursor', { cursor: 'c3', page: '1' }],
    ['a page that is not a number', { cursor: 'c3', page: 'three' }],
  ] as const) {
    t.notOk(PagingSchema.safeParse(query).success, why);
  }
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  // 45 in one area: pages of 20, 20 and 5.
  await insertEntries(
    ta.database.db,
    Array.from({ length: 45 }, (_, i) => ({ fullName: `Eastern Mediator ${String(i + 1).padStart(2, '0')}`, regions: ['east_of_england'] })),
  );
  const [trained] = await insertEntries(ta.database.db, [
    { fullName: 'Tamsin Trained', regions: ['south_east'] },
    { fullName: 'Lorna Lapsey', regions: ['south_east'], status: 'lapsed', contactEmail: 'lorna@example.org', showEmail: true },
  ]);
  await ta.database.db.insert(complianceAssessments).values({
    mediatorId: trained!,
    periodStart: '2025-04-01',
    periodEnd: '2026-03-31',
    ruleSetId: (await ta.database.db.query.ruleSets.findFirst())!.id,
    outcome: 'compliant',
    assessedAt: new Date('2026-04-01T02:00:00Z'),
    closedAt: new Date('2026-04-01T02:00:00Z'),
  });
  const get = (url: string) => ta.request({ method: 'GET', url });
  const names = (html: string) => [...html.matchAll(/<h3><a href="\/mediators\/[^"]+">([^<]+)<\/a><\/h3>/g)].map((m) => m[1]);
  const link = (html: string, rel: 'next' | 'prev') => new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
  const pager = (html: string) => /<nav class="pager" aria-label="Pagination">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';

  await t.test('previous and next across three pages: previous returns exactly the earlier page', async (t) => {
    const one = (await get('/?region=east_of_england')).body;
    t.equal(names(one).length, 20);
    t.match(pager(one), /Page 1/);
    t.equal(link(one, 'prev'), null, 'no previous page on the first');
    const two = (await get(link(one, 'next')!)).body;
    t.match(pager(two), /Page 2/);
    const three = (await get(link(two, 'next')!)).body;
    t.match(pager(three), /Page 3/);
    t.same(names(three), ['Eastern Mediator 41', 'Eastern Mediator 42', 'Eastern Mediator 43', 'Eastern Mediator 44', 'Eastern Mediator 45']);
    t.equal(link(three, 'next'), null, 'no next page on the last');
    t.equal(new Set([...names(one), ...names(two), ...names(three)]).size, 45, 'every entry once');

    const backToTwo = await get(link(three, 'prev')!);
    t.equal(backToTwo.statusCode, 200);
    t.same(names(backToTwo.body), names(two), 'page 3 → previous: page 2 exactly');
    t.match(pager(backToTwo.body), /Page 2/);
    const backToOne = (await get(link(backToTwo.body, 'prev')!)).body;
    t.same(names(backToOne), names(one), 'page 2 → previous: page 1 exactly');
    t.equal(link(two, 'prev'), '/?region=east_of_england', 'page 1 is the plain search, without a cursor');
    t.same(names((await get(link(backToTwo.body, 'next')!)).body), names(three), 'and next again from there: page 3');
    t.match(pager(two), /<a href="[^"]+" rel="prev">Previous page<\/a>[\s\S]*<span>Page 2<\/span>[\s\S]*<a href="[^"]+" rel="next">Next page<\/a>/);
  });

  await t.test('the count of results, on the first page', async (t) => {
    const one = (await get('/?region=east_of_england')).body;
    t.match(one, /<h2 id="results-heading">Mediators in East of England<\/h2>\s*<p class="result-count">45 mediators found<\/p>/);
    t.notMatch((await get(link(one, 'next')!)).body, 'result-count', 'the API counts on the first page only');
    t.match((await get('/?q=tamsin')).body, '<p class="result-count">1 mediator found</p>');
    t.match((await get('/?q=eastern%20mediatr')).body, '<p class="result-count">45 mediators with similar names</p>');
    t.notMatch((await get('/?q=nobody-at-all-xyz')).body, 'result-count', 'no count over nothing: the page says so in words');
  });

  await t.test('mediators no longer accredited: only when asked for, clearly labelled', async (t) => {
    const accreditedOnly = (await get('/?q=lorna')).body;
    t.match(accreditedOnly, 'No accredited mediator matches this search');
    t.match(accreditedOnly, /<input type="checkbox" id="status" name="status" value="any">/, 'the box, not ticked');
    const all = (await get('/?q=lorna&status=any')).body;
    t.match(all, /<input type="checkbox" id="status" name="status" value="any" checked>/);
    t.match(all, /Mediators “lorna” including those no longer accredited/);
    t.match(all, '<p class="not-accredited">Not currently accredited: lapsed on 10 January 2024</p>');
    t.notMatch(all, 'lorna@example.org', 'no contact details');
    t.match(all, '<p class="result-count">1 mediator found</p>');
    const inRegion = (await get('/?region=south_east&status=any')).body;
    t.same(names(inRegion), ['Tamsin Trained'], 'a search by region lists no one whose regions are not published (Lorna worked there)');
    t.notMatch(inRegion, 'class="not-accredited"', 'the accredited one unlabelled');
    const bad = await get('/?q=lorna&status=lapsed');
    t.equal(bad.statusCode, 400);
    t.match(bad.body, /id="status-error"[^>]*>Tick the box or leave it empty/);
  });

  await t.test('an edited or stale page link says it has expired, never a 500', async (t) => {
    const one = (await get('/?region=east_of_england')).body;
    const three = link((await get(link(one, 'next')!)).body, 'next')!;
    const url = new URL(three, 'http://x');
    const edit = (changes: Record<string, string | null>) => {
      const u = new URL(url);
      for (const [k, v] of Object.entries(changes)) v === null ? u.searchParams.delete(k) : u.searchParams.set(k, v);
      return `${u.pathname}${u.search}`;
    };
    for (const [why, href] of [
      ['an earlier cursor that is not one', edit({ back: 'not!a!cursor' })],
      ['earlier cursors without a cursor', edit({ cursor: null })],
      ['more earlier cursors than pages', edit({ page: '2' })],
      ['a mangled cursor', edit({ cursor: 'bm90LWEta2V5' })],
    ] as const) {
      const res = await get(href);
      t.equal(res.statusCode, 400, why);
      t.match(res.headers['content-type'], /^text\/html/);
      t.match(res.body, /That page link has expired: start the search again/, why);
    }
    // Well formed but not a cursor of this list: found out when "Previous" uses it.
    const forged = await get(edit({ back: 'bm90LWEta2V5' }));
    t.equal(forged.statusCode, 200, 'page 3 itself still shows');
    const previous = await get(link(forged.body, 'prev')!);
    t.equal(previous.statusCode, 400);
    t.match(previous.body, /That page link has expired/);
  });

  await t.test('plain words for parents: training, not CPD', async (t) => {
    const html = (await get('/?q=tamsin')).body;
    t.match(html, /<dt>Training<\/dt><dd><span class="badge">Training up to date for 2025\/26<\/span><\/dd>/);
    t.match(html, /\(membership number M\d+/);
    t.match(html, /<label for="body">Accredited by<\/label>/);
    t.match(html, /special educational needs and disabilities \(SEND\)/);
    const entry = (await get(`/mediators/${trained}`)).body;
    for (const page of [html, entry, (await get('/')).body]) {
      t.notMatch(page, /\bCPD\b|\bCoM\b|\bCMC\b|grandfather|Accrediting body/, 'no jargon');
    }
  });
});
