import { and, eq, isNull } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import t from 'tap';
import { loadConfig } from '../../../src/config.ts';
import { auditEvents, recoveryCodes, users } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

/** The code an authenticator app shows at `at` (the test clock's time unless said otherwise). */
const codeAt = (secret: string, at: Date) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });
/** Moves the test clock to the next 30-second step, so the next code is a fresh one. */
const nextStep = (ta: TestApp) => ta.clock.set(new Date(ta.clock().getTime() + 30_000).toISOString());

const auditOf = async (ta: TestApp, action: string, userId: string) =>
  ta.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.entityId, userId)));

/** Starting enrolment needs the account's current password. */
const start = (ta: TestApp, token: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/me/second-factor', token, payload: { password } });
/** A code the app does not show now (nor a step either side). */
const wrongCode = (secret: string) => codeAt(secret, new Date('2020-01-01T00:00:00Z'));
const confirm = (ta: TestApp, token: string, code: string) => ta.request({ method: 'POST', url: '/v1/me/second-factor/confirm', token, payload: { code } });

/** Starts and confirms enrolment; the clock then moves on a step so sign-in needs a new code. */
async function enrol(ta: TestApp, token: string) {
  const started = await start(ta, token);
  if (started.statusCode !== 200) throw new Error(`start: ${started.statusCode} ${started.body}`);
  const { secret } = started.json();
  const confirmed = await ta.request({ method: 'POST', url: '/v1/me/second-factor/confirm', token, payload: { code: codeAt(secret, ta.clock()) } });
  if (confirmed.statusCode !== 200) throw new Error(`confirm: ${confirmed.statusCode} ${confirmed.body}`);
  nextStep(ta);
  return { secret: secret as string, recoveryCodes: confirmed.json().recoveryCodes as string[] };
}

const login = (ta: TestApp, email: string, otp?: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD, ...(otp === undefined ? {} : { otp }) } });

