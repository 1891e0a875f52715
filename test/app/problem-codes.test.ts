import { readFileSync } from 'node:fs';
import t from 'tap';
import { HttpProblem, PROBLEM_CODES, PROBLEMS, problem, STATUS_TITLES } from '../../src/errors.ts';
import { problemBody } from '../../src/plugins/errors.ts';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';

t.test('the catalogue: one status per code, the type from the code, the title from the status', async (t) => {
  t.ok(PROBLEM_CODES.length >= 40, `${PROBLEM_CODES.length} codes`);
  for (const code of PROBLEM_CODES) {
    t.match(code, /^[a-z]+(-[a-z]+)*$/, `${code} is kebab-case`);
    const p = problem(code, 'why');
    t.ok(p instanceof HttpProblem && p instanceof Error, `${code} is an HttpProblem`);
    t.equal(p.status, PROBLEMS[code].status);
    t.equal(p.type, `/problems/${code}`);
    t.equal(p.title, STATUS_TITLES[p.status]);
  }
  t.same(problemBody(problem('period-closed', 'The period is closed.', [{ in: 'body', field: 'date', message: 'in a closed period' }])), {
    type: '/problems/period-closed',
    code: 'period-closed',
    status: 409,
    title: 'Conflict',
    detail: 'The period is closed.',
    errors: [{ in: 'body', field: 'date', message: 'in a closed period' }],
  });
  t.notOk('errors' in problemBody(problem('not-found', 'gone')), 'no errors member unless there are some');
  const passedOn = new HttpProblem('request-error', 'odd', { status: 418 });
  t.same([passedOn.status, passedOn.title], [418, 'Request Error'], 'request-error keeps the HTTP layer’s status');
});

t.test('docs/api.md lists every code with its status, and nothing else', async (t) => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z-]+)` \| (\d{3}|4xx) \|/gm)].map(([, code, status]) => [code, status]);
  t.same(
    rows,
    PROBLEM_CODES.map((code) => [code, code === 'request-error' ? '4xx' : String(PROBLEMS[code].status)]),
  );
});

t.test('representative failures carry their code and type', (t) =>
  eachDatabase(t, async (t, kind) => {
    const ta = await buildTestApp(t, kind);
    const expect = (res: { statusCode: number; headers: Record<string, unknown>; json(): { code: string; type: string; status: number } }, status: number, code: string) => {
      t.equal(res.statusCode, status, code);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.match(res.json(), { code, type: `/problems/${code}`, status });
    };
    expect(await ta.request({ method: 'GET', url: '/v1/nowhere' }), 404, 'not-found');
    expect(await ta.request({ method: 'GET', url: '/v1/me' }), 401, 'unauthorized');
    expect(await ta.request({ method: 'POST', url: '/v1/auth/login', payload: {} }), 400, 'validation-failed');
    expect(await ta.request({ method: 'POST', url: '/v1/auth/login', payload: '<x/>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported-media-type');
    expect(await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'nobody@example.org', password: 'not the password at all' } }), 401, 'invalid-credentials');
    expect(await ta.request({ method: 'GET', url: '/v1/register?cursor=nonsense' }), 400, 'invalid-cursor');

    const mediator = await ta.mediator();
    expect(await ta.request({ method: 'GET', url: '/v1/admin/users', token: mediator.token }), 403, 'forbidden');
    const registrar = await ta.staff('registrar');
    expect(
      await ta.request({ method: 'PUT', url: `/v1/admin/users/${registrar.userId}/role`, token: registrar.token, payload: { role: 'assessor', reason: 'trying my own' } }),
      409,
      'own-account-change',
    );

    const row = { fullName: 'Odd Row', email: 'odd@example.org', membershipNumber: 'COM-9', firstAccreditedOn: '2018-12-01', regions: ['london'], languages: ['en'], shoeSize: 9 };
    const refused = await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: [row] });
    expect(refused, 422, 'import-refused');
    t.match(refused.json(), { title: 'Unprocessable Content', written: false, counts: { rows: 1, error: 1 }, errors: [{ line: 1, field: 'shoeSize' }] }, 'with the report');
  }),
);
