import t from 'tap';
import { createFormGuard } from '../../../src/modules/account-pages/form-guard.ts';
import { formPost, hiddenField } from '../../helpers/account-links.ts';
import { buildTestApp, eachDatabase, JWT_SECRET, PASSWORD } from '../../helpers/app.ts';
import { mailCount, mailedSecret } from '../../helpers/mail.ts';

const NEW_PASSWORD = 'harbour violet tram fourteen';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { db } = ta.database;
  const signIn = (email: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  /** The request form as a browser gets it: its nonce and form token. */
  const openForm = async () => {
    const page = await ta.request({ method: 'GET', url: '/account/reset' });
    return { page, nonce: hiddenField(page, 'nonce')!, csrf: hiddenField(page, 'csrf')! };
  };
  const ask = async (email: string, headers?: Record<string, string>) => {
    const { nonce, csrf } = await openForm();
    return ta.request(formPost('/account/reset', { nonce, csrf, email }, headers));
  };

  await t.test('/account/reset without a code asks for an email address', async (t) => {
    const { page, nonce, csrf } = await openForm();
    t.equal(page.statusCode, 200);
    t.equal(page.headers['cache-control'], 'no-store');
    t.match(page.body, /<h1>Forgotten your password\?<\/h1>/);
    t.match(page.body, /<form class="stacked" method="post" action="\/account\/reset" novalidate>/);
    t.match(page.body, /<input type="email" id="email" name="email" value="" autocomplete="email"/);
    t.notOk(hiddenField(page, 'code'), 'no link code in the form');
    t.match(nonce, /^[\w-]{43}$/);
    t.equal(csrf, createFormGuard(JWT_SECRET).tokenFor('/account/reset request', nonce), 'the form token is the HMAC of this form and its nonce');
    t.not((await openForm()).nonce, nonce, 'a fresh nonce each time');
  });

  await t.test('known and unknown addresses get the same answer; only the known one is mailed', async (t) => {
    const m = await ta.mediator();
    const known = await ask(m.email.toUpperCase());
    const unknown = await ask('nobody.here@example.org');
    t.same([known.statusCode, unknown.statusCode], [202, 202]);
    t.match(known.body, /<h1>Check your email<\/h1>/);
    t.match(known.body, /If an account uses <strong>[^<]+<\/strong>, we have sent it a link to choose a new password\. The link works for one hour\./);
    t.equal(known.body.replace(m.email, 'ADDRESS'), unknown.body.replace('nobody.here@example.org', 'ADDRESS'), 'the same page but for the address typed');
    t.same([known.headers['cache-control'], known.headers['referrer-policy']], [unknown.headers['cache-control'], unknown.headers['referrer-policy']]);
    t.notMatch(known.body, /<form/);
    t.equal(await mailCount(db, m.email, 'password_reset'), 1, 'the account gets a link');
    t.equal(await mailCount(db, 'nobody.here@example.org', 'password_reset'), 0, 'an unknown address gets nothing');

    // The mailed link opens the reset form on the same page, which sets the password.
    const code = await mailedSecret(db, m.email, 'password_reset');
    const linkPage = await ta.request({ method: 'GET', url: `/account/reset?code=${code}` });
    t.match(linkPage.body, /<h1>Choose a new password<\/h1>/);
    const done = await ta.request(formPost('/account/reset', { code, csrf: hiddenField(linkPage, 'csrf')!, password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    t.equal(done.statusCode, 200);
    t.equal((await signIn(m.email, NEW_PASSWORD)).statusCode, 200);
    t.equal((await signIn(m.email, PASSWORD)).statusCode, 401);
  });

  await t.test('an address that is not one is named next to the field, and nothing is sent', async (t) => {
    for (const typed of ['', 'not an address', `${'x'.repeat(250)}@example.org`]) {
      const res = await ask(typed);
      t.equal(res.statusCode, 400, JSON.stringify(typed.slice(0, 20)));
      t.match(res.body, /<title>Error: Forgotten your password\?/);
      t.match(res.body, /<span class="error-message" id="email-error">enter an email address, like name@example.org<\/span>/);
      t.match(res.body, /aria-describedby="email-hint email-error" aria-invalid="true"/);
      t.match(res.body, /<a href="#email">Email address: enter an email address/, 'in the summary too');
      t.ok(res.body.includes(`name="email" value="${typed}"`), 'what was typed is kept');
      t.match(hiddenField(res, 'nonce'), /^[\w-]{43}$/, 'the form can be sent again');
    }
    const { nonce, csrf } = await openForm();
    const script = await ta.request(formPost('/account/reset', { nonce, csrf, email: '"><script>alert(1)</script>' }));
    t.equal(script.statusCode, 400);
    t.notMatch(script.body, /<script>alert/, 'escaped when shown again');
  });

  await t.test('a post from another site, or without a form this site rendered, is refused', async (t) => {
    const m = await ta.mediator();
    const { nonce, csrf } = await openForm();
    const link = await ta.request({ method: 'GET', url: '/account/reset?code=made-up' });
    t.equal(link.statusCode, 410);
    const refused = [
      ['a cross-site post', formPost('/account/reset', { nonce, csrf, email: m.email }, { 'sec-fetch-site': 'cross-site' })],
      ['another origin', formPost('/account/reset', { nonce, csrf, email: m.email }, { origin: 'https://evil.example' })],
      ['no form token', formPost('/account/reset', { nonce, email: m.email })],
      ['no nonce', formPost('/account/reset', { csrf, email: m.email })],
      ['another nonce', formPost('/account/reset', { nonce: 'x'.repeat(43), csrf, email: m.email })],
      ['the reset link form’s token for the nonce', formPost('/account/reset', { nonce, csrf: createFormGuard(JWT_SECRET).tokenFor('/account/reset', nonce), email: m.email })],
      ['this form’s token as a link form’s', formPost('/account/reset', { code: nonce, csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD })],
    ] as const;
    for (const [what, req] of refused) {
      const res = await ta.request(req);
      t.equal(res.statusCode, 403, what);
      t.match(res.body, /This form could not be sent/);
    }
    const crossSite = await ta.request(refused[0][1]);
    t.match(crossSite.body, /Open the page again and fill in the form there\./, 'the refusal says what to do');
    t.equal(await mailCount(db, m.email, 'password_reset'), 0, 'nothing was sent');
    t.equal((await ta.request(formPost('/account/reset', { nonce, csrf, email: m.email }))).statusCode, 202, 'the form itself still works');
    t.equal(await mailCount(db, m.email, 'password_reset'), 1);
  });
});
