import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import t from 'tap';
import { problem, serviceUnavailable } from '../../../src/errors.ts';
import { accountPagesRoutes } from '../../../src/modules/account-pages/account-pages-routes.ts';
import { createFormGuard, isCrossSite } from '../../../src/modules/account-pages/form-guard.ts';
import { registerErrorHandling } from '../../../src/plugins/errors.ts';
import { accountLinks, formPost, hiddenField } from '../../helpers/account-links.ts';
import { buildTestApp, eachDatabase, JWT_SECRET } from '../../helpers/app.ts';

const NEW_PASSWORD = 'harbour violet tram fourteen';

t.test('a form token belongs to one page, one link and one server secret', async (t) => {
  const guard = createFormGuard(JWT_SECRET);
  const token = guard.tokenFor('/account/reset', 'link-secret');
  t.ok(guard.accepts('/account/reset', 'link-secret', token));
  t.notOk(guard.accepts('/account/claim', 'link-secret', token), 'another page');
  t.notOk(guard.accepts('/account/reset', 'another-link', token), 'another link');
  t.notOk(createFormGuard('some other server secret').accepts('/account/reset', 'link-secret', token), 'another server secret');
  t.notOk(guard.accepts('/account/reset', 'link-secret', token.slice(0, -1)), 'cut short');
  t.notOk(guard.accepts('/account/reset', 'link-secret', undefined), 'missing');
});

t.test('where a post came from', async (t) => {
  const hosts = ['register.example.org'];
  t.notOk(isCrossSite({ 'sec-fetch-site': 'same-origin' }, hosts));
  t.notOk(isCrossSite({ 'sec-fetch-site': 'none' }, hosts), 'the person’s own action');
  t.ok(isCrossSite({ 'sec-fetch-site': 'cross-site' }, hosts));
  t.ok(isCrossSite({ 'sec-fetch-site': 'same-site' }, hosts), 'a sibling subdomain is not us');
  t.ok(isCrossSite({ 'sec-fetch-site': 'cross-site', origin: 'https://register.example.org' }, hosts), 'fetch metadata decides when present');
  t.notOk(isCrossSite({ origin: 'https://register.example.org' }, hosts));
  t.ok(isCrossSite({ origin: 'https://evil.example' }, hosts));
  t.ok(isCrossSite({ origin: 'not a url' }, hosts));
  t.notOk(isCrossSite({ origin: 'null' }, hosts), 'a no-referrer page posts with Origin: null');
  t.notOk(isCrossSite({}, hosts), 'no header: the form token alone decides');
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { PUBLIC_URL: 'https://register.example.org' } });
  const links = accountLinks(ta.database.db, ta.clock);
  const signIn = (email: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  await t.test('a post without the form token of its link is refused with a page', async (t) => {
    const { code, email } = await links.claim();
    const page = await ta.request({ method: 'GET', url: `/account/claim?code=${code}` });
    const csrf = hiddenField(page, 'csrf')!;
    const other = await links.claim();
    const otherCsrf = hiddenField(await ta.request({ method: 'GET', url: `/account/claim?code=${other.code}` }), 'csrf')!;
    const fields = { code, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    const refused = [
      ['no form token', formPost('/account/claim', fields)],
      ['a made-up token', formPost('/account/claim', { ...fields, csrf: 'x'.repeat(43) })],
      ['the token of another link', formPost('/account/claim', { ...fields, csrf: otherCsrf })],
      ['the token of another page', formPost('/account/claim', { ...fields, csrf: createFormGuard(JWT_SECRET).tokenFor('/account/reset', code) })],
      ['signed with another key', formPost('/account/claim', { ...fields, csrf: createFormGuard('not the server secret').tokenFor('/account/claim', code) })],
      ['a cross-site post', formPost('/account/claim', { ...fields, csrf }, { 'sec-fetch-site': 'cross-site' })],
      ['a same-site post', formPost('/account/claim', { ...fields, csrf }, { 'sec-fetch-site': 'same-site' })],
      ['another origin', formPost('/account/claim', { ...fields, csrf }, { origin: 'https://evil.example' })],
    ] as const;
    for (const [what, req] of refused) {
      const res = await ta.request(req);
      t.equal(res.statusCode, 403, what);
      t.match(res.headers['content-type'], /^text\/html/, `${what}: a page, not JSON`);
      t.match(res.body, /This form could not be sent/);
      t.notMatch(res.body, /<form/);
      t.equal(res.body.includes(code), false, `${what}: the code is not echoed`);
    }
    t.equal((await ta.request({ method: 'GET', url: `/account/claim?code=${code}` })).statusCode, 200, 'the link still works');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 401, 'no password was set');

    // A browser without fetch metadata: our own origin, PUBLIC_URL's, or the null a no-referrer page sends.
    const ok = await ta.request(formPost('/account/claim', { ...fields, csrf }, { origin: 'null' }));
    t.equal(ok.statusCode, 200, 'Origin: null with a valid form token');
    const viaProxy = await ta.request(
      formPost('/account/claim', { code: other.code, csrf: otherCsrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, { origin: 'https://register.example.org', host: '10.0.0.5:3000' }),
    );
    t.equal(viaProxy.statusCode, 200, 'the PUBLIC_URL origin behind a proxy that rewrites Host');
  });

  await t.test('the link never leaves the page: no redirects, no framing by other sites', async (t) => {
    const { code } = await links.reset();
    const page = await ta.request({ method: 'GET', url: `/account/reset?code=${code}` });
    const csrf = hiddenField(page, 'csrf')!;
    t.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
    t.match(page.headers['content-security-policy'], /frame-ancestors 'self'/);
    t.match(page.headers['content-security-policy'], /script-src 'self'/);
    const answers = [
      page,
      await ta.request(formPost('/account/reset', { code, csrf, password: 'short', confirm: 'short' })),
      await ta.request(formPost('/account/reset', { code, password: NEW_PASSWORD, confirm: NEW_PASSWORD })),
      await ta.request(formPost('/account/reset', { code, csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD })),
      await ta.request({ method: 'GET', url: `/account/reset?code=${code}` }),
    ];
    t.same(
      answers.map((a) => a.statusCode),
      [200, 400, 403, 200, 410],
    );
    for (const a of answers) {
      t.equal(a.headers.location, undefined, 'no Location header');
      t.equal(a.headers['cache-control'], 'no-store');
      t.equal(a.headers['referrer-policy'], 'no-referrer');
      t.ok(a.body.split(code).length - 1 <= 1, 'the code at most once, in the hidden field');
      if (a.body.includes(code)) t.equal(hiddenField(a, 'code'), code);
    }
  });
});

