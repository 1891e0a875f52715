import t from 'tap';
import { PASSWORD, buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { completeDraft, reviewPanel } from '../../helpers/applications.ts';

const allMet = { membership: 'met', foundation_training: 'met', send_training: 'met', supported_practice: 'met', insurance: 'met', supervision: 'met', declaration: 'met' };
const PANEL_WORKING = ['verdicts', 'recommendation', 'assessmentNotes'];
const REVIEW_STATUSES = ['submitted', 'under_assessment', 'assessed', 'approved', 'rejected', 'returned', 'withdrawn'];

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { registrar, assessor, comAdmin, providerId } = await reviewPanel(ta);
  const staff = { assessor: assessor.token, admin: comAdmin.token, registrar: registrar.token };
  const get = (id: string, token: string) => ta.request({ method: 'GET', url: `/v1/applications/${id}`, token });
  const queueIds = async (token: string, query = '') => {
    const res = await ta.request({ method: 'GET', url: `/v1/review/applications?limit=100${query}`, token });
    if (res.statusCode !== 200) throw new Error(res.body);
    return res.json().items.map((a: { id: string }) => a.id) as string[];
  };
  const assess = (id: string, payload: object) => ta.request({ method: 'POST', url: `/v1/review/applications/${id}/assessment`, token: assessor.token, payload });
  const decide = (id: string, payload: object) => ta.request({ method: 'POST', url: `/v1/review/applications/${id}/decision`, token: comAdmin.token, payload });

  await t.test('the review queue never holds drafts', async (t) => {
    const draft = await completeDraft(ta, providerId);
    const abandoned = await completeDraft(ta, providerId);
    t.equal((await ta.request({ method: 'POST', url: `/v1/applications/${abandoned.id}/withdraw`, token: abandoned.mediator.token })).json().status, 'withdrawn');
    const sent = await completeDraft(ta, providerId);
    await sent.submit();
    const sentThenWithdrawn = await completeDraft(ta, providerId);
    await sentThenWithdrawn.submit();
    await ta.request({ method: 'POST', url: `/v1/applications/${sentThenWithdrawn.id}/withdraw`, token: sentThenWithdrawn.mediator.token });

    for (const [who, token] of Object.entries(staff)) {
      const asked = await ta.request({ method: 'GET', url: '/v1/review/applications?status=draft', token });
      t.equal(asked.statusCode, 400, `${who}: status=draft is refused`);
      t.match(asked.headers['content-type'], /^application\/problem\+json/);
      const error = asked.json().errors.find((e: { field: string }) => e.field === 'status');
      t.ok(error, `${who}: names the status field`);
      for (const s of REVIEW_STATUSES) t.match(error.message, s, `${who}: lists ${s} as allowed`);
      t.notMatch(error.message, /draft/, `${who}: and not draft`);

      const listed = await queueIds(token);
      t.ok(listed.includes(sent.id), `${who}: a submitted application is listed`);
      t.ok(listed.includes(sentThenWithdrawn.id), `${who}: so is one withdrawn after it was submitted`);
      t.notOk(listed.includes(draft.id), `${who}: a draft is not`);
      t.notOk(listed.includes(abandoned.id), `${who}: nor a draft withdrawn without being submitted`);
      t.notOk((await queueIds(token, '&status=withdrawn')).includes(abandoned.id), `${who}: not even among the withdrawn`);

      t.equal((await get(draft.id, token)).statusCode, 404, `${who}: reading a draft`);
      t.equal((await get(abandoned.id, token)).statusCode, 404, `${who}: reading a withdrawn draft`);
      t.equal((await get(sentThenWithdrawn.id, token)).statusCode, 200, `${who}: reading one withdrawn after submission`);
    }
    t.equal((await get(draft.id, draft.mediator.token)).statusCode, 200, 'its applicant reads their draft');
    t.equal((await get(abandoned.id, abandoned.mediator.token)).statusCode, 200, 'and their withdrawn one');
  });

  await t.test('a returned application stays in front of staff while the applicant fixes it', async (t) => {
    const app = await completeDraft(ta, providerId);
    await app.submit();
    await assess(app.id, { verdicts: { ...allMet, insurance: 'not_met' }, recommendation: 'return', notes: 'Insurance schedule missing' });
    t.equal((await decide(app.id, { outcome: 'returned', reasons: 'Please upload your insurance schedule.' })).statusCode, 200);
    const edit = await ta.request({
      method: 'PUT',
      url: `/v1/applications/${app.id}/criteria/insurance`,
      token: app.mediator.token,
      payload: { insurer: 'Better Insure', coverGbp: 1_000_000, expiresOn: '2026-05-31' },
    });
    t.equal(edit.statusCode, 200, 'the applicant edits it');
    for (const [who, token] of Object.entries(staff)) {
      t.ok((await queueIds(token)).includes(app.id), `${who}: in the queue`);
      t.ok((await queueIds(token, '&status=returned')).includes(app.id), `${who}: under returned`);
      const read = await get(app.id, token);
      t.equal(read.statusCode, 200, `${who}: reads it`);
      t.match(
        read.json(),
        { status: 'returned', decisionReasons: 'Please upload your insurance schedule.', recommendation: 'return', assessmentNotes: 'Insurance schedule missing', verdicts: { insurance: 'not_met' } },
        `${who}: all of it`,
      );
    }
  });

  await t.test('the applicant never sees the panel’s verdicts, recommendation or notes', async (t) => {
    const app = await completeDraft(ta, providerId);
    const owner = app.mediator.token;
    const hidden = (body: Record<string, unknown>, what: string) => {
      for (const key of PANEL_WORKING) t.notOk(key in body, `${what}: no ${key}`);
    };
    hidden((await get(app.id, owner)).json(), 'draft');
    hidden((await app.submit()).json(), 'the submission’s answer');

    await assess(app.id, { verdicts: { membership: 'met', insurance: 'not_met' }, recommendation: 'reject', notes: 'Cover looks forged; check with the insurer' });
    const working = (await get(app.id, owner)).json();
    t.equal(working.status, 'under_assessment', 'the applicant sees where it is');
    hidden(working, 'under assessment');
    t.match(
      (await get(app.id, assessor.token)).json(),
      { verdicts: { membership: 'met', insurance: 'not_met' }, recommendation: 'reject', assessmentNotes: 'Cover looks forged; check with the insurer' },
      'the assessor sees them',
    );

    await assess(app.id, { verdicts: { ...allMet, insurance: 'not_met' }, recommendation: 'return', notes: 'Ask for the schedule' });
    hidden((await get(app.id, owner)).json(), 'assessed, before the decision');

    await decide(app.id, { outcome: 'returned', reasons: 'Please upload your insurance schedule.' });
    const returned = (await get(app.id, owner)).json();
    t.match(returned, { status: 'returned', decisionReasons: 'Please upload your insurance schedule.' }, 'the decision and its reasons are shown');
    hidden(returned, 'returned');
    const edited = await ta.request({
      method: 'PUT',
      url: `/v1/applications/${app.id}/criteria/insurance`,
      token: owner,
      payload: { insurer: 'Better Insure', coverGbp: 1_000_000, expiresOn: '2026-05-31' },
    });
    hidden(edited.json(), 'the edit’s answer');
    await app.submit();
    await assess(app.id, { verdicts: allMet, recommendation: 'approve', notes: 'Fine now' });
    await decide(app.id, { outcome: 'approved' });
    const approved = (await get(app.id, owner)).json();
    t.equal(approved.status, 'approved');
    hidden(approved, 'approved');
    t.match((await get(app.id, comAdmin.token)).json(), { recommendation: 'approve', assessmentNotes: 'Fine now', verdicts: allMet }, 'staff still see everything');
  });

  await t.test('an applicant who joins the staff reads their own application as its applicant', async (t) => {
    const app = await completeDraft(ta, providerId);
    await app.submit();
    await assess(app.id, { verdicts: { membership: 'met' }, recommendation: 'approve', notes: 'Promising' });
    await ta.request({ method: 'PUT', url: `/v1/admin/users/${app.mediator.userId}/role`, token: registrar.token, payload: { role: 'assessor', reason: 'joins the panel' } });
    const token = (await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: app.mediator.email, password: PASSWORD } })).json().accessToken as string;
    const own = await get(app.id, token);
    t.equal(own.statusCode, 200);
    for (const key of PANEL_WORKING) t.notOk(key in own.json(), `read: no ${key}`);
    const listed = (await ta.request({ method: 'GET', url: '/v1/review/applications?limit=100', token })).json().items.find((a: { id: string }) => a.id === app.id);
    t.ok(listed, 'in the queue they now read');
    for (const key of PANEL_WORKING) t.notOk(key in listed, `queue: no ${key}`);
    t.match(
      (await ta.request({ method: 'GET', url: '/v1/review/applications?limit=100', token: assessor.token })).json().items.find((a: { id: string }) => a.id === app.id),
      { recommendation: 'approve' },
      'other staff see the working',
    );
  });

  await t.test('the OpenAPI document says who sees what', async (t) => {
    const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
    const schema = doc.components.schemas.Application;
    t.match(schema.description, /applicant/);
    for (const key of PANEL_WORKING) {
      t.match(schema.properties[key].description, /absent when the applicant reads/, `${key} documented as staff only`);
      t.notOk((schema.required ?? []).includes(key), `${key} not required`);
    }
    t.match(doc.paths['/v1/applications/{id}'].get.description, /not the assessment panel/);
    const status = doc.paths['/v1/review/applications'].get.parameters.find((p: { name: string }) => p.name === 'status');
    t.notOk(status.schema.enum.includes('draft'), 'the queue’s statuses do not include draft');
  });
});
