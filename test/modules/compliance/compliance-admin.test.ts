import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const comAdmin = await ta.staff('admin', 'com');
  const cmcAdmin = await ta.staff('admin', 'cmc');
  const get = (url: string, token: string) => ta.request({ method: 'GET', url, token });
  const adjust = (id: string, payload: object, token = registrar.token) => ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/exemptions`, token, payload });

  const com = [await ta.mediator(), await ta.mediator()];
  const cmc = [await ta.mediator(), await ta.mediator()];
  for (const m of com) await accredit(ta, m.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-10', complianceStartOn: '2025-04-01' });
  for (const m of cmc) await accredit(ta, m.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-10', complianceStartOn: '2025-04-01' });
  const notOnRegister = await ta.mediator();
  ta.clock.set('2026-04-01T08:00:00Z');
  const run = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: {} });
  t.equal(run.statusCode, 200, 'asOf defaults to today in London');
  t.match(run.json(), { asOf: '2026-04-01', counts: { inGrace: 4 } });

  await t.test('who may run and read', async (t) => {
    t.equal((await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: comAdmin.token, payload: {} })).statusCode, 403, 'only a registrar runs the job');
    t.equal((await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-01', force: true } })).statusCode, 400, 'unknown field');
    t.equal((await get('/v1/admin/jobs/runs', com[0]!.token)).statusCode, 403);
    t.equal((await get('/v1/admin/compliance', com[0]!.token)).statusCode, 403);
    t.equal((await ta.request({ method: 'GET', url: '/v1/admin/compliance' })).statusCode, 401);
    const runs = await get('/v1/admin/jobs/runs', comAdmin.token);
    t.equal(runs.statusCode, 200);
    t.match(runs.json().items, [{ asOf: '2026-04-01', counts: { inGrace: 4 }, remindersSent: 0, error: null }]);
  });

  await t.test('admins see their own body; registrars both; filters and pages', async (t) => {
    const mine = (await get('/v1/admin/compliance', comAdmin.token)).json().items;
    t.same(mine.map((a: { mediatorId: string }) => a.mediatorId).sort(), com.map((m) => m.mediatorId).sort());
    t.ok(mine.every((a: { body: string; outcome: string; deficits: unknown[] }) => a.body === 'com' && a.outcome === 'in_grace' && a.deficits.length > 0));
    t.match(mine[0], { periodStart: '2025-04-01', periodEnd: '2026-03-31', graceEndsOn: '2026-05-30', closedAt: null });

    const first = (await get('/v1/admin/compliance?limit=3', registrar.token)).json();
    t.equal(first.items.length, 3);
    const rest = (await get(`/v1/admin/compliance?limit=3&cursor=${first.nextCursor}`, registrar.token)).json();
    t.equal(rest.items.length, 1);
    t.equal(rest.nextCursor, null);
    t.equal(new Set([...first.items, ...rest.items].map((a: { id: string }) => a.id)).size, 4, 'pages do not overlap');

    t.equal((await get('/v1/admin/compliance?period=2025', registrar.token)).json().items.length, 4);
    t.equal((await get('/v1/admin/compliance?period=2024', registrar.token)).json().items.length, 0);
    t.equal((await get('/v1/admin/compliance?outcome=compliant', registrar.token)).json().items.length, 0);
    t.equal((await get('/v1/admin/compliance?outcome=late', registrar.token)).statusCode, 400);
    t.equal((await get('/v1/admin/compliance?cursor=nonsense', registrar.token)).statusCode, 400);
  });

  await t.test('exemptions and extensions: validation and object rules', async (t) => {
    const target = cmc[0]!.mediatorId;
    const cases: Array<[string, string, object, string, number]> = [
      ['extension without until', target, { period: 2025, kind: 'extension', reason: 'illness' }, registrar.token, 400],
      ['exemption with until', target, { period: 2025, kind: 'exemption', until: '2026-07-01', reason: 'leave' }, registrar.token, 400],
      ['unknown field', target, { period: 2025, kind: 'exemption', reason: 'leave', outcome: 'compliant' }, registrar.token, 400],
      ['no reason', target, { period: 2025, kind: 'exemption', reason: ' ' }, registrar.token, 400],
      ['unknown mediator', '6f1c2a52-3a1e-4c71-9d39-0c1f6f1d2b11', { period: 2025, kind: 'exemption', reason: 'leave' }, registrar.token, 404],
      ['not on the register', notOnRegister.mediatorId, { period: 2025, kind: 'exemption', reason: 'leave' }, registrar.token, 404],
      ['admin of the other body', target, { period: 2025, kind: 'exemption', reason: 'leave' }, comAdmin.token, 403],
      ['a mediator', target, { period: 2025, kind: 'exemption', reason: 'leave' }, cmc[0]!.token, 403],
      ['a year before their obligations', target, { period: 2024, kind: 'exemption', reason: 'leave' }, registrar.token, 422],
      ['an extension ending inside the period', target, { period: 2025, kind: 'extension', until: '2026-03-01', reason: 'illness' }, registrar.token, 422],
    ];
    for (const [name, id, payload, token, status] of cases) t.equal((await adjust(id, payload, token)).statusCode, status, name);
    const [n] = await queryRows<{ n: number }>(ta.database.db, sql`SELECT count(*)::int AS n FROM compliance_adjustments`);
    t.equal(n!.n, 0, 'nothing recorded');
  });

  await t.test('an exemption closes a period in grace at once; a closed period cannot change', async (t) => {
    const m = cmc[0]!;
    const res = await adjust(m.mediatorId, { period: 2025, kind: 'exemption', reason: 'Parental leave from May 2025' }, cmcAdmin.token);
    t.equal(res.statusCode, 201);
    t.match(res.json(), { periodStart: '2025-04-01', kind: 'exemption', until: null, assessment: { outcome: 'exempt', closedAt: String } });
    t.equal((await adjust(m.mediatorId, { period: 2025, kind: 'exemption', reason: 'again' })).statusCode, 409, 'already exempt');
    t.equal((await adjust(m.mediatorId, { period: 2025, kind: 'extension', until: '2026-08-01', reason: 'late' })).statusCode, 409, 'closed');
    const [msg] = await queryRows<{ template: string }>(ta.database.db, sql`SELECT template FROM notifications WHERE user_id = ${m.userId} AND template LIKE 'compliance_ex%'`);
    t.equal(msg!.template, 'compliance_exempted', 'the mediator is told');
    const [audit] = await queryRows<{ actor_id: string }>(ta.database.db, sql`SELECT actor_id FROM audit_events WHERE action = 'compliance.exemption_granted' AND entity_id = ${m.mediatorId}`);
    t.equal(audit!.actor_id, cmcAdmin.userId, 'audited with the deciding admin');
  });

  await t.test('an extension moves the grace end of a period in grace', async (t) => {
    const m = com[1]!;
    const res = await adjust(m.mediatorId, { period: 2025, kind: 'extension', until: '2026-07-31', reason: 'Illness in spring 2026' }, comAdmin.token);
    t.equal(res.statusCode, 201);
    t.match(res.json(), { kind: 'extension', until: '2026-07-31', assessment: { outcome: 'in_grace', graceEndsOn: '2026-07-31' } });
    const shorter = await adjust(m.mediatorId, { period: 2025, kind: 'extension', until: '2026-06-30', reason: 'changed mind' });
    t.equal(shorter.statusCode, 201);
    t.equal(shorter.json().assessment.graceEndsOn, '2026-07-31', 'a later decision never shortens grace');
  });
});
