import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { buildTestApp } from '../helpers/app.ts';

const CHROMIUM = '/usr/bin/chromium';
// Browsers treat loopback as a secure context and never upgrade it, which hid the bug; a
// non-loopback name mapped onto 127.0.0.1 is what a visitor of a plain-http deployment gets.
const HOST = 'register.example.test';

/** Every request the page makes, with what became of it. */
function watchRequests(page: Page) {
  const urls: string[] = [];
  const problems: string[] = [];
  page.on('request', (req) => void urls.push(req.url()));
  page.on('requestfailed', (req) => void problems.push(`${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') problems.push(`${res.url()}: ${res.status()}`);
  });
  // Only reports of a resource refused or not loaded: that is what an upgraded request turns into.
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Failed to load resource|Refused to load|Mixed Content/.test(text) && !msg.location().url.endsWith('/favicon.ico')) {
      problems.push(`console: ${text} (${msg.location().url})`);
    }
  });
  return { urls, problems };
}

t.test('served over plain http on a non-loopback name', { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed (.ci/run installs Debian's chromium)` }, async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://${HOST}:${(ta.app.server.address() as AddressInfo).port}`;

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
    ],
  });
  t.teardown(() => browser.close());

  await t.test('the public page loads its stylesheet over http and it applies', async (t) => {
    const page = await browser.newPage();
    const seen = watchRequests(page);
    const res = await page.goto(`${origin}/`, { waitUntil: 'load' });
    t.equal(res?.status(), 200);
    t.notOk(res?.headers()['strict-transport-security'], 'no HSTS over plain http');
    t.notMatch(res?.headers()['content-security-policy'] ?? '', /upgrade-insecure-requests/);
    t.equal(await page.evaluate('window.isSecureContext'), false, 'the browser saw an ordinary, non-secure origin');
    // A sheet that failed to load (or came from elsewhere) throws on cssRules; count it as empty.
    const rules = (await page.evaluate(`[...document.styleSheets].reduce((n, s) => { try { return n + s.cssRules.length; } catch { return n; } }, 0)`)) as number;
    t.ok(rules > 0, `site.css rules readable (${rules})`);
    // Both come from site.css only: unstyled, --accent is unset and the header transparent.
    t.not(await page.evaluate(`getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()`), '', '--accent defined');
    t.not(await page.evaluate(`getComputedStyle(document.querySelector('.site-header')).backgroundColor`), 'rgba(0, 0, 0, 0)', 'header coloured');
    t.ok(
      seen.urls.some((u) => u === `${origin}/assets/site.css`),
      'site.css requested over http',
    );
    t.same(
      seen.urls.filter((u) => !u.startsWith(`${origin}/`)),
      [],
      'nothing upgraded to https or sent elsewhere',
    );
    t.same(seen.problems, [], 'no failed request or console error');
    await page.close();
  });

  await t.test('Swagger UI loads its scripts and lists the operations', async (t) => {
    const page = await browser.newPage();
    const seen = watchRequests(page);
    const res = await page.goto(`${origin}/docs`, { waitUntil: 'load' });
    t.equal(res?.status(), 200);
    t.notMatch(res?.headers()['content-security-policy'] ?? '', /upgrade-insecure-requests/);
    // Rendered by swagger-ui-bundle.js from the document; absent if a script failed. The wait is only
    // a bound on a loaded machine, not a measurement.
    const operations = page.locator('.swagger-ui .opblock');
    const rendered = await operations
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 })
      .then(
        () => true,
        () => false,
      );
    t.ok(rendered, 'operations list rendered');
    if (rendered) t.ok((await operations.count()) > 10, 'many operations listed');
    t.same(
      seen.urls.filter((u) => !u.startsWith(`${origin}/`)),
      [],
      'nothing upgraded to https or sent elsewhere',
    );
    t.same(seen.problems, [], 'no failed request or console error');
    await page.close();
  });
});
