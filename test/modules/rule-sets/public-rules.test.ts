import t from 'tap';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind); // 2 June 2025
  const registrar = await ta.staff('registrar');
  const rules = async () => {
    const res = await ta.request({ method: 'GET', url: '/v1/rules' });
    t.equal(res.statusCode, 200);
    return res;
  };

  await t.test('the default rules, in force, as data and in words; public and cacheable', async (t) => {
    const res = await rules();
    t.match(res.headers['cache-control'], /^public, max-age=300/);
    const { asOf, items } = res.json();
    t.equal(asOf, '2025-06-02');
    t.equal(items.length, 1);
    t.match(items[0], {
      effectiveFrom: '2018-04-01',
      standing: 'in_force',
      inForce: true,
      firstRegisterYear: { year: 2018, label: '2018/19', start: '2018-04-01', end: '2019-03-31' },
      lastRegisterYear: null,
      graceDays: 60,
      proRateFirstPeriod: true,
      categoryCaps: [],
      summary: /^Each year, every mediator must do at least 10 hours of training, of which at least 5 hours about special educational needs/,
    });
    t.same(
      items[0].requirements.map((r: { metric: string; minimum: number; unit: string; body: string | null }) => [r.metric, r.minimum, r.unit, r.body]),
      [
        ['cpd_hours', 10, 'hours', null],
        ['send_cpd_hours', 5, 'hours', null],
        ['practice_hours', 15, 'hours', null],
        ['send_mediations', 2, 'mediations', null],
        ['supervision_hours', 4, 'hours', 'com'],
      ],
    );
    t.same(
      Object.keys(items[0]).filter((k) => ['id', 'createdBy', 'createdAt', 'reminderOffsets', 'graceReminderDays'].includes(k)),
      [],
      'nothing internal',
    );
  });

  await t.test('a version added for next year shows as scheduled, then in force on its first day', async (t) => {
    const put = await ta.request({
      method: 'PUT',
      url: '/v1/admin/rule-sets',
      token: registrar.token,
      payload: {
        effectiveFrom: '2026-04-01',
        yearStartMonth: 4,
        yearStartDay: 1,
        requirements: [
          { metric: 'cpd_hours', minimum: 12 },
          { metric: 'send_cpd_hours', minimum: 6 },
        ],
        categoryCaps: { self_study: 3 },
        graceDays: 45,
        reminderOffsets: [30],
        graceReminderDays: 7,
        proRateFirstPeriod: false,
      },
    });
    t.equal(put.statusCode, 201);
    const before = (await rules()).json().items;
    t.same(
      before.map((s: { standing: string; lastRegisterYear: { label: string } | null }) => [s.standing, s.lastRegisterYear?.label ?? null]),
      [
        ['in_force', '2025/26'],
        ['scheduled', null],
      ],
    );
    t.match(before[1], {
      summary: 'Each year, every mediator must do at least 12 hours of training, of which at least 6 hours about special educational needs and disabilities (SEND).',
      categoryCaps: [{ category: 'self_study', maximumHours: 3 }],
    });

    const page = await ta.request({ method: 'GET', url: '/rules' });
    t.equal(page.statusCode, 200);
    t.match(page.headers['content-type'], /^text\/html/);
    t.match(page.body, /<title>What mediators must do each year – Register of SEND Mediators<\/title>/);
    t.match(page.body, /register year under way, 2025\/26/);
    t.match(page.body, /Each year, every mediator must do at least 10 hours of training/);
    t.match(page.body, /From 1 April 2026 \(the register year 2026\/27\)/);
    t.match(page.body, /At most 3 hours of self-study count towards the training hours\./);
    t.notMatch(page.body, /<script/);

    ta.clock.set('2026-04-01T00:30:00+01:00');
    t.same(
      (await rules()).json().items.map((s: { standing: string }) => s.standing),
      ['superseded', 'in_force'],
      'the first day of the new year, London time',
    );
    const now = await ta.request({ method: 'GET', url: '/rules' });
    t.match(now.body, /register year under way, 2026\/27/);
    t.match(now.body, /No changes to these rules have been announced/);
  });
});
