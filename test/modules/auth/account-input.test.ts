import t from 'tap';
import { count, eq } from 'drizzle-orm';
import { pendingRegistrations, users } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { mailCount, mailedSecret } from '../../helpers/mail.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const register = (payload: object) => ta.request({ method: 'POST', url: '/v1/auth/register', payload });
  const login = (email: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
  const userCount = async () => (await ta.database.db.select({ n: count() }).from(users))[0]!.n;

  await t.test('weak passwords are refused with 400 naming the field and saying why', async (t) => {
    const before = await userCount();
    for (const password of ['aaaaaaaaaaaa', 'password1234', ' '.repeat(12), 'robin.hood2025']) {
      const res = await register({ email: 'robin.hood@example.org', password, fullName: 'Robin Hood' });
      t.equal(res.statusCode, 400, JSON.stringify(password));
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      const problem = res.json();
      t.match(problem.errors, [{ in: 'body', field: 'password', message: /^is too easy to guess \(.+\)$/ }], `${JSON.stringify(password)}: the field and the reason`);
      t.match(problem.detail, /password is too easy to guess/, `${JSON.stringify(password)}: in the detail too`);
    }
    const own = await register({ email: 'robin.hood@example.org', password: 'robin.hood2025', fullName: 'Robin Hood' });
    t.match(own.json().errors[0].message, 'It contains your own name or email address', 'a password made of the account’s own details says so');
    const claim = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: 'any-claim-code', password: 'password1234' } });
    t.equal(claim.statusCode, 400, 'a claim refuses a weak password');
    t.match(claim.json().errors, [{ in: 'body', field: 'password', message: /too easy to guess/ }]);
    t.equal(await userCount(), before, 'nothing written');
    t.equal((await register({ email: 'robin.hood@example.org', password: PASSWORD, fullName: 'Robin Hood' })).statusCode, 202, 'a strong one is accepted');
  });

  await t.test('one address however it is typed: fullwidth, upper case, a trailing dot', async (t) => {
    t.equal((await register({ email: '\uFF4D1@t.example', password: PASSWORD, fullName: 'Morgan One' })).statusCode, 202);
    const verified = await ta.request({ method: 'POST', url: '/v1/auth/verify', payload: { token: await mailedSecret(ta.database.db, 'm1@t.example', 'verify_email'), password: PASSWORD } });
    t.same(verified.json(), { email: 'm1@t.example' }, 'stored in its one spelling');
    for (const email of ['m1@t.example.', 'M1@T.EXAMPLE', 'm1@t.example']) {
      t.equal((await register({ email, password: PASSWORD, fullName: 'Morgan Again' })).statusCode, 202, `${email}: answered as any other`);
    }
    // The first registration and two of these fill the address's three mails an hour; the third is not sent.
    t.equal(await mailCount(ta.database.db, 'm1@t.example', 'registration_account_exists'), 2, 'the same account: its owner is told instead');
    t.equal(await mailCount(ta.database.db, 'm1@t.example', 'verify_email'), 1, 'and no second registration is started');
    for (const email of ['m1@t.example', 'M1@t.example.', '\uFF4D1@t.example', ' \uFF2D\uFF11@T.example. ']) {
      t.equal((await login(email)).statusCode, 200, `${JSON.stringify(email)} signs in`);
    }
  });

  await t.test('names refuse invisible characters and are stored composed', async (t) => {
    const before = await userCount();
    for (const fullName of ['\u202Eenoj naiS', 'Sian\u200B Jones', 'Sian\u2066 Jones\u2069', 'Sian\u00ADJones']) {
      const res = await register({ email: 'hidden@example.org', password: PASSWORD, fullName });
      t.equal(res.statusCode, 400, JSON.stringify(fullName));
      t.match(res.json().errors, [{ in: 'body', field: 'fullName', message: /^must not contain control or invisible characters \(found U\+/ }]);
    }
    t.equal(await userCount(), before, 'nothing written');
    const res = await register({ email: 'sian@example.org', password: PASSWORD, fullName: 'Sia\u0302n Jones' });
    t.equal(res.statusCode, 202);
    t.equal(
      (await ta.database.db.select().from(pendingRegistrations).where(eq(pendingRegistrations.email, 'sian@example.org')))[0]!.fullName,
      'Si\u00E2n Jones',
      'the combining circumflex is composed',
    );
  });
});
