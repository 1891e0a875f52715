import t from 'tap';
import { revealed } from '../../helpers/audit.ts';
import { queryRows, sql } from '../../../src/db/client.ts';
import { createPasswordResetService } from '../../../src/modules/auth/password-reset-service.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { mailedSecret } from '../../helpers/mail.ts';

const NEW_PASSWORD = 'copper kettles hum beneath nine bridges';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const sibling = await ta.sibling();
  const registrar = await ta.staff('registrar');
  const setDisabled = (userId: string, disabled: boolean, token = registrar.token) =>
    ta.request({ method: 'PUT', url: `/v1/admin/users/${userId}/disabled`, token, payload: { disabled, reason: 'complaint under investigation' } });
  const login = (email: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const me = (token: string, app = ta.app) => app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });

  await t.test('a disabled account: its token stops at once, it cannot sign in or refresh; enabled, it signs in again', async (t) => {
    const m = await ta.mediator();
    const pair = (await login(m.email)).json();
    t.equal((await me(m.token, sibling)).statusCode, 200, 'the other instance has the version in memory');

    const res = await setDisabled(m.userId, true);
    t.equal(res.statusCode, 200);
    t.match(res.json(), { id: m.userId, disabledAt: ta.clock().toISOString() });
    t.equal((await me(m.token)).statusCode, 401, 'the token stops on the next request');
    t.equal((await me(pair.accessToken)).statusCode, 401, 'every token');
    for (let i = 0; i < 250 && (await me(m.token, sibling)).statusCode !== 401; i++) await new Promise((r) => setTimeout(r, 20));
    t.equal((await me(m.token, sibling)).statusCode, 401, 'and on the other instance once announced');

    const refused = await login(m.email);
    t.equal(refused.statusCode, 403, 'the right password: told the account is disabled');
    t.match(refused.json(), { status: 403, detail: /disabled/ });
    const wrong = await login(m.email, 'not the password at all');
    t.equal(wrong.statusCode, 401, 'a wrong password learns nothing about the account');
    t.notMatch(wrong.body, /disabled/);
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } })).statusCode, 401, 'refresh tokens were revoked');

    const list = await ta.request({ method: 'GET', url: `/v1/admin/users?q=${encodeURIComponent(m.email)}`, token: registrar.token });
    t.equal(list.json().items[0].disabledAt, ta.clock().toISOString(), 'the registrar sees it in the list');
    const [event] = await revealed(
      ta.database.db,
      await queryRows<{ seq: number; actor: string; before: unknown; after: { reason: string } }>(
        ta.database.db,
        sql`SELECT seq, actor_id AS actor, before, after FROM audit_events WHERE action = 'user.disabled' AND entity_id = ${m.userId}`,
      ),
    );
    t.match(event, { actor: registrar.userId, after: { reason: 'complaint under investigation' } }, 'audited with the reason');

    t.equal((await setDisabled(m.userId, true)).statusCode, 200, 'disabling again changes nothing');
    const events = await queryRows(ta.database.db, sql`SELECT 1 FROM audit_events WHERE action = 'user.disabled' AND entity_id = ${m.userId}`);
    t.equal(events.length, 1, 'and records nothing');

    const enabled = await setDisabled(m.userId, false);
    t.equal(enabled.statusCode, 200);
    t.equal(enabled.json().disabledAt, null);
    t.equal((await me(m.token)).statusCode, 401, 'tokens from before stay void');
    const back = await login(m.email);
    t.equal(back.statusCode, 200, 'signs in again');
    t.equal((await me(back.json().accessToken)).statusCode, 200);
  });

  await t.test('an account disabled in the database alone cannot refresh', async (t) => {
    const m = await ta.mediator();
    const pair = (await login(m.email)).json();
    await ta.database.db.execute(sql`UPDATE users SET disabled_at = now() WHERE id = ${m.userId}`);
    const res = await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } });
    t.equal(res.statusCode, 403, 'its refresh token was never revoked, yet refresh is refused');
    t.match(res.json(), { detail: /disabled/ });
  });

  const resetLink = async (email: string) => {
    await ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email } });
    return mailedSecret(ta.database.db, email, 'password_reset');
  };
  const confirmReset = (token: string) => ta.request({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password: NEW_PASSWORD } });
  const resets = createPasswordResetService({ db: ta.database.db, clock: ta.clock, publicUrl: () => 'http://x' });

  await t.test('a reset link mailed before the account was disabled dies with the disabling', async (t) => {
    const m = await ta.mediator();
    const link = await resetLink(m.email);
    t.equal(await resets.isLive(link), true);
    t.equal((await setDisabled(m.userId, true)).statusCode, 200);
    t.equal(await resets.isLive(link), false, 'the reset page says the link is spent');
    const refused = await confirmReset(link);
    t.equal(refused.statusCode, 400);
    t.match(refused.json().errors, [{ in: 'body', field: 'token', message: 'not a valid password reset link' }]);
    const [row] = await queryRows<{ revoked: boolean }>(ta.database.db, sql`SELECT revoked_at IS NOT NULL AS revoked FROM password_resets WHERE user_id = ${m.userId}`);
    t.same(row, { revoked: true }, 'revoked with the disabling');
    t.equal((await setDisabled(m.userId, false)).statusCode, 200);
    t.equal((await confirmReset(link)).statusCode, 400, 'and enabling again does not bring it back');
    t.equal((await login(m.email)).statusCode, 200, 'the password is the one from before');
  });

  await t.test('a disabled account’s reset link is refused even where its row was not revoked', async (t) => {
    const m = await ta.mediator();
    const link = await resetLink(m.email);
    await ta.database.db.execute(sql`UPDATE users SET disabled_at = now() WHERE id = ${m.userId}`);
    t.equal(await resets.isLive(link), false, 'not live');
    t.equal((await confirmReset(link)).statusCode, 400, 'refused');
    await ta.database.db.execute(sql`UPDATE users SET disabled_at = NULL WHERE id = ${m.userId}`);
    t.equal(await resets.isLive(link), true, 'the account, not the link, was what refused it');
    t.equal((await confirmReset(link)).statusCode, 200);
  });

  await t.test('who may disable whom', async (t) => {
    const m = await ta.mediator();
    const self = await setDisabled(registrar.userId, true);
    t.equal(self.statusCode, 409, 'not yourself');
    t.equal((await me(registrar.token)).statusCode, 200, 'still signed in');
    t.equal((await setDisabled(registrar.userId, true, m.token)).statusCode, 403, 'a mediator may not');
    t.equal((await setDisabled('00000000-0000-4000-8000-000000000000', true)).statusCode, 404);
    const noReason = await ta.request({ method: 'PUT', url: `/v1/admin/users/${m.userId}/disabled`, token: registrar.token, payload: { disabled: true } });
    t.equal(noReason.statusCode, 400);
    t.match(noReason.json().errors, [{ in: 'body', field: 'reason' }]);
    t.equal((await me(m.token)).statusCode, 200, 'a refused request disabled nothing');
  });
});
