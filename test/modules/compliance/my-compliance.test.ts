import t from 'tap';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

const cpd = (date: string, hours: number, category: string, sendSpecific: boolean) => ({ date, hours, category, sendSpecific, title: `${category} on ${date}` });
const practice = (date: string, hours: number, kind: string, outcome?: string) => ({ date, hours, kind, ...(outcome ? { outcome } : {}) });

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  ta.clock.set('2026-01-15T12:00:00Z');
  const com = await ta.mediator();
  await accredit(ta, com.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2025-06-10', complianceStartOn: null });
  const cmc = await ta.mediator();
  await accredit(ta, cmc.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01' });
  const log = async (token: string, url: string, payload: object) => {
    const res = await ta.request({ method: 'POST', url, token, payload });
    if (res.statusCode !== 201) throw new Error(`${url} ${res.statusCode} ${res.body}`);
  };
  const view = async (token: string) => (await ta.request({ method: 'GET', url: '/v1/me/compliance', token })).json();

  // A realistic first (partial) year, logged up to 15 January 2026.
  for (const e of [cpd('2025-07-01', 3, 'course', true), cpd('2025-09-15', 2.5, 'conference', false), cpd('2025-11-20', 1.25, 'self_study', true), cpd('2026-01-10', 1, 'peer_learning', false)]) {
    await log(com.token, '/v1/me/cpd', e);
  }
  for (const e of [
    practice('2025-07-10', 4, 'send_mediation', 'agreement'),
    practice('2025-10-02', 3.5, 'other_mediation'),
    practice('2025-12-05', 2.25, 'send_co_mediation', 'partial'),
    practice('2025-08-01', 1.5, 'supervision_received'),
    practice('2025-12-01', 0.75, 'supervision_received'),
  ]) {
    await log(com.token, '/v1/me/practice', e);
  }
  t.equal((await ta.request({ method: 'POST', url: '/v1/me/cpd', token: com.token, payload: cpd('2025-06-09', 1, 'course', true) })).statusCode, 422, 'the day before accreditation');

  await t.test('a partial first year, hand-computed', async (t) => {
    // 10 June 2025 to 31 March 2026: 9 whole months, so 9/12 of each requirement, rounded up:
    // CPD 7.5 h, SEND CPD 3.75 → 4 h, practice 11.25 → 11.5 h, SEND mediations 1.5 → 2, supervision 3 h.
    const v = await view(com.token);
    t.match(v, { status: 'accredited', obligationsStartOn: '2025-06-10', assessments: [] });
    t.match(v.currentPeriod, { year: 2025, start: '2025-06-10', end: '2026-03-31', daysLeft: 75, proRated: true });
    t.same(v.currentPeriod.requirements, [
      { metric: 'cpd_hours', unit: 'hours', required: 7.5, achieved: 7.75, shortfall: 0 },
      { metric: 'send_cpd_hours', unit: 'hours', required: 4, achieved: 4.25, shortfall: 0 },
      { metric: 'practice_hours', unit: 'hours', required: 11.5, achieved: 9.75, shortfall: 1.75 },
      { metric: 'send_mediations', unit: 'entries', required: 2, achieved: 2, shortfall: 0 },
      { metric: 'supervision_hours', unit: 'hours', required: 3, achieved: 2.25, shortfall: 0.75 },
    ]);
  });

  await t.test('a grandfathered CMC member: a whole year, no supervision', async (t) => {
    const v = await view(cmc.token);
    t.match(v.currentPeriod, { year: 2025, start: '2025-04-01', end: '2026-03-31', proRated: false });
    t.same(
      v.currentPeriod.requirements.map((r: { metric: string; required: number }) => [r.metric, r.required]),
      [
        ['cpd_hours', 10],
        ['send_cpd_hours', 5],
        ['practice_hours', 15],
        ['send_mediations', 2],
      ],
    );
  });

  await t.test('after the year ends: the assessment is listed and a new whole year starts', async (t) => {
    ta.clock.set('2026-04-01T09:00:00Z');
    const registrar = await ta.staff('registrar');
    const run = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-01' } });
    t.equal(run.statusCode, 200, run.body);
    const v = await view(com.token);
    t.match(v.currentPeriod, { year: 2026, start: '2026-04-01', end: '2027-03-31', daysLeft: 364, proRated: false });
    t.ok(v.currentPeriod.requirements.every((r: { achieved: number; shortfall: number; required: number }) => r.achieved === 0 && r.shortfall === r.required));
    t.equal(v.assessments.length, 1);
    t.match(v.assessments[0], { periodStart: '2025-06-10', periodEnd: '2026-03-31', outcome: 'in_grace', graceEndsOn: '2026-05-30', closedAt: null });
    t.same(v.assessments[0].deficits.map((d: { metric: string; shortfall: number }) => [d.metric, d.shortfall]).sort(), [
      ['practice_hours', 1.75],
      ['supervision_hours', 0.75],
    ]);
  });

  await t.test('someone not on the register sees no period', async (t) => {
    const applicant = await ta.mediator();
    t.match(await view(applicant.token), { status: null, obligationsStartOn: null, currentPeriod: null, assessments: [] });
  });
});
