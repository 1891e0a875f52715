import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import type { AccessTokenClaims } from '../../../src/lib/access-token.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds or `ms` pass; what it last saw is the answer (no fixed sleep decides). */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await pause(20)) if (await check()) return true;
  return check();
}

const statusOn = async (app: FastifyInstance, token: string, url = '/v1/me') => (await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode;

async function signIn(ta: TestApp, email: string) {
  const res = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json() as { accessToken: string; refreshToken: string };
}

const refreshStatus = async (ta: TestApp, refreshToken: string) => (await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } })).statusCode;

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const sibling = await ta.sibling();
  const registrar = await ta.staff('registrar');

  await t.test('a registrar demoted by another is refused on the next request, here and on another instance', async (t) => {
    const demoted = await ta.staff('registrar');
    const { refreshToken } = await signIn(ta, demoted.email);
    // Both instances have the account's version in memory before the change.
    t.equal(await statusOn(ta.app, demoted.token, '/v1/admin/users'), 200);
    t.equal(await statusOn(sibling, demoted.token, '/v1/admin/users'), 200);
    const res = await ta.request({ method: 'PUT', url: `/v1/admin/users/${demoted.userId}/role`, token: registrar.token, payload: { role: 'mediator', reason: 'left the registry' } });
    t.equal(res.statusCode, 200);

    const refused = await ta.request({ method: 'GET', url: '/v1/admin/users', token: demoted.token });
    t.equal(refused.statusCode, 401, 'the very next request on this instance');
    t.match(refused.headers['content-type'], /^application\/problem\+json/);
    t.match(refused.json(), { status: 401, detail: /session has ended/ });
    t.ok(await eventually(async () => (await statusOn(sibling, demoted.token, '/v1/admin/users')) === 401), 'the other instance refuses it once the change is announced');
    t.equal(await statusOn(sibling, demoted.token), 401, 'on every route');
    t.equal(await refreshStatus(ta, refreshToken), 401, 'the refresh token was revoked with the change');
    const again = await signIn(ta, demoted.email);
    t.equal(await statusOn(sibling, again.accessToken, '/v1/admin/users'), 403, 'signed in again, the account has the new role');
    t.equal(await statusOn(sibling, again.accessToken), 200);
  });

  await t.test('sign out everywhere voids every access and refresh token of the account', async (t) => {
    const m = await ta.mediator();
    const laptop = await signIn(ta, m.email);
    const phone = await signIn(ta, m.email);
    t.equal(await statusOn(sibling, phone.accessToken), 200);

    const out = await ta.request({ method: 'POST', url: '/v1/auth/logout-all', token: laptop.accessToken });
    t.equal(out.statusCode, 204);
    t.equal(out.headers['cache-control'], 'no-store');
    for (const [what, token] of [
      ['the caller', laptop.accessToken],
      ['another device', phone.accessToken],
      ['the first sign-in', m.token],
    ]) {
      t.equal(await statusOn(ta.app, token!), 401, `${what}: refused here at once`);
    }
    t.ok(await eventually(async () => (await statusOn(sibling, phone.accessToken)) === 401), 'and on the other instance');
    t.equal(await refreshStatus(ta, laptop.refreshToken), 401, 'refresh tokens revoked');
    t.equal(await refreshStatus(ta, phone.refreshToken), 401);
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/logout-all', token: laptop.accessToken })).statusCode, 401, 'the voided token cannot sign out again');
    const [event] = await queryRows<{ actor: string }>(ta.database.db, sql`SELECT actor_id AS actor FROM audit_events WHERE action = 'auth.logout_all' AND entity_id = ${m.userId}`);
    t.equal(event?.actor, m.userId, 'audited');
    t.equal(await statusOn(ta.app, (await signIn(ta, m.email)).accessToken), 200, 'signing in again works');
  });

  await t.test('a password changed in the database (as a reset does) voids the tokens on every instance', async (t) => {
    const m = await ta.mediator();
    t.equal(await statusOn(ta.app, m.token), 200);
    t.equal(await statusOn(sibling, m.token), 200);
    await ta.database.db.execute(sql`UPDATE users SET password_hash = 'replaced' WHERE id = ${m.userId}`);
    t.ok(await eventually(async () => (await statusOn(ta.app, m.token)) === 401), 'refused here');
    t.ok(await eventually(async () => (await statusOn(sibling, m.token)) === 401), 'refused on the other instance');
  });

  await t.test('a token carries the version it was signed at: without one, or an older one, it is refused', async (t) => {
    const m = await ta.mediator();
    const [row] = await queryRows<{ ver: number }>(ta.database.db, sql`SELECT session_version AS ver FROM users WHERE id = ${m.userId}`);
    const claims = { sub: m.userId, role: 'mediator' as const, body: null };
    t.equal(await statusOn(ta.app, ta.app.jwt.sign({ ...claims, ver: row!.ver })), 200, 'the current version');
    t.equal(await statusOn(ta.app, ta.app.jwt.sign({ ...claims, ver: row!.ver - 1 })), 401, 'an older version');
    t.equal(await statusOn(ta.app, ta.app.jwt.sign({ ...claims, ver: row!.ver + 1 })), 401, 'a version the account never had');
    t.equal(await statusOn(ta.app, ta.app.jwt.sign(claims as AccessTokenClaims)), 401, 'no version at all');
  });

  if (kind !== 'postgres') return;

  await t.test('PostgreSQL: the listener connection killed never leaves a stale version trusted, and comes back', async (t) => {
    const pool = ta.database.pool!;
    const listeners = async () => (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`)).rows.map((r) => r.pid);
    t.ok(await eventually(async () => (await listeners()).length === 2), 'one listener per instance');
    const demoted = await ta.staff('registrar');
    t.equal(await statusOn(ta.app, demoted.token, '/v1/admin/users'), 200, 'the version is in memory');
    t.equal(await statusOn(sibling, demoted.token, '/v1/admin/users'), 200);

    const killed = await listeners();
    await pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [killed]);
    // Straight after, and not through either instance: only the listeners could have told them.
    await pool.query(`UPDATE users SET role = 'mediator' WHERE id = $1`, [demoted.userId]);
    t.ok(await eventually(async () => (await statusOn(ta.app, demoted.token, '/v1/admin/users')) === 401), 'this instance refuses the old token');
    t.ok(await eventually(async () => (await statusOn(sibling, demoted.token, '/v1/admin/users')) === 401), 'so does the other');

    t.ok(
      await eventually(async () => {
        const now = await listeners();
        return now.length === 2 && now.every((pid) => !killed.includes(pid));
      }),
      'both listen again on new connections',
    );
    // Listening again, announcements reach the cache: a version in memory now is dropped when it moves.
    const m = await ta.mediator();
    t.equal(await statusOn(sibling, m.token), 200);
    await pool.query('UPDATE users SET session_version = session_version + 1 WHERE id = $1', [m.userId]);
    t.ok(await eventually(async () => (await statusOn(sibling, m.token)) === 401), 'an announcement after the reconnection is heard');
  });
});