t.test('STAFF_SECOND_FACTOR: required by default in production only, and settable', async (t) => {
  t.equal(loadConfig({}).STAFF_SECOND_FACTOR, 'optional');
  t.equal(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.org' }).STAFF_SECOND_FACTOR, 'required');
  t.equal(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.org', STAFF_SECOND_FACTOR: 'optional' }).STAFF_SECOND_FACTOR, 'optional');
  t.throws(() => loadConfig({ STAFF_SECOND_FACTOR: 'sometimes' }), /STAFF_SECOND_FACTOR/);
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);

  await t.test('enrolment: a sealed secret, confirmed by a code, ten recovery codes once, sessions ended', async (t) => {
    const staff = await ta.staff('assessor');
    const before = await login(ta, staff.email);
    const started = await start(ta, staff.token);
    t.equal(started.statusCode, 200);
    t.equal(started.headers['cache-control'], 'no-store');
    const { secret, uri } = started.json();
    t.match(secret, /^[A-Z2-7]{32}$/, '160-bit base32 secret');
    t.match(uri, new RegExp(`^otpauth://totp/.*secret=${secret}.*`));
    t.match(uri, /algorithm=SHA1.*digits=6.*period=30/);

    const [row] = await ta.database.db.select().from(users).where(eq(users.id, staff.userId));
    t.ok(row!.totpSecret, 'stored');
    t.notOk(row!.totpSecret!.includes(secret), 'not in the clear');
    t.notOk(row!.totpSecret!.toLowerCase().includes(secret.toLowerCase().slice(0, 8)), 'no part of it either');
    t.equal(row!.totpEnabledAt, null, 'not in force before a code is confirmed');
    t.match((await ta.request({ method: 'GET', url: '/v1/me/second-factor', token: staff.token })).json(), { enabled: false, recoveryCodesLeft: 0, required: false });

    const wrong = await ta.request({ method: 'POST', url: '/v1/me/second-factor/confirm', token: staff.token, payload: { code: codeAt(secret, new Date('2020-01-01T00:00:00Z')) } });
    t.equal(wrong.statusCode, 422);
    t.match(wrong.json().errors, [{ in: 'body', field: 'code' }]);

    const confirmed = await ta.request({ method: 'POST', url: '/v1/me/second-factor/confirm', token: staff.token, payload: { code: codeAt(secret, ta.clock()) } });
    t.equal(confirmed.statusCode, 200);
    const codes: string[] = confirmed.json().recoveryCodes;
    t.equal(codes.length, 10);
    t.equal(new Set(codes).size, 10, 'all different');
    for (const c of codes) t.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const stored = await ta.database.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, staff.userId));
    t.equal(stored.length, 10);
    t.notOk(
      stored.some((s) => codes.some((c) => s.codeHash.includes(c.replaceAll('-', '')))),
      'stored only hashed',
    );
    t.ok((await ta.database.db.select().from(users).where(eq(users.id, staff.userId)))[0]!.totpEnabledAt, 'in force');
    t.equal((await auditOf(ta, 'auth.totp_enrolled', staff.userId)).length, 1, 'audited');

    const refresh = await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: before.json().refreshToken } });
    t.equal(refresh.statusCode, 401, 'a session from before enrolment cannot carry on without a code');

    nextStep(ta);
    const signedIn = await login(ta, staff.email, codeAt(secret, ta.clock()));
    t.equal(signedIn.statusCode, 200);
    const token = signedIn.json().accessToken;
    t.match((await ta.request({ method: 'GET', url: '/v1/me/second-factor', token })).json(), { enabled: true, recoveryCodesLeft: 10 });
    t.equal((await start(ta, token)).statusCode, 409, 'no second enrolment over one in force');
  });

  await t.test('sign-in with a second factor: the code is needed, checked on the injected clock, and used once', async (t) => {
    const staff = await ta.staff('registrar');
    const { secret } = await enrol(ta, staff.token);

    const missing = await login(ta, staff.email);
    t.equal(missing.statusCode, 401);
    t.match(missing.json().errors, [{ in: 'body', field: 'otp' }], 'tells the client to ask for the code');
    const failedBefore = (await auditOf(ta, 'auth.login_failed', staff.userId)).length;
    const wrong = await login(ta, staff.email, codeAt(secret, new Date(ta.clock().getTime() - 10 * 60_000)));
    t.equal(wrong.statusCode, 401);
    t.match(wrong.json().errors, [{ in: 'body', field: 'otp' }]);
    t.equal((await auditOf(ta, 'auth.login_failed', staff.userId)).length, failedBefore + 1, 'a wrong code is a failed sign-in');
    t.equal((await login(ta, staff.email, codeAt(secret, new Date()))).statusCode, 401, 'the wall clock is not the time that counts');

    const code = codeAt(secret, ta.clock());
    const ok = await login(ta, staff.email, code);
    t.equal(ok.statusCode, 200);
    t.equal(ta.app.jwt.decode<{ mfa: boolean }>(ok.json().accessToken)!.mfa, true, 'the token says the sign-in passed a second factor');
    t.equal((await login(ta, staff.email, code)).statusCode, 401, 'the same code twice is refused');
    ta.clock.set(new Date(ta.clock().getTime() + 25_000).toISOString());
    t.equal((await login(ta, staff.email, code)).statusCode, 401, 'still refused later in its step');
    nextStep(ta);
    t.equal((await login(ta, staff.email, code)).statusCode, 401, 'and a step later, while drift would still accept it');
    t.equal((await login(ta, staff.email, codeAt(secret, ta.clock()))).statusCode, 200, 'the next step has a new code');
    const wrongPassword = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: staff.email, password: 'not the password at all', otp: codeAt(secret, ta.clock()) } });
    t.equal(wrongPassword.statusCode, 401, 'a right code does not stand in for the password');
    t.same(wrongPassword.json().errors, undefined, 'and the answer does not mention the code');
  });

  await t.test('a recovery code signs in once, in any case and spacing; concurrent uses: one wins', async (t) => {
    const staff = await ta.staff('admin', 'cmc');
    const { recoveryCodes: codes } = await enrol(ta, staff.token);
    const typed = ` ${codes[0]!.toUpperCase().replaceAll('-', ' ')} `;
    t.equal((await login(ta, staff.email, typed)).statusCode, 200);
    t.equal((await login(ta, staff.email, codes[0])).statusCode, 401, 'spent');
    const used = await auditOf(ta, 'auth.recovery_code_used', staff.userId);
    t.equal(used.length, 1, 'audited');
    t.same(used[0]!.after, { recoveryCodesLeft: 9 });

    const race = await Promise.all(Array.from({ length: 5 }, () => login(ta, staff.email, codes[1])));
    t.same(race.map((r) => r.statusCode).sort(), [200, 401, 401, 401, 401]);
    const left = await ta.database.db
      .select()
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, staff.userId), isNull(recoveryCodes.usedAt)));
    t.equal(left.length, 8);
  });

  await t.test('a disabled account is refused before its second factor: no recovery code is spent', async (t) => {
    const staff = await ta.staff('assessor');
    const { recoveryCodes: codes } = await enrol(ta, staff.token);
    const registrar = await ta.staff('registrar');
    const disabled = await ta.request({ method: 'PUT', url: `/v1/admin/users/${staff.userId}/disabled`, token: registrar.token, payload: { disabled: true, reason: 'left the panel' } });
    t.equal(disabled.statusCode, 200);
    const refused = await login(ta, staff.email, codes[0]);
    t.equal(refused.statusCode, 403);
    const left = await ta.database.db
      .select()
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, staff.userId), isNull(recoveryCodes.usedAt)));
    t.equal(left.length, 10, 'every recovery code still unused');
  });

  await t.test('a registrar resets another staff member’s second factor, never their own', async (t) => {
    const registrar = await ta.staff('registrar');
    const assessor = await ta.staff('assessor');
    const admin = await ta.staff('admin', 'com');
    const mine = await enrol(ta, registrar.token);
    const theirs = await enrol(ta, assessor.token);
    const registrarToken = (await login(ta, registrar.email, codeAt(mine.secret, ta.clock()))).json().accessToken;
    const assessorSession = await login(ta, assessor.email, codeAt(theirs.secret, ta.clock()));

    const own = await ta.request({ method: 'DELETE', url: `/v1/admin/users/${registrar.userId}/second-factor`, token: registrarToken });
    t.equal(own.statusCode, 403);
    const byAdmin = await ta.request({ method: 'DELETE', url: `/v1/admin/users/${assessor.userId}/second-factor`, token: admin.token });
    t.equal(byAdmin.statusCode, 403, 'registrars only');

    const reset = await ta.request({ method: 'DELETE', url: `/v1/admin/users/${assessor.userId}/second-factor`, token: registrarToken });
    t.equal(reset.statusCode, 204);
    const [row] = await ta.database.db.select().from(users).where(eq(users.id, assessor.userId));
    t.same([row!.totpSecret, row!.totpEnabledAt], [null, null]);
    t.equal((await ta.database.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, assessor.userId))).length, 0, 'recovery codes gone');
    const audit = await auditOf(ta, 'auth.totp_reset', assessor.userId);
    t.equal(audit.length, 1);
    t.equal(audit[0]!.actorId, registrar.userId);
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: assessorSession.json().refreshToken } })).statusCode, 401, 'their sessions ended');
    t.equal((await login(ta, assessor.email)).statusCode, 200, 'they sign in with the password alone, to enrol again');
    t.equal((await login(ta, registrar.email)).statusCode, 401, "the registrar's own is untouched");
    t.equal((await ta.request({ method: 'DELETE', url: `/v1/admin/users/${assessor.userId}/second-factor`, token: registrarToken })).statusCode, 404, 'nothing left to reset');
  });

  await t.test('starting enrolment needs the current password: a stolen access token alone cannot put a second factor on the account', async (t) => {
    const staff = await ta.staff('assessor');
    const session = (await login(ta, staff.email)).json();
    const bare = await ta.request({ method: 'POST', url: '/v1/me/second-factor', token: staff.token, payload: {} });
    t.equal(bare.statusCode, 400);
    t.match(bare.json().errors, [{ in: 'body', field: 'password' }], 'the token alone is not enough');
    const wrong = await start(ta, staff.token, 'an attacker guessing here');
    t.equal(wrong.statusCode, 403);
    t.match(wrong.headers['content-type'], /^application\/problem\+json/);
    t.match(wrong.json().errors, [{ in: 'body', field: 'password', message: 'is not the current password' }]);
    t.notOk(wrong.json().secret, 'no secret handed out');
    const [row] = await ta.database.db.select().from(users).where(eq(users.id, staff.userId));
    t.same([row!.totpSecret, row!.totpEnabledAt], [null, null], 'nothing stored');
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: session.refreshToken } })).statusCode, 200, 'the owner’s sessions carry on');
    t.equal((await start(ta, staff.token)).statusCode, 200, 'with the password it starts');
  });

  await t.test('wrong passwords at the start of enrolment: five per account per 15 minutes, then 429; the right one forgets them', async (t) => {
    const staff = await ta.staff('admin', 'com');
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) answers.push((await start(ta, staff.token, `guess number ${i}`)).statusCode);
    answers.push((await start(ta, staff.token)).statusCode);
    for (let i = 0; i < 5; i++) answers.push((await start(ta, staff.token, `guess number ${i}`)).statusCode);
    const limited = await start(ta, staff.token);
    answers.push(limited.statusCode);
    t.same(answers, [403, 403, 403, 403, 200, 403, 403, 403, 403, 403, 429], 'the sixth try waits, even with the right password');
    t.ok(Number(limited.headers['retry-after']) > 0, 'and says how long');
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => start(ta, staff.token, 'concurrent guess')));
    t.ok(
      concurrent.every((r) => r.statusCode === 429),
      'concurrent guesses are counted too',
    );
    ta.clock.set(new Date(ta.clock().getTime() + 15 * 60_000).toISOString());
    t.equal((await start(ta, staff.token)).statusCode, 200, 'after the window');
  });

  await t.test('five wrong codes cancel the set-up: enrolment starts again with a new secret', async (t) => {
    const staff = await ta.staff('registrar');
    const first = (await start(ta, staff.token)).json().secret as string;
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await confirm(ta, staff.token, wrongCode(first));
      answers.push(res.statusCode);
      if (i === 3) t.match(res.json().errors, [{ in: 'body', field: 'code', message: /1 of 5 tries left/ }], 'the last try is announced');
    }
    const fifth = await confirm(ta, staff.token, wrongCode(first));
    answers.push(fifth.statusCode);
    t.same(answers, [422, 422, 422, 422, 409]);
    t.match(fifth.json().detail, /cancelled.*Start again/);
    const [row] = await ta.database.db.select().from(users).where(eq(users.id, staff.userId));
    t.equal(row!.totpSecret, null, 'the secret is dropped');
    t.equal((await auditOf(ta, 'auth.totp_enrolment_cancelled', staff.userId)).length, 1, 'audited');
    t.equal((await confirm(ta, staff.token, codeAt(first, ta.clock()))).statusCode, 409, 'even the right code for it no longer works');

    const second = (await start(ta, staff.token)).json().secret as string;
    const race = await Promise.all(Array.from({ length: 8 }, () => confirm(ta, staff.token, wrongCode(second))));
    t.same(race.map((r) => r.statusCode).sort(), [409, 409, 409, 409, 422, 422, 422, 422], 'concurrent guesses: only five are checked');
    const third = (await start(ta, staff.token)).json().secret as string;
    t.equal((await confirm(ta, staff.token, wrongCode(third))).statusCode, 422, 'a new set-up has its own tries');
    t.equal((await confirm(ta, staff.token, codeAt(third, ta.clock()))).statusCode, 200, 'and the right code puts it in force');
  });

  await t.test('mediators are never asked, and cannot enrol', async (t) => {
    const m = await ta.mediator();
    t.equal((await start(ta, m.token)).statusCode, 403);
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/profile', token: m.token })).statusCode, 200);
  });
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { STAFF_SECOND_FACTOR: 'required', RATE_LIMIT_AUTH_PER_MINUTE: '4', LOGIN_FAILURES_PER_ADDRESS: '4' } });

  await t.test('required: staff without a second factor reach only enrolment until they have one', async (t) => {
    const registrar = await ta.staff('registrar');
    const denied = await ta.request({ method: 'GET', url: '/v1/admin/users', token: registrar.token });
    t.equal(denied.statusCode, 403);
    t.match(denied.json().detail, /set up a second factor first/i);
    t.equal((await ta.request({ method: 'GET', url: '/v1/me', token: registrar.token })).statusCode, 200);
    t.match((await ta.request({ method: 'GET', url: '/v1/me/second-factor', token: registrar.token })).json(), { enabled: false, required: true });

    const { secret } = await enrol(ta, registrar.token);
    const signedIn = await login(ta, registrar.email, codeAt(secret, ta.clock()));
    t.equal(signedIn.statusCode, 200);
    t.equal((await ta.request({ method: 'GET', url: '/v1/admin/users', token: signedIn.json().accessToken })).statusCode, 200, 'with one, everything their role allows');
  });

  await t.test('required: mediators are unaffected', async (t) => {
    const m = await ta.mediator();
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/profile', token: m.token })).statusCode, 200);
  });

  await t.test('wrong codes count towards the failed sign-in limit', async (t) => {
    const staff = await ta.staff('assessor');
    const { secret } = await enrol(ta, staff.token);
    const answers: number[] = [];
    for (let i = 0; i < 4; i++) answers.push((await login(ta, staff.email, '000000')).statusCode);
    answers.push((await login(ta, staff.email, codeAt(secret, ta.clock()))).statusCode);
    t.same(answers, [401, 401, 401, 401, 429], 'even the right code then waits');
  });
});
