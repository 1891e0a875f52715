import t from 'tap';
import { and, count, eq } from 'drizzle-orm';
import { applications, auditEvents, mediators, notifications, statusHistory } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

/** Evidence that meets the 2024 standards on 2025-06-02 (the test clock's day). */
function goodEvidence(providerId: string, body: 'com' | 'cmc' = 'com', membershipNumber = 'COM-1001') {
  return {
    membership: { body, membershipNumber },
    foundation_training: { provider: 'Mediation Academy', completedOn: '2024-10-01', hours: 40, assessedByRolePlay: true, assessedByWrittenAssignment: true },
    send_training: { providerId, completedOn: '2025-01-15', hours: 12 },
    supported_practice: { cases: [1, 2, 3].map((i) => ({ date: `2025-0${i}-10`, role: 'co_mediated', hours: 3, supervisor: 'Pat Supervisor' })) },
    insurance: { insurer: 'Insure Co', coverGbp: 1_000_000, expiresOn: '2026-05-31' },
    supervision: { supervisorName: 'Pat Supervisor' },
    declaration: { agreesToCodeOfConduct: true, agreesToComplaintsProcedure: true, fitAndProper: true },
  };
}
const allMet = { membership: 'met', foundation_training: 'met', send_training: 'met', supported_practice: 'met', insurance: 'met', supervision: 'met', declaration: 'met' };

async function setup(ta: TestApp) {
  const registrar = await ta.staff('registrar');
  const provider = await ta.request({
    method: 'POST',
    url: '/v1/admin/training-providers',
    token: registrar.token,
    payload: { name: 'SEND Training Ltd', approvedFrom: '2024-01-01', approvedUntil: '2025-12-31' },
  });
  return { registrar, providerId: provider.json().id as string, assessor: await ta.staff('assessor'), comAdmin: await ta.staff('admin', 'com'), cmcAdmin: await ta.staff('admin', 'cmc') };
}

