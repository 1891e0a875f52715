import t from 'tap';
import { readSearchForm } from '../../../src/modules/public-pages/public-pages-routes.ts';
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
    t.equal((await ta.request({ method: 'GET', url: `/mediators/${suspended}` })).statusCode, 404);
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
