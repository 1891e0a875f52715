import t from 'tap';
import { eq } from 'drizzle-orm';
import { complianceAssessments, mediators, ruleSets } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';
import { LOCK_KEYS } from '../../../src/db/advisory-locks.ts';
import { waitingBackend } from '../../helpers/backends.ts';

const cpd = {
  date: '2025-05-10',
  hours: 3.5,
  category: 'course',
  sendSpecific: true,
  title: 'SEND law update',
  provider: 'Mediation Academy',
  reflection: 'EHC plan appeals',
  evidenceRef: 'https://example.org/certificate/1',
};
const practice = { date: '2025-05-12', hours: 2.75, kind: 'send_mediation', outcome: 'agreement', caseReference: 'LA-2025-0042' };

await eachDatabase(t, async (t, kind) => {
  // Test clock: 2 June 2025, 11:00 in London.
  const ta = await buildTestApp(t, kind);
  const me = await ta.mediator();
  await accredit(ta, me.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
  const other = await ta.mediator();
  await accredit(ta, other.mediatorId, { body: 'cmc', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
  const post = (url: string, payload: object, token = me.token) => ta.request({ method: 'POST', url, token, payload });

  t.equal((await ta.database.db.select().from(ruleSets)).length, 1, 'the default rule set is seeded');

  await t.test('CPD: create, list by register year newest first, change, delete, audited', async (t) => {
    const a = await post('/v1/me/cpd', cpd);
    t.equal(a.statusCode, 201, a.body);
    t.match(a.json(), { ...cpd, id: String });
    t.notOk('mediatorId' in a.json());
    const b = (await post('/v1/me/cpd', { ...cpd, date: '2025-03-31', title: 'Last day of 2024' })).json();
    const c = (await post('/v1/me/cpd', { ...cpd, date: '2025-04-01', hours: 0.25, title: 'First day of 2025', provider: null, evidenceRef: null })).json();
    const year2025 = await ta.request({ method: 'GET', url: '/v1/me/cpd?period=2025&limit=1', token: me.token });
    t.same(
      year2025.json().items.map((i: { id: string }) => i.id),
      [a.json().id],
    );
    const next = await ta.request({ method: 'GET', url: `/v1/me/cpd?period=2025&limit=1&cursor=${year2025.json().nextCursor}`, token: me.token });
    t.same(
      next.json().items.map((i: { id: string }) => i.id),
      [c.id],
      '1 April is in the 2025 year, on the second page',
    );
    t.equal(next.json().nextCursor, null);
    const y2024 = await ta.request({ method: 'GET', url: '/v1/me/cpd?period=2024', token: me.token });
    t.same(
      y2024.json().items.map((i: { id: string }) => i.id),
      [b.id],
      '31 March belongs to 2024',
    );
    const all = await ta.request({ method: 'GET', url: '/v1/me/cpd', token: me.token });
    t.same(
      all.json().items.map((i: { date: string }) => i.date),
      ['2025-05-10', '2025-04-01', '2025-03-31'],
      'newest first',
    );

    const patched = await ta.request({ method: 'PATCH', url: `/v1/me/cpd/${b.id}`, token: me.token, payload: { hours: 6, sendSpecific: false } });
    t.equal(patched.statusCode, 200);
    t.match(patched.json(), { hours: 6, sendSpecific: false, title: 'Last day of 2024' });
    const del = await ta.request({ method: 'DELETE', url: `/v1/me/cpd/${c.id}`, token: me.token });
    t.equal(del.statusCode, 204);
    t.equal((await ta.request({ method: 'DELETE', url: `/v1/me/cpd/${c.id}`, token: me.token })).statusCode, 404);

    const registrar = await ta.staff('registrar');
    const audit = await ta.request({ method: 'GET', url: `/v1/admin/audit?entityType=cpd_entry&entityId=${b.id}`, token: registrar.token });
    t.same(
      audit
        .json()
        .items.map((e: { action: string }) => e.action)
        .sort(),
      ['cpd.created', 'cpd.updated'],
    );
  });

  await t.test('CPD validation', async (t) => {
    const cases: Array<[string, object, number, string]> = [
      ['hours not in quarter steps', { hours: 1.3 }, 400, 'hours'],
      ['hours below 0.25', { hours: 0 }, 400, 'hours'],
      ['hours above 40', { hours: 40.25 }, 400, 'hours'],
      ['unknown category', { category: 'webinar' }, 400, 'category'],
      ['not a date', { date: '2025-02-30' }, 400, 'date'],
      ['evidence not a URL', { evidenceRef: 'my drawer' }, 400, 'evidenceRef'],
      ['unknown key', { extra: 1 }, 400, ''],
      ['tomorrow in London', { date: '2025-06-03' }, 422, 'date'],
      ['before obligations start', { date: '2024-03-31' }, 422, 'date'],
    ];
    for (const [name, change, status, field] of cases) {
      const res = await post('/v1/me/cpd', { ...cpd, ...change });
      t.equal(res.statusCode, status, name);
      if (field)
        t.ok(
          res.json().errors?.some((e: { field: string }) => e.field.includes(field)),
          `${name}: names ${field}`,
        );
    }
    t.equal((await post('/v1/me/cpd', { ...cpd, hours: 40 })).statusCode, 201, '40 h is the upper bound');
    const late = ta.clock();
    ta.clock.set('2025-06-02T23:30:00Z'); // 00:30 on 3 June in London (BST)
    t.equal((await post('/v1/me/cpd', { ...cpd, date: '2025-06-03' })).statusCode, 201, "today is London's date");
    ta.clock.set(late.toISOString());
  });

  await t.test('practice: enums, outcome, case references without personal data', async (t) => {
    const ok = await post('/v1/me/practice', practice);
    t.equal(ok.statusCode, 201, ok.body);
    t.match(ok.json(), practice);
    t.equal((await post('/v1/me/practice', { date: '2025-05-13', hours: 1.5, kind: 'supervision_received' })).statusCode, 201);
    const cases: Array<[string, object, number, string]> = [
      ['email as reference', { caseReference: 'parent.smith@gmail.com' }, 400, 'caseReference'],
      ['phone as reference', { caseReference: '07700 900123' }, 400, 'caseReference'],
      ['international phone', { caseReference: 'call +44 (20) 7946-0958' }, 400, 'caseReference'],
      ['phone after a year', { caseReference: '2025 07700900123' }, 400, 'caseReference'],
      ['hours above 24', { hours: 24.25 }, 400, 'hours'],
      ['hours in tenths', { hours: 1.1 }, 400, 'hours'],
      ['unknown kind', { kind: 'family_mediation' }, 400, 'kind'],
      ['unknown outcome', { outcome: 'settled' }, 400, 'outcome'],
      ['SEND mediation without outcome', { outcome: undefined }, 422, 'outcome'],
      ['outcome on other mediation', { kind: 'other_mediation' }, 422, 'outcome'],
      ['future date', { date: '2025-06-03' }, 422, 'date'],
    ];
    for (const [name, change, status, field] of cases) {
      const res = await post('/v1/me/practice', { ...practice, ...change });
      t.equal(res.statusCode, status, name);
      t.ok(
        res.json().errors?.some((e: { field: string }) => e.field.includes(field)),
        `${name}: names ${field}`,
      );
    }
    t.equal((await post('/v1/me/practice', { ...practice, caseReference: 'SEND-2025-0042' })).statusCode, 201, 'a reference with a few digits is fine');
    t.equal((await post('/v1/me/practice', { ...practice, caseReference: 'SEND-2025-000123' })).statusCode, 201, 'a year and a long serial number are not a phone number');
    const message = (await post('/v1/me/practice', { ...practice, caseReference: '020 7946 0958' })).json().errors[0].message;
    t.match(message, /case number.*never a child's or family's name/, 'the refusal says why');
    const patch = await ta.request({ method: 'PATCH', url: `/v1/me/practice/${ok.json().id}`, token: me.token, payload: { kind: 'other_mediation' } });
    t.equal(patch.statusCode, 422, 'changing to other mediation must drop the outcome');
    const patch2 = await ta.request({ method: 'PATCH', url: `/v1/me/practice/${ok.json().id}`, token: me.token, payload: { kind: 'other_mediation', outcome: null } });
    t.match(patch2.json(), { kind: 'other_mediation', outcome: null });
  });

  await t.test("only the owner: another mediator's entries answer 404; staff are refused", async (t) => {
    const mine = (await post('/v1/me/cpd', cpd)).json();
    const theirs = (await post('/v1/me/practice', practice, other.token)).json();
    t.equal((await ta.request({ method: 'PATCH', url: `/v1/me/cpd/${mine.id}`, token: other.token, payload: { hours: 1 } })).statusCode, 404);
    t.equal((await ta.request({ method: 'DELETE', url: `/v1/me/cpd/${mine.id}`, token: other.token })).statusCode, 404);
    t.equal((await ta.request({ method: 'DELETE', url: `/v1/me/practice/${theirs.id}`, token: me.token })).statusCode, 404);
    const list = await ta.request({ method: 'GET', url: '/v1/me/cpd', token: other.token });
    t.same(list.json().items, [], 'lists show only your own');
    const admin = await ta.staff('admin', 'com');
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/cpd', token: admin.token })).statusCode, 403);
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/cpd' })).statusCode, 401);
  });

  await t.test('a closed period is locked (409); a period in grace is not', async (t) => {
    const old = (await post('/v1/me/cpd', { ...cpd, date: '2024-06-01' })).json();
    const db = ta.database.db;
    const [a] = await db
      .insert(complianceAssessments)
      .values({
        mediatorId: me.mediatorId,
        periodStart: '2024-04-01',
        periodEnd: '2025-03-31',
        ruleSetId: (await db.select().from(ruleSets))[0]!.id,
        outcome: 'in_grace',
        graceEndsOn: '2025-05-30',
        assessedAt: ta.clock(),
      })
      .returning();
    t.equal((await post('/v1/me/cpd', { ...cpd, date: '2024-07-01' })).statusCode, 201, 'in grace: late entries may still be logged');
    await db.update(complianceAssessments).set({ outcome: 'compliant', graceEndsOn: null, closedAt: ta.clock() }).where(eq(complianceAssessments.id, a!.id));
    t.equal((await post('/v1/me/cpd', { ...cpd, date: '2024-07-01' })).statusCode, 409, 'add');
    t.equal((await post('/v1/me/practice', { ...practice, date: '2025-03-31' })).statusCode, 409, 'add on the last day');
    t.equal((await ta.request({ method: 'PATCH', url: `/v1/me/cpd/${old.id}`, token: me.token, payload: { hours: 1 } })).statusCode, 409, 'change');
    t.equal((await ta.request({ method: 'DELETE', url: `/v1/me/cpd/${old.id}`, token: me.token })).statusCode, 409, 'delete');
    const current = (await post('/v1/me/cpd', cpd)).json();
    t.equal((await ta.request({ method: 'PATCH', url: `/v1/me/cpd/${current.id}`, token: me.token, payload: { date: '2025-01-10' } })).statusCode, 409, 'moving an entry into a closed period');
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/cpd?period=2024', token: me.token })).statusCode, 200, 'still readable');
  });

  await t.test('not accredited: logs readable, nothing added where not accredited', async (t) => {
    const applicant = await ta.mediator();
    t.equal((await post('/v1/me/cpd', cpd, applicant.token)).statusCode, 422, 'never accredited');
    t.equal((await ta.request({ method: 'GET', url: '/v1/me/cpd', token: applicant.token })).statusCode, 200);
    await ta.database.db
      .update(mediators)
      .set({ status: 'lapsed', statusChangedAt: new Date('2025-05-01T09:00:00Z') })
      .where(eq(mediators.id, other.mediatorId));
    t.equal((await post('/v1/me/cpd', { ...cpd, date: '2025-05-02' }, other.token)).statusCode, 422, 'after lapsing');
    t.equal((await post('/v1/me/cpd', { ...cpd, date: '2025-04-30' }, other.token)).statusCode, 201, 'while still accredited');
  });
});

t.test('an entry written while a compliance run closes its period waits, then sees it closed', { skip: !process.env.TEST_DATABASE_URL && 'needs PostgreSQL (two connections)' }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const me = await ta.mediator();
  await accredit(ta, me.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
  const pool = ta.database.pool!;
  const job = await pool.connect();
  t.teardown(() => job.release());
  // Stand in for a run: hold the run lock, close the 2024/25 period, and commit only later.
  await job.query('BEGIN');
  await job.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.complianceRun]);
  const [ruleSet] = await ta.database.db.select().from(ruleSets);
  await job.query(
    `INSERT INTO compliance_assessments (mediator_id, period_start, period_end, rule_set_id, outcome, assessed_at, closed_at)
     VALUES ($1, '2024-04-01', '2025-03-31', $2, 'compliant', now(), now())`,
    [me.mediatorId, ruleSet!.id],
  );
  let settled = false;
  const write = ta.request({ method: 'POST', url: '/v1/me/cpd', token: me.token, payload: { ...cpd, date: '2025-03-01' } }).finally(() => {
    settled = true;
  });
  await waitingBackend(pool, 'pg_advisory_xact_lock_shared');
  t.notOk(settled, 'the write waits for the run');
  await job.query('COMMIT');
  t.equal((await write).statusCode, 409, 'and then finds the period closed');
});
