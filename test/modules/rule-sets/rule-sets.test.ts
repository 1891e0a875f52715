import t from 'tap';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

const next = {
  effectiveFrom: '2026-04-01',
  yearStartMonth: 4,
  yearStartDay: 1,
  requirements: [
    { metric: 'cpd_hours', minimum: 12 },
    { metric: 'send_cpd_hours', minimum: 5 },
    { metric: 'supervision_hours', minimum: 4, body: 'com' },
  ],
  categoryCaps: { self_study: 3 },
  graceDays: 45,
  reminderOffsets: [30, 7],
  graceReminderDays: 14,
  proRateFirstPeriod: true,
};

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind); // 2 June 2025
  const registrar = await ta.staff('registrar');
  const admin = await ta.staff('admin', 'com');
  const me = await ta.mediator();
  await accredit(ta, me.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: null });
  const put = (payload: object, token = registrar.token) => ta.request({ method: 'PUT', url: '/v1/admin/rule-sets', token, payload });
  const required = async () =>
    Object.fromEntries(
      (await ta.request({ method: 'GET', url: '/v1/me/compliance', token: me.token })).json().currentPeriod.requirements.map((r: { metric: string; required: number }) => [r.metric, r.required]),
    );

  await t.test('the default set is listed and in force; registrars only', async (t) => {
    const list = await ta.request({ method: 'GET', url: '/v1/admin/rule-sets', token: registrar.token });
    t.equal(list.statusCode, 200);
    t.match(list.json().items, [{ effectiveFrom: '2018-04-01', inForce: true, graceDays: 60, reminderOffsets: [60, 30, 7], proRateFirstPeriod: true, categoryCaps: {} }]);
    t.equal(list.json().items[0].requirements.length, 5);
    t.equal((await ta.request({ method: 'GET', url: '/v1/admin/rule-sets', token: admin.token })).statusCode, 403);
    t.equal((await put(next, admin.token)).statusCode, 403);
  });

  await t.test('a new version only from the start of a future register year', async (t) => {
    const cases: Array<[string, object, number]> = [
      ['this year, already under way', { effectiveFrom: '2025-04-01' }, 422],
      ['not a year start', { effectiveFrom: '2026-05-01' }, 422],
      ['a count in quarters', { requirements: [{ metric: 'send_mediations', minimum: 1.5 }] }, 400],
      ['unknown metric', { requirements: [{ metric: 'cpd_points', minimum: 1 }] }, 400],
      [
        'the same metric twice',
        {
          requirements: [
            { metric: 'cpd_hours', minimum: 1 },
            { metric: 'cpd_hours', minimum: 2 },
          ],
        },
        400,
      ],
      ['year start on the 29th', { yearStartDay: 29 }, 400],
      ['unknown cap category', { categoryCaps: { webinars: 2 } }, 400],
    ];
    for (const [name, change, status] of cases) t.equal((await put({ ...next, ...change })).statusCode, status, name);
    const ok = await put(next);
    t.equal(ok.statusCode, 201, ok.body);
    t.match(ok.json(), { effectiveFrom: '2026-04-01', inForce: false, categoryCaps: { self_study: 3 } });
    t.equal((await put(next)).statusCode, 409, 'one version per date');
    const audit = await ta.request({ method: 'GET', url: `/v1/admin/audit?entityType=rule_set&entityId=${ok.json().id}`, token: registrar.token });
    t.same(
      audit.json().items.map((e: { action: string }) => e.action),
      ['rule_set.added'],
    );
  });

  await t.test('this year keeps its rules; next year has the new ones', async (t) => {
    t.same(await required(), { cpd_hours: 10, send_cpd_hours: 5, practice_hours: 15, send_mediations: 2, supervision_hours: 4 }, 'period under way unchanged');
    ta.clock.set('2026-04-02T09:00:00Z');
    t.same(await required(), { cpd_hours: 12, send_cpd_hours: 5, supervision_hours: 4 }, 'the set in force on 1 April 2026 governs 2026');
    const list = await ta.request({ method: 'GET', url: '/v1/admin/rule-sets', token: registrar.token });
    t.same(
      list.json().items.map((s: { effectiveFrom: string; inForce: boolean }) => [s.effectiveFrom, s.inForce]),
      [
        ['2026-04-01', true],
        ['2018-04-01', false],
      ],
    );
  });
});
