import t from 'tap';
import { and, eq, ne } from 'drizzle-orm';
import { complianceAssessments, mediators, notifications } from '../../../src/db/schema.ts';
import { requirementsFor } from '../../../src/domain/requirements.ts';
import { loadRuleSets } from '../../../src/modules/rule-sets/rule-sets-repository.ts';
import { secretIn } from '../../helpers/mail.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';

const HEADER = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages';
const row = (n: number) => `Member ${n},member${n}@example.org,COM-${n},2019-05-01,london,en`;
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\r\n')}\r\n`;

/** A grandfathered member imported on the clock's day, then signed in through their claim. */
async function importAndClaim(ta: TestApp, token: string, n: number) {
  const res = await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token, payload: csv(row(n)), headers: { 'content-type': 'text/csv' } });
  if (res.statusCode !== 200 || !res.json().written) throw new Error(`import: ${res.statusCode} ${res.body}`);
  const email = `member${n}@example.org`;
  const [mail] = await ta.database.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.recipient, email), eq(notifications.template, 'claim_account')));
  const password = 'a long and private passphrase';
  const claim = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: secretIn(mail!.data), password } });
  if (claim.statusCode !== 200) throw new Error(`claim: ${claim.statusCode} ${claim.body}`);
  const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const [entry] = await ta.database.db
    .select()
    .from(mediators)
    .where(eq(mediators.membershipNumber, `COM-${n}`));
  return { token: login.json().accessToken as string, entry: entry! };
}

const view = async (ta: TestApp, token: string) => (await ta.request({ method: 'GET', url: '/v1/me/compliance', token })).json();
const runJob = async (ta: TestApp, token: string, asOf: string) => {
  const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token, payload: { asOf } });
  if (res.statusCode !== 200) throw new Error(`job: ${res.statusCode} ${res.body}`);
  return res.json();
};

await eachDatabase(t, async (t, kind) => {
  await t.test('imported today, the job today: nobody assessed, lapsed or mailed', async (t) => {
    const ta = await buildTestApp(t, kind);
    ta.clock.set('2026-12-01T10:00:00Z');
    const registrar = await ta.staff('registrar');
    const { entry } = await importAndClaim(ta, registrar.token, 1);
    t.match(entry, { firstAccreditedOn: '2019-05-01', importedOn: '2026-12-01', complianceStartOn: '2026-12-01' });
    const run = await runJob(ta, registrar.token, '2026-12-01');
    t.same(run.counts, { compliant: 0, inGrace: 0, nonCompliant: 0, exempt: 0, lapsed: 0 });
    t.equal(run.remindersSent, 0);
    t.same(await ta.database.db.select().from(complianceAssessments), [], 'no period assessed');
    const [after] = await ta.database.db.select().from(mediators).where(eq(mediators.id, entry.id));
    t.equal(after!.status, 'accredited');
    t.same(await ta.database.db.select({ template: notifications.template }).from(notifications).where(ne(notifications.template, 'claim_account')), [], 'only the claim was mailed');
  });

  await t.test('imported on 31 March 2025: obligations from 1 April 2025, a whole first year', async (t) => {
    const ta = await buildTestApp(t, kind);
    ta.clock.set('2025-03-31T15:00:00Z');
    const registrar = await ta.staff('registrar');
    const { token, entry } = await importAndClaim(ta, registrar.token, 2);
    t.match(entry, { importedOn: '2025-03-31', complianceStartOn: '2025-04-01' });
    ta.clock.set('2025-04-02T09:00:00Z');
    const v = await view(ta, token);
    t.match(v, { obligationsStartOn: '2025-04-01' });
    t.match(v.currentPeriod, { year: 2025, start: '2025-04-01', end: '2026-03-31', proRated: false });
    t.same(
      v.currentPeriod.requirements.map((r: { metric: string; required: number }) => [r.metric, r.required]),
      [
        ['cpd_hours', 10],
        ['send_cpd_hours', 5],
        ['practice_hours', 15],
        ['send_mediations', 2],
        ['supervision_hours', 4],
      ],
    );
    t.equal((await runJob(ta, registrar.token, '2025-04-02')).counts.inGrace, 0, 'the 2024/25 year before the start is never assessed');
  });

  await t.test('imported mid-year: a pro-rated first period, shown to the member and assessed as shown', async (t) => {
    const ta = await buildTestApp(t, kind);
    ta.clock.set('2026-12-01T10:00:00Z');
    const registrar = await ta.staff('registrar');
    const { token, entry } = await importAndClaim(ta, registrar.token, 3);
    const v = await view(ta, token);
    t.match(v.currentPeriod, { year: 2026, start: '2026-12-01', end: '2027-03-31', proRated: true });
    // Four whole months of twelve, rounded up as for a newly approved mediator: the same function.
    const sets = await loadRuleSets(ta.database.db);
    const expected = requirementsFor(sets[0]!, { start: '2026-12-01', end: '2027-03-31', partial: true }, 'com');
    t.same(
      v.currentPeriod.requirements.map((r: { metric: string; required: number }) => ({ metric: r.metric, required: r.required })),
      expected,
    );
    t.same(
      expected.map((r) => r.required),
      [3.5, 2, 5, 1, 1.5],
      'hand-computed: 10, 5, 15 h, 2 mediations, 4 h times 4/12',
    );

    // Re-importing the unchanged row months later moves nothing.
    ta.clock.set('2027-02-10T10:00:00Z');
    const again = await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: csv(row(3)), headers: { 'content-type': 'text/csv' } });
    t.match(again.json(), { written: false, counts: { unchanged: 1 } });
    const [same] = await ta.database.db.select().from(mediators).where(eq(mediators.id, entry.id));
    t.match(same, { importedOn: '2026-12-01', complianceStartOn: '2026-12-01' });

    // After the period: assessed against the pro-rated requirements.
    ta.clock.set('2027-04-01T09:00:00Z');
    const run = await runJob(ta, registrar.token, '2027-04-01');
    t.equal(run.counts.inGrace, 1);
    const [a] = await ta.database.db.select().from(complianceAssessments).where(eq(complianceAssessments.mediatorId, entry.id));
    t.match(a, { periodStart: '2026-12-01', periodEnd: '2027-03-31', outcome: 'in_grace' });
    t.same(a!.deficits.map((d) => [d.metric, d.required]).sort(), [
      ['cpd_hours', 3.5],
      ['practice_hours', 5],
      ['send_cpd_hours', 2],
      ['send_mediations', 1],
      ['supervision_hours', 1.5],
    ]);
  });
});
