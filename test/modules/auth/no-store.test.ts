import t from 'tap';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const m = await ta.mediator();

  await t.test('sign-in, tokens and the caller’s own records are never cached, errors included', async (t) => {
    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    const refresh = await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.json().refreshToken } });
    const answers = {
      login,
      refresh,
      me: await ta.request({ method: 'GET', url: '/v1/me', token: m.token }),
      'me/cpd': await ta.request({ method: 'GET', url: '/v1/me/cpd', token: m.token }),
      'me/profile': await ta.request({ method: 'GET', url: '/v1/me/profile', token: m.token }),
      'me without a token (401)': await ta.request({ method: 'GET', url: '/v1/me' }),
      'me/cpd without a token (401)': await ta.request({ method: 'GET', url: '/v1/me/cpd' }),
      'login with a wrong password (401)': await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: 'not the password at all' } }),
      'refresh with a bad body (400)': await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: '' } }),
      'register an existing email (202)': await ta.request({ method: 'POST', url: '/v1/auth/register', payload: { email: m.email, password: PASSWORD, fullName: 'Again' } }),
      'verify with a spent link (400)': await ta.request({ method: 'POST', url: '/v1/auth/verify', payload: { token: 'spent-link', password: PASSWORD } }),
      'password reset request (202)': await ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: m.email } }),
    };
    const expected = ['login', 'refresh', 'me', 'me/cpd', 'me/profile', 'register an existing email (202)', 'password reset request (202)'];
    for (const [what, res] of Object.entries(answers)) {
      t.equal(res.statusCode >= 400, !expected.includes(what), `${what}: answered ${res.statusCode}`);
      t.equal(res.headers['cache-control'], 'no-store', `${what}: no-store`);
    }
  });

  await t.test('other routes keep their own caching', async (t) => {
    const register = await ta.request({ method: 'GET', url: '/v1/register' });
    t.equal(register.statusCode, 200);
    t.not(register.headers['cache-control'], 'no-store', 'the public register may be cached');
  });
});
