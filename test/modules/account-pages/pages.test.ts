import { eq } from 'drizzle-orm';
import t from 'tap';
import { users } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { accountLinks, formPost, hiddenField } from '../../helpers/account-links.ts';

const NEW_PASSWORD = 'harbour violet tram fourteen';
const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const links = accountLinks(ta.database.db, ta.clock);
  const signIn = (email: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const open = async (url: string) => {
    const page = await ta.request({ method: 'GET', url });
    return { page, csrf: hiddenField(page, 'csrf')! };
  };

  await t.test('the claim page: a grandfathered member chooses a first password', async (t) => {
    const { code, email } = await links.claim();
    const { page, csrf } = await open(`/account/claim?code=${code}`);
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /^text\/html/);
    t.equal(page.headers['cache-control'], 'no-store', 'the link is never cached');
    t.equal(page.headers['referrer-policy'], 'no-referrer', 'nor sent onwards as a referrer');
    t.match(page.body, /<h1>Claim your account<\/h1>/);
    t.match(page.body, /<form class="stacked" method="post" action="\/account\/claim" novalidate>/, 'the form posts to the page without the code in its URL');
    t.equal(hiddenField(page, 'code'), code);
    t.equal(occurrences(page.body, code), 1, 'the code is in the hidden field and nowhere else');
    t.notMatch(page.body, /<script/, 'no JavaScript');

    const mismatch = await ta.request(formPost('/account/claim', { code, csrf, password: NEW_PASSWORD, confirm: 'harbour violet tram' }));
    t.equal(mismatch.statusCode, 400);
    t.match(mismatch.body, /<span class="error-message" id="confirm-error">must match the password<\/span>/);
    t.match(mismatch.body, /aria-describedby="confirm-error" aria-invalid="true"/, 'the message is tied to its field');
    t.match(mismatch.body, /<title>Error: Claim your account/);
    t.equal(occurrences(mismatch.body, NEW_PASSWORD), 0, 'the password is never sent back');
    t.equal(hiddenField(mismatch, 'code'), code, 'the form still carries the code');

    const weak = await ta.request(formPost('/account/claim', { code, csrf, password: 'password12345', confirm: 'password12345' }));
    t.equal(weak.statusCode, 400);
    t.match(weak.body, /id="password-error"/, 'a weak password is refused next to the field');
    t.equal((await signIn(email, 'password12345')).statusCode, 401, 'and not set');

    const done = await ta.request(formPost('/account/claim', { code, csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    t.equal(done.statusCode, 200);
    t.match(done.body, /Your account is ready/);
    t.match(done.body, new RegExp(`sign in as <strong>${email}</strong>`));
    t.equal(occurrences(done.body, code), 0);
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200, 'the member signs in with the chosen password');

    const spent = await ta.request({ method: 'GET', url: `/account/claim?code=${code}` });
    t.equal(spent.statusCode, 410, 'the link works once');
    t.match(spent.body, /This claim link no longer works/);
    t.match(spent.body, /Ask your professional body to send a new claim email/, 'and says what to do instead');
    t.match(spent.body, /<a href="\/account\/reset">Ask for a password reset email<\/a>/, 'with a link to ask for a reset');
    t.notMatch(spent.body, /<form/, 'without a form');
    const replay = await ta.request(formPost('/account/claim', { code, csrf, password: 'another harbour violet tram', confirm: 'another harbour violet tram' }));
    t.equal(replay.statusCode, 410, 'a replayed form changes nothing');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
  });

  await t.test('the claim page refuses a password made of the member’s own name, next to the field, and the link still works', async (t) => {
    const { code, email, userId } = await links.claim('g1@t.example');
    await ta.database.db.update(users).set({ fullName: 'Gina Grand' }).where(eq(users.id, userId));
    const { csrf } = await open(`/account/claim?code=${code}`);
    const own = await ta.request(formPost('/account/claim', { code, csrf, password: 'gina grand 2019', confirm: 'gina grand 2019' }));
    t.equal(own.statusCode, 400);
    t.match(own.body, /<span class="error-message" id="password-error">is too easy to guess \(It contains your own name or email address/);
    t.equal(occurrences(own.body, 'gina grand 2019'), 0, 'the password is never sent back');
    t.equal(hiddenField(own, 'code'), code, 'the form still carries the code');
    t.equal((await signIn(email, 'gina grand 2019')).statusCode, 401, 'not set');
    const done = await ta.request(formPost('/account/claim', { code, csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    t.equal(done.statusCode, 200, 'the same link then takes a good password');
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
  });

  await t.test('the verify page: the password chosen at registration creates the account', async (t) => {
    const { code, email } = await links.verify(PASSWORD);
    const { page, csrf } = await open(`/account/verify?code=${code}`);
    t.equal(page.statusCode, 200);
    t.equal(page.headers['cache-control'], 'no-store');
    t.equal(page.headers['referrer-policy'], 'no-referrer');
    t.match(page.body, /<h1>Confirm your email address<\/h1>/);
    t.match(page.body, /autocomplete="current-password"/);
    t.equal(occurrences(page.body, code), 1);

    const wrong = await ta.request(formPost('/account/verify', { code, csrf, password: 'not what I registered with' }));
    t.equal(wrong.statusCode, 400);
    t.match(wrong.body, /id="password-error">not the password chosen at registration</, 'the wrong password is named next to the field');
    t.equal((await signIn(email, PASSWORD)).statusCode, 401, 'no account yet');
    const empty = await ta.request(formPost('/account/verify', { code, csrf, password: '' }));
    t.equal(empty.statusCode, 400);
    t.match(empty.body, /enter the password you chose when registering/);

    const done = await ta.request(formPost('/account/verify', { code, csrf, password: PASSWORD }));
    t.equal(done.statusCode, 201);
    t.match(done.body, new RegExp(`Your email address <strong>${email}</strong> is confirmed`));
    t.equal((await signIn(email, PASSWORD)).statusCode, 200, 'the account exists and signs in');
    t.equal((await ta.request({ method: 'GET', url: `/account/verify?code=${code}` })).statusCode, 410);
  });

  await t.test('the reset page: a new password, and every other session ends', async (t) => {
    const { code, email } = await links.reset(undefined, PASSWORD);
    const before = (await signIn(email, PASSWORD)).json() as { refreshToken: string };
    const { page, csrf } = await open(`/account/reset?code=${code}`);
    t.equal(page.statusCode, 200);
    t.equal(page.headers['cache-control'], 'no-store');
    t.equal(page.headers['referrer-policy'], 'no-referrer');
    t.match(page.body, /<h1>Choose a new password<\/h1>/);
    t.equal(occurrences(page.body, code), 1);

    const weak = await ta.request(formPost('/account/reset', { code, csrf, password: `${email}1`, confirm: `${email}1` }));
    t.equal(weak.statusCode, 400, 'the service refuses a password made of the email');
    t.match(weak.body, /id="password-error"/);
    t.equal(occurrences(weak.body, `${email}1`), 0);

    const done = await ta.request(formPost('/account/reset', { code, csrf, password: NEW_PASSWORD, confirm: NEW_PASSWORD }));
    t.equal(done.statusCode, 200);
    t.match(done.body, /Every other session of this account has been signed out/);
    t.equal((await signIn(email, NEW_PASSWORD)).statusCode, 200);
    t.equal((await signIn(email, PASSWORD)).statusCode, 401, 'the old password stops working');
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: before.refreshToken } })).statusCode, 401, 'the old session ends');
    t.equal((await ta.request({ method: 'GET', url: `/account/reset?code=${code}` })).statusCode, 410);
  });

  await t.test('unknown, empty and expired links show no form', async (t) => {
    const claim = await links.claim();
    const reset = await links.reset();
    const verify = await links.verify(PASSWORD);
    for (const url of ['/account/claim?code=made-up', '/account/claim', '/account/verify', '/account/verify?code=made-up', '/account/reset?code=', `/account/reset?code=${'x'.repeat(5000)}`]) {
      const res = await ta.request({ method: 'GET', url });
      t.equal(res.statusCode, 410, url.slice(0, 40));
      t.match(res.headers['content-type'], /^text\/html/);
      t.notMatch(res.body, /<form/);
    }
    ta.clock.advanceDays(31);
    for (const url of [`/account/claim?code=${claim.code}`, `/account/reset?code=${reset.code}`, `/account/verify?code=${verify.code}`]) {
      const res = await ta.request({ method: 'GET', url });
      t.equal(res.statusCode, 410, `expired: ${url.slice(0, 16)}`);
      t.match(res.body, /no longer works/);
      t.match(res.body, /<a href="\/account\/reset">/, 'with a link to ask for a new reset link');
    }
  });
});
