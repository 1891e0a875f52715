import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { withoutUpgradeInsecureRequests } from '../../src/plugins/security-headers.ts';
import { JWT_SECRET, testConfig } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/database.ts';

t.test('withoutUpgradeInsecureRequests drops that directive and keeps the others', async (t) => {
  t.equal(withoutUpgradeInsecureRequests("default-src 'self';upgrade-insecure-requests;img-src data:"), "default-src 'self';img-src data:");
  t.equal(withoutUpgradeInsecureRequests("default-src 'self'; upgrade-insecure-requests;"), "default-src 'self';");
  t.equal(withoutUpgradeInsecureRequests("default-src 'self'"), "default-src 'self'");
});

t.test('HSTS and upgrade-insecure-requests only for visitors on https', async (t) => {
  const fresh = await freshDatabase('pglite');
  const apps: FastifyInstance[] = [];
  t.teardown(async () => {
    for (const app of apps) await app.close();
    await fresh.drop();
  });
  const appWith = async (env: Record<string, string>) => {
    const app = await buildApp(testConfig(env), { database: fresh.database, jwtSecret: JWT_SECRET });
    apps.push(app);
    return app;
  };
  /** What a browser would be told on a page, on /docs (Swagger UI sets its own CSP) and on an API call. */
  const headersOf = async (app: FastifyInstance, headers: Record<string, string> = {}) =>
    Promise.all(
      ['/', '/docs', '/health'].map(async (url) => {
        const res = await app.inject({ method: 'GET', url, headers });
        t.equal(res.statusCode, 200, url);
        return { url, hsts: res.headers['strict-transport-security'], csp: String(res.headers['content-security-policy']) };
      }),
    );

  const expectPlain = (seen: Awaited<ReturnType<typeof headersOf>>, why: string) => {
    for (const { url, hsts, csp } of seen) {
      t.equal(hsts, undefined, `${why}: no HSTS on ${url}`);
      t.notMatch(csp, /upgrade-insecure-requests/, `${why}: no upgrade-insecure-requests on ${url}`);
      t.match(csp, /default-src 'self'/, `${why}: the rest of the CSP stays on ${url}`);
    }
  };
  const expectSecure = (seen: Awaited<ReturnType<typeof headersOf>>, why: string) => {
    for (const { url, hsts, csp } of seen.filter((s) => s.url !== '/docs')) {
      t.match(hsts, /^max-age=\d+; includeSubDomains$/, `${why}: HSTS on ${url}`);
      t.match(csp, /(^|;)upgrade-insecure-requests(;|$)/, `${why}: upgrade-insecure-requests on ${url}`);
    }
    // Swagger UI's assets are all same-origin, so /docs never needs the upgrade; HSTS it gets.
    t.match(seen.find((s) => s.url === '/docs')?.hsts, /^max-age=/, `${why}: HSTS on /docs`);
  };

  const bare = await appWith({});
  expectPlain(await headersOf(bare), 'plain http, no PUBLIC_URL');
  expectPlain(await headersOf(bare, { 'x-forwarded-proto': 'https' }), 'x-forwarded-proto from an untrusted client');

  const httpPublic = await appWith({ PUBLIC_URL: 'http://register.example.org' });
  expectPlain(await headersOf(httpPublic), 'PUBLIC_URL on http');

  const httpsPublic = await appWith({ PUBLIC_URL: 'https://register.example.org' });
  expectSecure(await headersOf(httpsPublic), 'PUBLIC_URL on https, reached over plain http');

  const proxied = await appWith({ TRUST_PROXY: '1' });
  expectSecure(await headersOf(proxied, { 'x-forwarded-proto': 'https' }), 'trusted proxy says https');
  expectPlain(await headersOf(proxied, { 'x-forwarded-proto': 'http' }), 'trusted proxy says http');
  expectPlain(await headersOf(proxied), 'trusted proxy, no x-forwarded-proto');

  const listed = await appWith({ TRUST_PROXY: '127.0.0.1' });
  expectSecure(await headersOf(listed, { 'x-forwarded-proto': 'https' }), 'the listed proxy says https');
  const elsewhere = await appWith({ TRUST_PROXY: '10.0.0.5' });
  expectPlain(await headersOf(elsewhere, { 'x-forwarded-proto': 'https' }), 'a peer that is not the listed proxy is not believed');

  const distrusting = await appWith({ TRUST_PROXY: 'false' });
  expectPlain(await headersOf(distrusting, { 'x-forwarded-proto': 'https' }), 'TRUST_PROXY=false ignores x-forwarded-proto');
});
