import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { buildTestApp } from '../helpers/app.ts';
import { writeStatuses } from '../../src/modules/register-entries/register-entries-repository.ts';
import { insertEntries, type EntrySeed } from '../helpers/entries.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

t.test('the public pages in a real browser', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed (.ci/run installs Debian's chromium)` }, async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const seeds: EntrySeed[] = [
    { fullName: 'Zoë Ellis', organisation: 'Ellis Mediation', regions: ['london'], languages: ['en', 'cy'], contactEmail: 'zoe@example.org', showEmail: true },
    { fullName: "Aoife O'Neill", organisation: 'Northern Family Mediation', regions: ['north_west'], languages: ['en', 'pl'], website: 'https://oneill.example.org', showWebsite: true },
    { fullName: 'Siân Jones', organisation: 'Cymru Mediation', regions: ['south_west', 'national'], languages: ['cy', 'en'], body: 'cmc' },
    // 23 more in one region, so that region's results (with Siân Jones, remote) need two pages of 20.
    ...Array.from({ length: 23 }, (_, i) => ({ fullName: `Yorkshire Mediator ${String(i + 1).padStart(2, '0')}`, regions: ['yorkshire_and_the_humber'], languages: ['en'] })),
    { fullName: 'Suzanne Suspended', status: 'suspended', regions: ['north_east'] },
    // Contact details far wider than a 320 px screen, none with a space to break at.
    {
      fullName: 'Maximiliana Featherstonehaugh-Cholmondeley',
      organisation: 'TheNorthamptonshireAndLeicestershireFamilyMediationPartnership',
      regions: ['east_midlands'],
      contactEmail: 'maximiliana.featherstonehaugh-cholmondeley@northamptonshire-family-mediation.example.org',
      showEmail: true,
      website: 'https://www.northamptonshire-and-leicestershire-family-mediation-partnership.example.org/mediators/maximiliana',
      showWebsite: true,
    },
  ];
  await insertEntries(ta.database.db, seeds);
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(ta.app.server.address() as AddressInfo).port}`;

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  // The pages must work with JavaScript switched off, as many assistive setups and old phones have it.
  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  const page = await noJs.newPage();
  // axe runs as a script, so it gets its own context with our CSP bypassed for the injected copy.
  const axeContext = await browser.newContext({ bypassCSP: true });

  async function axeViolations(url: string) {
    const p: Page = await axeContext.newPage();
    await p.goto(url);
    await p.addScriptTag({ content: axe.source });
    // Evaluated in the page, where `axe` and `document` exist.
    const result = (await p.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`)) as axe.AxeResults;
    await p.close();
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }

  await t.test('search by name, accent-insensitive', async (t) => {
    await page.goto(`${base}/`);
    await page.getByLabel('Name or organisation').fill('zoe');
    await page.getByRole('button', { name: 'Search' }).click();
    t.match(await page.title(), /Search results for “zoe”/);
    t.equal(await page.locator('.result h3').count(), 1);
    t.equal(await page.locator('.result h3').first().innerText(), 'Zoë Ellis');
    t.equal(await page.getByRole('link', { name: 'zoe@example.org' }).count(), 1, 'opted-in email is a link');
  });

  await t.test('search by region and page through the results', async (t) => {
    await page.goto(`${base}/`);
    await page.getByLabel('Area').selectOption({ label: 'Yorkshire and the Humber' });
    await page.getByRole('button', { name: 'Search' }).click();
    t.equal(await page.locator('.result').count(), 20, 'first page of 20');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}results-page.png`, fullPage: true });
    const firstPage = await page.locator('.result h3').allInnerTexts();
    await page.getByRole('link', { name: 'Next page' }).click();
    const secondPage = await page.locator('.result h3').allInnerTexts();
    t.equal(secondPage.length, 4, 'the other three on page two, and the remote mediator');
    t.match(await page.getByRole('navigation', { name: 'Pagination' }).innerText(), /Page 2/);
    t.equal(new Set([...firstPage, ...secondPage]).size, 24, 'every entry exactly once');
    t.equal(secondPage.at(-1), 'Siân Jones', 'who works remotely across England comes after those in the region');
    t.match(await page.locator('.result').last().innerText(), /South West; works remotely across England/);
    t.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0, 'no next page at the end');
    t.equal(await page.getByLabel('Area').inputValue(), 'yorkshire_and_the_humber', 'the filter stays chosen');
    await page.getByRole('link', { name: 'Previous page' }).click();
    t.same(await page.locator('.result h3').allInnerTexts(), firstPage, 'Previous shows the first page again');
    t.equal(await page.getByRole('link', { name: 'Previous page' }).count(), 0, 'no previous page before the first');
  });

  await t.test('search by language and follow a result to its entry', async (t) => {
    await page.goto(`${base}/`);
    await page.getByLabel('Language').selectOption({ label: 'Polish' });
    await page.getByRole('button', { name: 'Search' }).click();
    t.same(await page.locator('.result h3').allInnerTexts(), ["Aoife O'Neill"]);
    await page.getByRole('link', { name: "Aoife O'Neill" }).click();
    t.match(await page.title(), /Aoife O'Neill – SEND mediator/);
    t.equal(await page.getByRole('heading', { level: 1 }).innerText(), "Aoife O'Neill");
    t.equal(await page.getByRole('heading', { name: 'Register history' }).count(), 1);
    t.equal(await page.locator('table.history tbody tr').count(), 1);
  });

  await t.test('a misspelt name shows similar names and says so', async (t) => {
    await page.goto(`${base}/?q=zoee`);
    t.match(await page.locator('main').innerText(), /No exact matches for 'zoee'\. Showing similar names\./);
    t.same(await page.locator('.result h3').allInnerTexts(), ['Zoë Ellis']);
  });

  await t.test('an empty search says what to try next', async (t) => {
    await page.goto(`${base}/?q=nobody-matches-this`);
    t.match(await page.locator('main').innerText(), /No accredited mediator matches this search/);
    t.equal(await page.getByRole('link', { name: 'Start a new search' }).count(), 1);
  });

  await t.test('no sideways scrolling at 320 px wide (WCAG 1.4.10), with long emails and web addresses', async (t) => {
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
    t.teardown(() => narrow.close());
    const p = await narrow.newPage();
    const fits = async (path: string) => {
      await p.goto(`${base}${path}`);
      return p.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    };
    t.ok(await fits('/'), 'the search form');
    t.ok(await fits('/?region=east_midlands'), 'results with long contact details');
    t.ok(await fits('/?region=yorkshire_and_the_humber'), 'results with page links');
    await p.goto(`${base}/?region=east_midlands`);
    const entry = await p.locator('.result h3 a').first().getAttribute('href');
    t.ok(await fits(entry!), 'the entry page');
    t.equal(await p.getByRole('link', { name: /^maximiliana\.featherstonehaugh/ }).count(), 1, 'the long email is there, as a link');
    mkdirSync(ARTIFACTS, { recursive: true });
    await p.screenshot({ path: `${ARTIFACTS}entry-page-320px.png`, fullPage: true });
  });

  await t.test('axe finds no WCAG 2.2 AA violations', async (t) => {
    const firstId = (await page.goto(`${base}/?q=zoe`), await page.locator('.result h3 a').first().getAttribute('href'));
    for (const path of [
      '/',
      '/?q=zoe',
      '/?region=yorkshire_and_the_humber',
      '/?region=east_midlands',
      '/?q=suzanne&status=any',
      '/?q=nobody-matches-this',
      '/?q=zoee',
      `/?q=${'a'.repeat(101)}`,
      firstId!,
      '/mediators/00000000-0000-4000-8000-000000000000',
    ]) {
      t.same(await axeViolations(`${base}${path}`), [], `no violations on ${path.slice(0, 40)}`);
    }
  });
  await t.test('the verify page says a pasted statement is genuine, without JavaScript, and axe finds nothing', async (t) => {
    await page.goto(`${base}/?q=zoe`);
    const id = (await page.locator('.result h3 a').first().getAttribute('href'))!.split('/').pop();
    const statement = await (await fetch(`${base}/v1/register/${id}/statement`)).text();
    await page.goto(`${base}/verify`);
    await page.getByLabel('Statement').fill(statement);
    await page.getByRole('button', { name: 'Check the statement' }).click();
    t.equal(await page.getByRole('heading', { level: 2, name: 'This statement is genuine and current' }).count(), 1);
    t.match(await page.locator('main').innerText(), /Zoë Ellis/);
    t.ok(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scrolling with a result');
    for (const path of ['/verify', `/verify?statement=${encodeURIComponent(statement)}`, '/verify?statement=not-a-statement']) {
      t.same(await axeViolations(`${base}${path}`), [], `no violations on ${path.slice(0, 40)}`);
    }
  });
  await t.test('an entry not accredited: a banner, and its status on a date from the form without JavaScript; axe finds nothing', async (t) => {
    const [lapsed, gone] = await insertEntries(ta.database.db, [{ fullName: 'Lorna Lapsey', status: 'lapsed', contactEmail: 'lorna@example.org', showEmail: true }, { fullName: 'Gil Gone' }]);
    // Removed six years before the test clock's today: past the five years a removed entry stays in view.
    await writeStatuses(ta.database.db, [{ id: gone!, from: 'accredited', to: 'removed', reason: 'test', at: new Date('2019-06-02T09:00:00Z') }], { userId: null, role: 'registrar' }, ta.clock());
    const entry = `/mediators/${lapsed}`;
    await page.goto(`${base}${entry}`);
    const banner = page.getByRole('region', { name: 'Not currently accredited: lapsed on 10 January 2024' });
    t.equal(await banner.count(), 1, 'the banner, a landmark named by its heading');
    t.match(await banner.innerText(), /Lapsed on 10 January 2024: /);
    t.equal(await page.getByRole('link', { name: 'lorna@example.org' }).count(), 0, 'no contact details');
    await page.getByLabel('Date', { exact: true }).fill('2023-06-30');
    await page.getByRole('button', { name: 'Check status' }).click();
    t.equal(await page.locator('#as-of-answer').innerText(), 'On 30 June 2023, Lorna Lapsey was accredited (since 1 June 2019).');
    t.equal(await page.getByLabel('Date', { exact: true }).inputValue(), '2023-06-30', 'the date stays in the field');
    await page.getByLabel('Date', { exact: true }).fill('2099-01-01');
    await page.getByRole('button', { name: 'Check status' }).click();
    t.equal(await page.locator('#asOf-error').textContent(), 'Error: Enter today’s date or a date in the past', 'the error next to the field');
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
    t.teardown(() => narrow.close());
    const p = await narrow.newPage();
    await p.goto(`${base}${entry}?asOf=2023-06-30`);
    t.ok(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scrolling at 320 px');
    for (const path of [entry, `${entry}?asOf=2023-06-30`, `${entry}?asOf=2099-01-01`, `${entry}?asOf=not-a-date`, `/mediators/${gone}`]) {
      t.same(await axeViolations(`${base}${path}`), [], `no violations on ${path.slice(0, 70)}`);
    }
  });
  await t.test('the rules page: plain words, the changes to come, reached from the footer; fits 320 px; axe finds nothing', async (t) => {
    const registrar = await ta.staff('registrar');
    const next = {
      effectiveFrom: '2026-04-01',
      yearStartMonth: 4,
      yearStartDay: 1,
      requirements: [{ metric: 'cpd_hours', minimum: 12 }],
      graceDays: 45,
      reminderOffsets: [30],
      graceReminderDays: 7,
      proRateFirstPeriod: true,
    };
    t.equal((await ta.request({ method: 'PUT', url: '/v1/admin/rule-sets', token: registrar.token, payload: next })).statusCode, 201);
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'What every mediator must do each year' }).click();
    t.equal(await page.getByRole('heading', { level: 1, name: 'What every SEND mediator must do each year' }).count(), 1);
    t.match(await page.locator('main').innerText(), /Each year, every mediator must do at least 10 hours of training[\s\S]*From 1 April 2026/);
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 } });
    t.teardown(() => narrow.close());
    const p = await narrow.newPage();
    await p.goto(`${base}/rules`);
    t.ok(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scrolling at 320 px');
    t.same(await axeViolations(`${base}/rules`), [], 'no violations on /rules');
  });
});
