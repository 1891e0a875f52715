import t from 'tap';
import { openToOtherSites, routePattern } from '../../src/plugins/cors.ts';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';
import { insertEntries } from '../helpers/entries.ts';

const ORIGIN = 'https://mediation-service.example';

t.test('routePattern matches paths as the router does', async (t) => {
  const entry = routePattern('/v1/register/:id');
  t.ok(entry.test('/v1/register/2f4e'));
  t.ok(entry.test('/v1/register/2f4e/'), 'trailing slash ignored');
  t.notOk(entry.test('/v1/register/2f4e/history'));
  t.notOk(routePattern('/v1/register/export.csv').test('/v1/register/exportxcsv'), 'dots are literal');
  t.ok(routePattern('/v1/register/by-number/:body/:membershipNumber').test('/v1/register/by-number/com/M-1'));
  t.ok(routePattern('/').test('/'));
  t.notOk(routePattern('/').test('/x'));
  t.ok(routePattern('/docs/*').test('/docs/static/index.html'));
});

t.test('openToOtherSites: public GETs and HEADs, and public routes that opt in', async (t) => {
  t.ok(openToOtherSites('GET', { access: 'public' }));
  t.ok(openToOtherSites('HEAD', { access: 'public' }));
  t.notOk(openToOtherSites('POST', { access: 'public' }), 'a public POST only when it says so (sign-in does not)');
  t.ok(openToOtherSites('POST', { access: 'public', crossOrigin: true }));
  t.notOk(openToOtherSites('GET', { access: ['registrar'] }));
  t.notOk(openToOtherSites('GET', { access: 'authenticated', crossOrigin: true }), 'never a route that needs a token');
  t.notOk(openToOtherSites('GET', undefined), 'a 404 has no route');
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const [id] = await insertEntries(ta.database.db, [{ fullName: 'Ada Open' }]);
  const registrar = await ta.staff('registrar');
  const mediator = await ta.mediator();
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, more: { token?: string; payload?: object } = {}) => ta.request({ method, url, headers: { origin: ORIGIN }, ...more });
  const preflight = (url: string, method: string, headers = 'content-type') =>
    ta.request({ method: 'OPTIONS', url, headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers } });

  await t.test('public GETs, their errors and pages: any origin, no credentials, readable cross-origin', async (t) => {
    for (const url of ['/v1/register', `/v1/register/${id}`, '/v1/register/export.json', '/v1/rules', '/v1/register/stats', '/', '/rules', '/v1/register/00000000-0000-4000-8000-000000000000']) {
      const res = await call('GET', url);
      t.equal(res.headers['access-control-allow-origin'], '*', `${url} (${res.statusCode})`);
      t.notOk(res.headers['access-control-allow-credentials'], `${url}: never credentials`);
      t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', `${url}: readable from other sites' pages`);
    }
    const exported = await call('GET', '/v1/register/export.json');
    t.match(exported.headers['access-control-expose-headers'], /\betag\b.*\bregister-changes-since\b/, 'the export validator and feed cursor can be read');
    t.equal((await ta.request({ method: 'HEAD', url: '/v1/rules', headers: { origin: ORIGIN } })).headers['access-control-allow-origin'], '*', 'HEAD as GET');
  });

  await t.test('a refusal for too many requests can be read too (its Retry-After)', async (t) => {
    const limited = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '1' } });
    const get = () => limited.request({ method: 'GET', url: '/v1/rules', headers: { origin: ORIGIN } });
    t.equal((await get()).statusCode, 200);
    const refused = await get();
    t.equal(refused.statusCode, 429);
    t.equal(refused.headers['access-control-allow-origin'], '*');
    t.match(refused.headers['access-control-expose-headers'], /retry-after/);
  });

  await t.test('the bulk lookup POST and its preflight', async (t) => {
    const res = await call('POST', '/v1/register/lookup', { payload: { queries: [{ id }] } });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['access-control-allow-origin'], '*');
    t.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    const pre = await preflight('/v1/register/lookup', 'POST');
    t.equal(pre.statusCode, 204);
    t.equal(pre.headers['access-control-allow-origin'], '*');
    t.equal(pre.headers['access-control-allow-methods'], 'POST');
    t.match(pre.headers['access-control-allow-headers'], /content-type/);
    t.equal(pre.headers['access-control-max-age'], '600');
    t.notOk(pre.headers['access-control-allow-credentials']);
    const conditional = await preflight('/v1/register/export.csv', 'GET', 'if-none-match');
    t.equal(conditional.statusCode, 204, "a conditional GET's preflight");
    t.equal(conditional.headers['access-control-allow-methods'], 'GET');
  });

  await t.test('staff, mediator and sign-in routes: no CORS, same-origin resource policy, preflights refused', async (t) => {
    const cases: Array<[string, Awaited<ReturnType<typeof call>>]> = [
      ['GET /v1/admin/users', await call('GET', '/v1/admin/users', { token: registrar.token })],
      ['GET /v1/admin/rule-sets', await call('GET', '/v1/admin/rule-sets', { token: registrar.token })],
      ['GET /v1/me/profile', await call('GET', '/v1/me/profile', { token: mediator.token })],
      ['GET /v1/me/compliance', await call('GET', '/v1/me/compliance', { token: mediator.token })],
      ['POST /v1/auth/login', await call('POST', '/v1/auth/login', { payload: { email: mediator.email, password: 'wrong password entirely' } })],
      ['GET /v1/admin/users without a token', await call('GET', '/v1/admin/users')],
    ];
    for (const [name, res] of cases) {
      t.notOk(res.headers['access-control-allow-origin'], `${name} (${res.statusCode}): no CORS`);
      t.equal(res.headers['cross-origin-resource-policy'], 'same-origin', `${name}: same-origin`);
    }
    for (const [url, method] of [
      ['/v1/admin/users', 'GET'],
      ['/v1/admin/rule-sets', 'PUT'],
      ['/v1/me/profile', 'PATCH'],
      ['/v1/auth/login', 'POST'],
      [`/v1/register/${id}`, 'DELETE'],
    ] as const) {
      const res = await preflight(url, method, 'authorization, content-type');
      t.equal(res.statusCode, 404, `preflight for ${method} ${url} not granted`);
      t.notOk(res.headers['access-control-allow-origin']);
      t.notOk(res.headers['access-control-allow-methods']);
    }
  });
});