t.test('what the services answer becomes a page, never a 500', async (t) => {
  let outcome: () => Promise<{ claimed: true; email: string }> = async () => ({ claimed: true, email: 'x@example.org' });
  const live = { isLive: async () => true, claim: () => outcome(), verify: () => outcome(), reset: () => outcome(), request: async () => {} };
  const app = Fastify().withTypeProvider();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await app.register(accountPagesRoutes, { claims: live, registration: live, passwordReset: live, secret: JWT_SECRET, publicUrl: undefined, authPerMinute: 10 });
  t.teardown(() => app.close());
  const csrf = createFormGuard(JWT_SECRET).tokenFor('/account/verify', 'secret');
  const post = () => app.inject(formPost('/account/verify', { code: 'secret', csrf, password: 'what I typed' }));

  outcome = async () => Promise.reject(problem('invalid-verification-link', 'spent', [{ in: 'body', field: 'token', message: 'not a valid verification link' }]));
  const spent = await post();
  t.equal(spent.statusCode, 410, 'a link spent between the check and the use (another tab) says so');
  t.match(spent.body, /This confirmation link no longer works/);

  outcome = async () => Promise.reject(problem('account-exists', 'An account with this email already exists; sign in or reset your password.'));
  const taken = await post();
  t.equal(taken.statusCode, 409);
  t.match(taken.body, /<li>An account with this email already exists; sign in or reset your password\.<\/li>/, 'a problem with no field is in the summary');
  t.match(taken.body, /<form/, 'with the form');

  outcome = async () => Promise.reject(serviceUnavailable());
  const down = await post();
  t.equal(down.statusCode, 503, 'an outage stays an outage');
});
