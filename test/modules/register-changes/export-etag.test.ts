import t, { type Test } from 'tap';
import pg from 'pg';
import { asc } from 'drizzle-orm';
import { registerChanges } from '../../../src/db/schema.ts';
import { accredit } from '../../helpers/compliance.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';
import { completeDraft, reviewPanel } from '../../helpers/applications.ts';

const ALL_MET = { membership: 'met', foundation_training: 'met', send_training: 'met', supported_practice: 'met', insurance: 'met', supervision: 'met', declaration: 'met' };

/** The export's validator, checked to answer 304 to itself. */
async function etagOf(t: Test, ta: TestApp): Promise<string> {
  const res = await ta.request({ method: 'GET', url: '/v1/register/export.json' });
  const etag = res.headers.etag as string;
  const again = await ta.request({ method: 'GET', url: '/v1/register/export.csv', headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304, 'both exports share the validator');
  return etag;
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { registrar, assessor, comAdmin, providerId } = await reviewPanel(ta);
  let etag = await etagOf(t, ta);

  /** Runs `change`, then checks the validator moved (or stayed) and a client holding the old one gets the new content. */
  const step = async (t: Test, what: string, moves: boolean, change: () => Promise<unknown>) => {
    await change();
    const next = await etagOf(t, ta);
    if (moves) {
      t.not(next, etag, `${what}: the ETag moves`);
      t.equal((await ta.request({ method: 'GET', url: '/v1/register/export.json', headers: { 'if-none-match': etag } })).statusCode, 200, `${what}: the old validator gets the new export`);
    } else t.equal(next, etag, `${what}: the ETag stays`);
    etag = next;
  };
  const ok = (res: { statusCode: number; body: string }, status = 200) => {
    if (res.statusCode !== status) throw new Error(`${res.statusCode} ${res.body}`);
    return res;
  };

  const draft = await completeDraft(ta, providerId);
  await t.test('not public: accounts, drafts, submissions, assessor verdicts', async (t) => {
    await step(t, 'a new account and a draft', false, () => completeDraft(ta, providerId));
    await step(t, 'a submission', false, async () => ok(await draft.submit()));
    await step(t, 'an assessment', false, async () =>
      ok(await ta.request({ method: 'POST', url: `/v1/review/applications/${draft.id}/assessment`, token: assessor.token, payload: { verdicts: ALL_MET, recommendation: 'approve' } })),
    );
  });

  await t.test('approval adds an entry', async (t) => {
    await step(t, 'approval', true, async () =>
      ok(await ta.request({ method: 'POST', url: `/v1/review/applications/${draft.id}/decision`, token: comAdmin.token, payload: { outcome: 'approved', reasons: 'All criteria met' } })),
    );
  });

  const me = draft.mediator.token;
  const patch = (payload: object) => ta.request({ method: 'PATCH', url: '/v1/me/profile', token: me, payload });
  await t.test('profile edits: public fields move it, private ones do not', async (t) => {
    await step(t, 'organisation', true, async () => ok(await patch({ organisation: 'Calm Waters Mediation' })));
    await step(t, 'regions', true, async () => ok(await patch({ regions: ['london', 'national'] })));
    await step(t, 'an unpublished contact email', false, async () => ok(await patch({ contactEmail: 'desk@calm.example.org', showEmail: false })));
    await step(t, 'publishing it', true, async () => ok(await patch({ showEmail: true })));
    await step(t, 'insurance details', false, async () => ok(await patch({ insurer: 'Insure Co', insuranceCoverGbp: 2_000_000 })));
    await step(t, 'the same organisation again', false, async () => ok(await patch({ organisation: 'Calm Waters Mediation' })));
  });

  await t.test('status changes, both ways', async (t) => {
    const entryId = draft.mediator.mediatorId;
    const status = (s: string) => ta.request({ method: 'POST', url: `/v1/admin/mediators/${entryId}/status`, token: comAdmin.token, payload: { status: s, reason: 'Complaint under investigation' } });
    await step(t, 'suspension', true, async () => ok(await status('suspended')));
    await step(t, 'an edit while suspended, of a field shown only while accredited', false, async () => ok(await patch({ organisation: 'Other Org' })));
    await step(t, 'reinstatement', true, async () => ok(await status('accredited')));
  });

  await t.test('import adds entries', async (t) => {
    const csv = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages\r\nAoife Byrne,aoife@example.org,COM-77,2019-05-01,london,en\r\n';
    await step(t, 'import', true, async () =>
      ok(await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: csv, headers: { 'content-type': 'text/csv' } })),
    );
    await step(t, 'a dry run of the same file', false, async () =>
      ok(
        await ta.request({
          method: 'POST',
          url: '/v1/admin/imports/grandfathered?body=com&dryRun=true',
          token: registrar.token,
          payload: csv.replace('COM-77', 'COM-78').replace('aoife@', 'aoife2@'),
          headers: { 'content-type': 'text/csv' },
        }),
      ),
    );
  });

  await t.test('assessments: compliant moves it, in grace does not, in grace to compliant does', async (t) => {
    ta.clock.set('2026-03-20T10:00:00Z');
    const keen = await ta.mediator();
    const late = await ta.mediator();
    for (const m of [keen, late])
      await accredit(ta, m.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01', importedOn: '2024-10-01' });
    etag = await etagOf(t, ta);
    const logYear = async (token: string) => {
      ok(await ta.request({ method: 'POST', url: '/v1/me/cpd', token, payload: { date: '2025-09-01', hours: 10, category: 'course', sendSpecific: true, title: 'SEND law update' } }), 201);
      for (const date of ['2025-10-01', '2025-11-01']) {
        ok(await ta.request({ method: 'POST', url: '/v1/me/practice', token, payload: { date, hours: 8, kind: 'send_mediation', outcome: 'agreement' } }), 201);
      }
    };
    await step(t, 'CPD and practice logged', false, () => logYear(keen.token));
    ta.clock.set('2026-04-01T03:00:00Z');
    await step(t, 'the year assessed: one compliant, one in grace', true, async () =>
      ok(await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-01' } })),
    );
    const keenEntry = (await ta.request({ method: 'GET', url: `/v1/register/${keen.mediatorId}` })).json();
    t.equal(keenEntry.cpdUpToDateFor, '2025/26');
    ta.clock.set('2026-04-02T03:00:00Z');
    await step(t, 'a job run that changes nothing public', false, async () =>
      ok(await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-02' } })),
    );
    await step(t, 'late entries logged in grace', false, () => logYear(late.token));
    ta.clock.set('2026-04-03T03:00:00Z');
    await step(t, 'in grace to compliant', true, async () => ok(await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-03' } })));
    t.equal((await ta.request({ method: 'GET', url: `/v1/register/${late.mediatorId}` })).json().cpdUpToDateFor, '2025/26');
  });

  await t.test('the settings, rule sets and sign-ins are not public changes', async (t) => {
    await step(t, 'a settings change', false, async () => {
      const current = (await ta.request({ method: 'GET', url: '/v1/admin/settings', token: registrar.token })).json();
      ok(
        await ta.request({
          method: 'PUT',
          url: '/v1/admin/settings',
          token: registrar.token,
          payload: { applicationThresholds: { ...current.applicationThresholds, supportedCases: 4 }, grandfatheringComplianceStart: current.grandfatheringComplianceStart, reason: 'test' },
        }),
      );
    });
    await step(t, 'a sign-in', false, () => ta.staff('assessor'));
  });

  await t.test('positions are consecutive, one per public change', async (t) => {
    const rows = await ta.database.db.select().from(registerChanges).orderBy(asc(registerChanges.position));
    t.same(
      rows.map((r) => r.position),
      rows.map((_, i) => i + 1),
    );
    t.equal(etag, `"${rows.length}"`);
    t.same(rows.map((r) => r.kind).slice(0, 4), ['added', 'updated', 'updated', 'updated']);
  });

  if (kind === 'postgres') {
    await t.test('positions follow commit order, not the order the changes were made', async (t) => {
      const a = new pg.Client({ connectionString: ta.databaseUrl });
      const b = new pg.Client({ connectionString: ta.databaseUrl });
      await a.connect();
      await b.connect();
      t.teardown(async () => {
        await a.end();
        await b.end();
      });
      const [first, second] = (await a.query(`SELECT id FROM mediators WHERE status = 'accredited' ORDER BY id LIMIT 2`)).rows as Array<{ id: string }>;
      await a.query('BEGIN');
      // Languages, not names or organisations: writers that change the same search word queue for it
      // (register_name_words), and this test is about two that do not wait for each other.
      await a.query(`UPDATE mediators SET languages = '{fr}' WHERE id = $1`, [first!.id]);
      await b.query('BEGIN');
      await b.query(`UPDATE mediators SET languages = '{de}' WHERE id = $1`, [second!.id]);
      await b.query('COMMIT');
      const between = await etagOf(t, ta);
      await a.query('COMMIT');
      const after = await etagOf(t, ta);
      t.not(after, between, 'the later commit moves the ETag again');
      const rows = await ta.database.db.select().from(registerChanges).orderBy(asc(registerChanges.position));
      t.same(
        rows.slice(-2).map((r) => r.mediatorId),
        [second!.id, first!.id],
      );
    });
  }
});