/** A mediator with a complete, submitted application. */
async function submitted(ta: TestApp, providerId: string, body: 'com' | 'cmc' = 'com', membershipNumber?: string) {
  const m = await ta.mediator();
  const draft = await ta.request({ method: 'POST', url: '/v1/applications', token: m.token });
  const id = draft.json().id as string;
  for (const [criterion, evidence] of Object.entries(goodEvidence(providerId, body, membershipNumber ?? `${body.toUpperCase()}-${m.mediatorId.slice(0, 6)}`))) {
    const res = await ta.request({ method: 'PUT', url: `/v1/applications/${id}/criteria/${criterion}`, token: m.token, payload: evidence });
    if (res.statusCode !== 200) throw new Error(`${criterion}: ${res.body}`);
  }
  const res = await ta.request({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token });
  if (res.statusCode !== 200) throw new Error(res.body);
  return { m, id };
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { registrar, providerId, assessor, comAdmin, cmcAdmin } = await setup(ta);
  const req = ta.request;

  await t.test('from account to accredited entry through the API', async (t) => {
    const m = await ta.mediator('journey@example.org', 'Zoë Journey');
    const profile = await req({
      method: 'PATCH',
      url: '/v1/me/profile',
      token: m.token,
      payload: { organisation: 'Journey Mediation', regions: ['london'], languages: ['en', 'cy'], contactEmail: 'hello@journey.example.org', showEmail: true },
    });
    t.equal(profile.statusCode, 200);
    t.match(profile.json(), { organisation: 'Journey Mediation', status: null });

    const draft = await req({ method: 'POST', url: '/v1/applications', token: m.token });
    t.equal(draft.statusCode, 201);
    const id = draft.json().id;
    t.equal((await req({ method: 'POST', url: '/v1/applications', token: m.token })).statusCode, 409, 'one open application');

    const early = await req({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token });
    t.equal(early.statusCode, 422);
    t.equal(early.json().errors.length, 7, 'every missing required criterion listed');

    const evidence = goodEvidence(providerId, 'com', 'COM-JOURNEY');
    for (const [criterion, body] of Object.entries(evidence)) {
      t.equal((await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/${criterion}`, token: m.token, payload: body })).statusCode, 200, `evidence ${criterion}`);
    }
    const short = await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/foundation_training`, token: m.token, payload: { ...evidence.foundation_training, hours: 39.75 } });
    t.equal(short.statusCode, 200, 'a short course can be saved as a draft');
    const refused = await req({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token });
    t.equal(refused.statusCode, 422, '39.75 h refused at submission');
    t.same(
      refused.json().errors.map((e: { field: string }) => e.field),
      ['foundation_training.hours'],
    );
    await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/foundation_training`, token: m.token, payload: evidence.foundation_training });

    const sub = await req({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token });
    t.equal(sub.statusCode, 200);
    t.equal(sub.json().status, 'submitted');
    t.equal((await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/dbs`, token: m.token, payload: { certificateDate: '2025-01-01' } })).statusCode, 409, 'no edits once submitted');

    const queue = await req({ method: 'GET', url: '/v1/review/applications?status=submitted', token: assessor.token });
    t.ok(
      queue.json().items.some((a: { id: string }) => a.id === id),
      'in the assessors’ queue',
    );

    const partial = await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload: { verdicts: { membership: 'met' } } });
    t.equal(partial.json().status, 'under_assessment');
    const assessed = await req({
      method: 'POST',
      url: `/v1/review/applications/${id}/assessment`,
      token: assessor.token,
      payload: { verdicts: { ...allMet, insurance: 'not_met' }, recommendation: 'return', notes: 'Insurance schedule missing' },
    });
    t.equal(assessed.json().status, 'assessed');

    const notMet = await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: comAdmin.token, payload: { outcome: 'approved' } });
    t.equal(notMet.statusCode, 422, 'approval with a not_met verdict');
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: comAdmin.token, payload: { outcome: 'rejected' } })).statusCode, 400, 'rejection needs reasons');

    const returned = await req({
      method: 'POST',
      url: `/v1/review/applications/${id}/decision`,
      token: comAdmin.token,
      payload: { outcome: 'returned', reasons: 'Please upload your insurance schedule.' },
    });
    t.equal(returned.json().status, 'returned');
    t.equal(
      (await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/insurance`, token: m.token, payload: { ...evidence.insurance, insurer: 'Better Insure' } })).statusCode,
      200,
      'returned: the applicant edits',
    );
    t.equal((await req({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token })).json().status, 'submitted', 'and resubmits');
    await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload: { verdicts: allMet, recommendation: 'approve' } });
    const approved = await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: comAdmin.token, payload: { outcome: 'approved' } });
    t.equal(approved.statusCode, 200);
    t.equal(approved.json().status, 'approved');

    const entries = await req({ method: 'GET', url: '/v1/admin/mediators?q=journey', token: comAdmin.token });
    t.match(entries.json().items, [{ fullName: 'Zoë Journey', status: 'accredited', route: 'standards_2024', body: 'com', membershipNumber: 'COM-JOURNEY', firstAccreditedOn: '2025-06-02' }]);
    t.equal((await req({ method: 'GET', url: `/v1/register/${m.mediatorId}` })).json().contactEmail, 'hello@journey.example.org', 'on the public register');

    const actions = (await ta.database.db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityId, id))).map((e) => e.action);
    t.same(
      actions.filter((a) => !a.endsWith('evidence_updated')),
      [
        'application.created',
        'application.submitted',
        'application.assessment_saved',
        'application.assessed',
        'application.returned',
        'application.submitted',
        'application.assessed',
        'application.approved',
      ],
      'every step in the audit chain',
    );
    const templates = (await ta.database.db.select({ template: notifications.template }).from(notifications).where(eq(notifications.userId, m.userId))).map((n) => n.template);
    t.same(
      templates.filter((x) => x.startsWith('application_')),
      ['application_submitted', 'application_returned', 'application_submitted', 'application_approved'],
    );
    const verify = await req({ method: 'GET', url: '/v1/admin/audit/verify', token: registrar.token });
    t.equal(verify.json().valid ?? verify.json().ok ?? true, true, 'chain still verifies');
  });

  await t.test('forbidden paths', async (t) => {
    const { m, id } = await submitted(ta, providerId, 'com');
    const other = await ta.mediator();
    t.equal((await req({ method: 'GET', url: `/v1/applications/${id}`, token: other.token })).statusCode, 404, 'another mediator reading');
    t.equal((await req({ method: 'POST', url: `/v1/applications/${id}/withdraw`, token: other.token })).statusCode, 404);
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: m.token, payload: { verdicts: allMet } })).statusCode, 403, 'a mediator assessing');
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: m.token, payload: { outcome: 'approved' } })).statusCode, 403, 'a mediator deciding');
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: assessor.token, payload: { outcome: 'approved' } })).statusCode, 403, 'an assessor deciding');
    await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload: { verdicts: allMet } });
    t.equal((await req({ method: 'GET', url: `/v1/applications/${id}`, token: cmcAdmin.token })).statusCode, 403, 'an admin of the other body reading');
    t.equal(
      (await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: cmcAdmin.token, payload: { outcome: 'approved' } })).statusCode,
      403,
      'an admin of the other body deciding',
    );
    t.equal((await req({ method: 'GET', url: '/v1/review/applications?body=com', token: cmcAdmin.token })).statusCode, 403);

    // An admin who also applies (role changed to mediator, then back) must not decide their own application.
    const self = await ta.mediator();
    const draft = await req({ method: 'POST', url: '/v1/applications', token: self.token });
    t.equal((await req({ method: 'GET', url: `/v1/applications/${draft.json().id}`, token: assessor.token })).statusCode, 404, 'staff do not see drafts');
    const registrarDraft = await req({ method: 'POST', url: '/v1/applications', token: registrar.token });
    t.equal(registrarDraft.statusCode, 403, 'staff accounts do not apply');

    // An applicant who later joins the panel, then becomes an admin, still cannot judge their own application.
    const own = await submitted(ta, providerId, 'com');
    const promote = async (role: string, body?: string) => {
      await req({ method: 'PUT', url: `/v1/admin/users/${own.m.userId}/role`, token: registrar.token, payload: { role, ...(body ? { body } : {}), reason: 'joins the staff' } });
      return (await req({ method: 'POST', url: '/v1/auth/login', payload: { email: own.m.email, password: PASSWORD } })).json().accessToken as string;
    };
    const asAssessor = await promote('assessor');
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${own.id}/assessment`, token: asAssessor, payload: { verdicts: allMet } })).statusCode, 403, 'assessing their own application');
    await req({ method: 'POST', url: `/v1/review/applications/${own.id}/assessment`, token: assessor.token, payload: { verdicts: allMet } });
    const asAdmin = await promote('admin', 'com');
    t.equal((await req({ method: 'POST', url: `/v1/review/applications/${own.id}/decision`, token: asAdmin, payload: { outcome: 'approved' } })).statusCode, 403, 'deciding their own application');
    t.equal((await req({ method: 'GET', url: `/v1/applications/${own.id}`, token: asAdmin })).json().status, 'assessed', 'nothing changed');
  });

  await t.test('expired insurance and a provider not approved on the completion date', async (t) => {
    const m = await ta.mediator();
    const id = (await req({ method: 'POST', url: '/v1/applications', token: m.token })).json().id;
    const ev = goodEvidence(providerId, 'cmc', 'CMC-77');
    for (const [criterion, body] of Object.entries({ ...ev, insurance: { ...ev.insurance, expiresOn: '2025-05-01' }, send_training: { ...ev.send_training, completedOn: '2023-12-31' } })) {
      await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/${criterion}`, token: m.token, payload: body });
    }
    const res = await req({ method: 'POST', url: `/v1/applications/${id}/submit`, token: m.token });
    t.equal(res.statusCode, 422);
    t.same(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
      ['insurance.expiresOn', 'send_training.providerId'],
    );
    t.equal((await req({ method: 'POST', url: `/v1/applications/${id}/withdraw`, token: m.token })).json().status, 'withdrawn');
    t.equal((await req({ method: 'POST', url: '/v1/applications', token: m.token })).statusCode, 201, 'a new application after withdrawing');
  });

  await t.test('two concurrent approvals: exactly one succeeds, one entry', async (t) => {
    const { m, id } = await submitted(ta, providerId, 'cmc');
    await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload: { verdicts: allMet } });
    const results = await Promise.all(
      [cmcAdmin.token, registrar.token].map((token) => req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token, payload: { outcome: 'approved' } })),
    );
    t.same(results.map((r) => r.statusCode).sort(), [200, 409]);
    const history = await ta.database.db.select({ n: count() }).from(statusHistory).where(eq(statusHistory.mediatorId, m.mediatorId));
    t.equal(history[0]!.n, 1, 'one accreditation recorded');
    const [entry] = await ta.database.db.select().from(mediators).where(eq(mediators.id, m.mediatorId));
    t.equal(entry!.status, 'accredited');
  });

  await t.test('mass assignment is refused and changes nothing', async (t) => {
    const m = await ta.mediator();
    for (const field of ['status', 'route', 'body', 'membershipNumber', 'firstAccreditedOn', 'complianceStartOn', 'userId', 'id']) {
      const res = await req({ method: 'PATCH', url: '/v1/me/profile', token: m.token, payload: { organisation: 'Sneaky', [field]: field === 'status' ? 'accredited' : 'x' } });
      t.equal(res.statusCode, 400, `profile ${field}`);
      t.ok(
        res.json().errors.some((e: { field: string }) => e.field === field),
        `names ${field}`,
      );
    }
    const [row] = await ta.database.db.select().from(mediators).where(eq(mediators.id, m.mediatorId));
    t.equal(row!.organisation, null, 'nothing changed');
    t.equal(row!.status, null);
    const id = (await req({ method: 'POST', url: '/v1/applications', token: m.token })).json().id;
    const sneaky = await req({ method: 'PUT', url: `/v1/applications/${id}/criteria/membership`, token: m.token, payload: { body: 'com', membershipNumber: 'X1', status: 'approved' } });
    t.equal(sneaky.statusCode, 400, 'unknown evidence field');
    t.equal(sneaky.json().errors[0].field, '(root)');
    const [app] = await ta.database.db
      .select()
      .from(applications)
      .where(and(eq(applications.id, id)));
    t.same(app!.evidence, {}, 'evidence unchanged');
    t.equal(app!.status, 'draft');
  });

  await t.test('admin status changes with history, audit and notification', async (t) => {
    const { m, id } = await submitted(ta, providerId, 'com');
    await req({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload: { verdicts: allMet } });
    await req({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: comAdmin.token, payload: { outcome: 'approved' } });
    const url = `/v1/admin/mediators/${m.mediatorId}/status`;
    t.equal((await req({ method: 'POST', url, token: cmcAdmin.token, payload: { status: 'suspended', reason: 'Complaint under investigation' } })).statusCode, 403, 'other body');
    t.equal((await req({ method: 'POST', url, token: m.token, payload: { status: 'suspended', reason: 'self' } })).statusCode, 403, 'a mediator never changes a status');
    const suspended = await req({ method: 'POST', url, token: comAdmin.token, payload: { status: 'suspended', reason: 'Complaint under investigation' } });
    t.match(suspended.json(), { status: 'suspended', previousStatus: 'accredited' });
    t.match((await req({ method: 'GET', url: `/v1/register/${m.mediatorId}` })).json(), { status: 'suspended', contactEmail: null }, 'suspended: labelled, without contact details');
    t.equal((await req({ method: 'POST', url, token: comAdmin.token, payload: { status: 'lapsed', reason: 'x is not allowed' } })).statusCode, 422, 'suspended → lapsed not allowed');
    t.equal((await req({ method: 'POST', url, token: registrar.token, payload: { status: 'accredited', reason: 'Complaint dismissed' } })).statusCode, 200);
    const history = (await req({ method: 'GET', url: `/v1/register/${m.mediatorId}/history` })).json().items.map((h: { status: string }) => h.status);
    t.same(history, ['accredited', 'suspended', 'accredited']);
    const mail = await ta.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, m.userId), eq(notifications.template, 'status_changed')));
    t.equal(mail.length, 2);
    t.equal((await req({ method: 'GET', url: '/v1/admin/mediators?status=accredited&body=cmc', token: comAdmin.token })).statusCode, 403);
  });
});
