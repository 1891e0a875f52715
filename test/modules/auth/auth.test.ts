import t from 'tap';
import { count, eq } from 'drizzle-orm';
import { refreshTokens, users } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { mailCount, mailedSecret } from '../../helpers/mail.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { request } = ta;
  const userCount = async () => (await ta.database.db.select({ n: count() }).from(users))[0]!.n;

  await t.test('register, login, me, refresh, logout', async (t) => {
    const reg = await request({ method: 'POST', url: '/v1/auth/register', payload: { email: 'Siân@Example.org', password: PASSWORD, fullName: 'Siân Jones' } });
    t.equal(reg.statusCode, 202);
    const token = await mailedSecret(ta.database.db, 'siân@example.org', 'verify_email');
    const verified = await request({ method: 'POST', url: '/v1/auth/verify', payload: { token, password: PASSWORD } });
    t.equal(verified.statusCode, 201);
    t.same(verified.json(), { email: 'siân@example.org' }, 'email normalised to lower case');

    const dup = await request({ method: 'POST', url: '/v1/auth/register', payload: { email: 'SIÂN@example.org', password: PASSWORD, fullName: 'Again' } });
    t.equal(dup.statusCode, 202, 'the same answer for an address with an account');
    t.same(dup.json(), reg.json());
    t.equal(await mailCount(ta.database.db, 'siân@example.org', 'registration_account_exists'), 1, 'email unique regardless of case: the owner is told instead');

    const login = await request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'siân@example.org', password: PASSWORD } });
    t.equal(login.statusCode, 200);
    const pair = login.json();
    t.equal(pair.tokenType, 'Bearer');
    t.equal(pair.expiresIn, 900);

    const me = await request({ method: 'GET', url: '/v1/me', token: pair.accessToken });
    t.equal(me.statusCode, 200);
    t.match(me.json(), { email: 'siân@example.org', role: 'mediator', body: null, mediatorId: String });
    t.notOk('passwordHash' in me.json());

    const refreshed = await request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } });
    t.equal(refreshed.statusCode, 200);
    t.not(refreshed.json().refreshToken, pair.refreshToken, 'rotated');

    const out = await request({ method: 'POST', url: '/v1/auth/logout', token: pair.accessToken, payload: { refreshToken: refreshed.json().refreshToken } });
    t.equal(out.statusCode, 204);
    const after = await request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: refreshed.json().refreshToken } });
    t.equal(after.statusCode, 401, 'logged-out family cannot refresh');
  });

  await t.test('a reused refresh token revokes its whole family', async (t) => {
    const m = await ta.mediator();
    const first = await request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    const r1 = first.json().refreshToken;
    const second = await request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: r1 } });
    t.equal(second.statusCode, 200);
    const r2 = second.json().refreshToken;
    const reuse = await request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: r1 } });
    t.equal(reuse.statusCode, 401, 'spent token refused');
    const legit = await request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: r2 } });
    t.equal(legit.statusCode, 401, 'the newest token of the family is revoked too');
    const live = await ta.database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, m.userId));
    t.ok(
      live.filter((r) => r.familyId === live.find((x) => x.usedAt)!.familyId).every((r) => r.revokedAt),
      'family revoked in the database',
    );
  });

  await t.test('concurrent refreshes of one token: exactly one succeeds', async (t) => {
    const m = await ta.mediator();
    const login = await request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    const rt = login.json().refreshToken;
    const results = await Promise.all([0, 1, 2].map(() => request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: rt } })));
    t.equal(results.filter((r) => r.statusCode === 200).length, 1);
  });

  await t.test('login answers the same for an unknown email and a wrong password', async (t) => {
    const m = await ta.mediator();
    const wrong = await request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: 'not the password at all' } });
    const unknown = await request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'nobody@example.org', password: 'not the password at all' } });
    t.equal(wrong.statusCode, 401);
    t.equal(unknown.statusCode, 401);
    t.same(wrong.json(), unknown.json());
  });

  await t.test('bad input is 400 naming the field, and writes nothing', async (t) => {
    const before = await userCount();
    const cases: Array<[unknown, string]> = [
      [{ password: PASSWORD, fullName: 'A' }, 'email'],
      [{ email: 'a@example.org', password: 12345678901234, fullName: 'A' }, 'password'],
      [{ email: 'a@example.org', password: PASSWORD, fullName: 'A', role: 'registrar' }, 'role'],
      [{ email: 'a@example.org', password: PASSWORD, fullName: 'x'.repeat(201) }, 'fullName'],
      [{ email: 'not-an-email', password: PASSWORD, fullName: 'A' }, 'email'],
      [{ email: 'a@example.org', password: 'short', fullName: 'A' }, 'password'],
    ];
    for (const [payload, field] of cases) {
      const res = await request({ method: 'POST', url: '/v1/auth/register', payload: payload as object });
      t.equal(res.statusCode, 400, `400 for ${field}`);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.ok(
        res.json().errors.some((e: { field: string; in: string }) => e.field === field && e.in === 'body'),
        `names ${field}`,
      );
    }
    const oversized = await request({ method: 'POST', url: '/v1/auth/register', payload: { email: 'a@example.org', password: PASSWORD, fullName: 'y'.repeat(100_000) } });
    t.equal(oversized.statusCode, 413);
    const notJson = await request({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    t.equal(notJson.statusCode, 400);
    t.equal(await userCount(), before, 'nothing written');
  });
});

await eachDatabase(t, async (t, kind) => {
  await t.test('login and register are rate-limited per IP and per account', async (t) => {
    const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_AUTH_PER_MINUTE: '5', LOGIN_FAILURES_PER_ACCOUNT: '5' } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'x@example.org', password: 'whatever-password' }, remoteAddress: `10.0.0.${i + 1}` });
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After given');
        t.match(res.headers['content-type'], /^application\/problem\+json/);
      }
    }
    t.same(codes, [401, 401, 401, 401, 401, 429, 429], 'per account, across addresses');
    const ipCodes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await ta.request({ method: 'POST', url: '/v1/auth/register', payload: { email: `r${i}@example.org`, password: PASSWORD, fullName: 'R' }, remoteAddress: '10.9.9.9' });
      ipCodes.push(res.statusCode);
    }
    t.same(ipCodes, [202, 202, 202, 202, 202, 429, 429], 'per IP');
  });
});
