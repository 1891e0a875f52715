import t from 'tap';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const m = await ta.mediator('role-change@example.org', 'Role Change');
  const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });

  const list = await ta.request({ method: 'GET', url: '/v1/admin/users?q=role-change', token: registrar.token });
  t.equal(list.statusCode, 200);
  t.same(
    list.json().items.map((u: { id: string }) => u.id),
    [m.userId],
  );
  t.notOk('passwordHash' in list.json().items[0]);

  t.equal((await ta.request({ method: 'GET', url: '/v1/admin/users', token: m.token })).statusCode, 403, 'mediators may not list accounts');

  const noBody = await ta.request({ method: 'PUT', url: `/v1/admin/users/${m.userId}/role`, token: registrar.token, payload: { role: 'admin', reason: 'joins CoM staff' } });
  t.equal(noBody.statusCode, 400);
  t.equal(noBody.json().errors[0].field, 'body');

  const changed = await ta.request({ method: 'PUT', url: `/v1/admin/users/${m.userId}/role`, token: registrar.token, payload: { role: 'admin', body: 'cmc', reason: 'joins CMC staff' } });
  t.equal(changed.statusCode, 200);
  t.match(changed.json(), { role: 'admin', body: 'cmc' });

  const refresh = await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: login.json().refreshToken } });
  t.equal(refresh.statusCode, 401, 'sessions from before the change are ended');
  const relogin = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
  const me = await ta.request({ method: 'GET', url: '/v1/me', token: relogin.json().accessToken });
  t.match(me.json(), { role: 'admin', body: 'cmc' }, 'the new role is in the next token');

  const events = await ta.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'user.role_changed'), eq(auditEvents.entityId, m.userId)));
  t.equal(events.length, 1);
  t.same(events[0]!.before, { role: 'mediator', body: null });
  t.equal(events[0]!.actorId, registrar.userId);

  const self = await ta.request({ method: 'PUT', url: `/v1/admin/users/${registrar.userId}/role`, token: registrar.token, payload: { role: 'mediator', reason: 'oops' } });
  t.equal(self.statusCode, 409, 'no self-demotion');
  const unknown = await ta.request({ method: 'PUT', url: '/v1/admin/users/00000000-0000-4000-8000-000000000000/role', token: registrar.token, payload: { role: 'assessor', reason: 'joins panel' } });
  t.equal(unknown.statusCode, 404);
});
