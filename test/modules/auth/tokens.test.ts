import { createHmac } from 'node:crypto';
import t from 'tap';
import { buildTestApp, eachDatabase, JWT_SECRET } from '../../helpers/app.ts';

// Tokens are signed here by hand, so that each can break exactly one rule the API promises.
const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function sign(payload: object, { header = { alg: 'HS256', typ: 'JWT' } as object, secret = JWT_SECRET, hash = 'sha256' } = {}) {
  const head = `${encode(header)}.${encode(payload)}`;
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}
const without = (claims: Record<string, unknown>, name: string) => Object.fromEntries(Object.entries(claims).filter(([k]) => k !== name));

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const m = await ta.mediator();
  const me = (token: string) => ta.request({ method: 'GET', url: '/v1/me', token });
  // The wall clock, as tokens are signed and checked with it (not the test clock).
  const now = Math.floor(Date.now() / 1000);
  const ttl = ta.config.ACCESS_TOKEN_TTL_SECONDS;
  // A new account's session version is 1.
  const claims = { sub: m.userId, role: 'mediator', body: null, ver: 1, iss: ta.config.JWT_ISSUER, aud: ta.config.JWT_AUDIENCE, iat: now, exp: now + 600 };

  await t.test('tokens the server issues, and equivalent ones, are accepted', async (t) => {
    t.equal((await me(m.token)).statusCode, 200, 'from login');
    t.equal((await me(sign(claims))).statusCode, 200, 'signed by hand with every claim');
    t.equal((await me(sign({ ...claims, exp: now + ttl }))).statusCode, 200, 'the full configured lifetime');
    t.equal((await me(sign({ ...claims, iat: now - 60, exp: now - 60 + ttl }))).statusCode, 200, 'issued a minute ago');
    t.equal((await me(sign({ ...claims, aud: [ta.config.JWT_AUDIENCE] }))).statusCode, 200, 'the audience as a list');
  });

  await t.test('tokens signed with the right secret that break a rule are refused with 401', async (t) => {
    const tenYears = 10 * 365 * 86_400;
    const refused: Record<string, string> = {
      ...Object.fromEntries(['exp', 'iat', 'iss', 'aud', 'sub', 'ver'].map((name) => [`no ${name}`, sign(without(claims, name))])),
      'wrong issuer': sign({ ...claims, iss: 'someone-else' }),
      'wrong audience': sign({ ...claims, aud: 'another-api' }),
      'valid for ten years': sign({ ...claims, exp: now + tenYears }),
      'a lifetime a minute longer than configured': sign({ ...claims, exp: now + ttl + 60 }),
      'issued ten years ahead': sign({ ...claims, iat: now + tenYears, exp: now + tenYears + 600 }),
      'issued an hour ahead': sign({ ...claims, iat: now + 3600, exp: now + 3600 + 600 }),
      expired: sign({ ...claims, iat: now - 700, exp: now - 100 }),
      'iat not a number': sign({ ...claims, iat: String(now) }),
      'sub not a string': sign({ ...claims, sub: 42 }),
      'ver not a whole number': sign({ ...claims, ver: '1' }),
      'ver of an earlier session': sign({ ...claims, ver: 0 }),
      'sub not an account': sign({ ...claims, sub: 'registrar' }),
      'alg none': `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`,
      'HS512 with the same secret': sign(claims, { header: { alg: 'HS512', typ: 'JWT' }, hash: 'sha512' }),
      'wrong secret': sign(claims, { secret: 'another-secret-that-is-long-enough-to-sign' }),
      tampered: m.token.slice(0, -3) + (m.token.endsWith('AAA') ? 'BBB' : 'AAA'),
      garbage: 'not.a.token',
    };
    for (const [what, token] of Object.entries(refused)) {
      const res = await me(token);
      t.equal(res.statusCode, 401, what);
      t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
      t.match(res.json(), { status: 401, title: 'Unauthorized' }, `${what}: the problem`);
    }
    t.equal((await ta.request({ method: 'GET', url: '/v1/me' })).statusCode, 401, 'no token');
  });
});
