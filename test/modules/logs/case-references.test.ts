import t from 'tap';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';
import { resolveRef, type JsonSchema } from '../../helpers/fuzz-arbitraries.ts';

// A case reference is a reference as case-management systems write them, never free text about a
// family: the examples from the rule, each sent through the API.
const practice = { date: '2025-05-12', hours: 2, kind: 'send_mediation', outcome: 'agreement' };
const ACCEPTED = [
  'SEND-2025-000123',
  'LA/123/45',
  'KCC2025_0042',
  'v2.1',
  `CASE-${'0'.repeat(35)}`, // 40 characters
  // Digits only: indistinguishable from a numeric case number, so taken as one.
  '07700900123',
];
const REFUSED: Array<[string, string]> = [
  ['a name', 'Jamie Thompson'],
  ['a name and a school year', 'Olivia Bennett Y6'],
  ['a first name alone (no digit)', 'Jamie'],
  ['an email', 'jamie@example.org'],
  ['a phone number with a space', '07700 900123'],
  ['an international phone number', '+44 7700 900123'],
  ['an international phone number without spaces', '+447700900123'],
  ['a phone number in brackets', '(020)79460958'],
  ['a reference with a name after it', 'LA/123/45 Jamie'],
  ['41 characters', `CASE-${'0'.repeat(36)}`],
  ['empty', ''],
];
const RULE = /case number.*never a child's or family's name/i;

await eachDatabase(t, async (t, kind) => {
  // Test clock: 2 June 2025.
  const ta = await buildTestApp(t, kind);
  const me = await ta.mediator();
  await accredit(ta, me.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
  const post = (caseReference: unknown) => ta.request({ method: 'POST', url: '/v1/me/practice', token: me.token, payload: { ...practice, caseReference } });
  const patch = (id: string, caseReference: unknown) => ta.request({ method: 'PATCH', url: `/v1/me/practice/${id}`, token: me.token, payload: { caseReference } });

  await t.test('accepted: case numbers as systems write them', async (t) => {
    for (const ref of ACCEPTED) {
      const res = await post(ref);
      t.equal(res.statusCode, 201, `${ref}: ${res.body}`);
      t.equal(res.json().caseReference, ref, `${ref} stored as sent`);
    }
    t.equal((await post(' LA/123/45 ')).json().caseReference, 'LA/123/45', 'surrounding spaces trimmed, as for other text');
    t.equal((await post(null)).json().caseReference, null, 'a case reference stays optional');
  });

  await t.test('refused with 400 naming the field, and the message says what to enter', async (t) => {
    const entry = (await post('LA/1')).json();
    for (const [name, ref] of REFUSED) {
      for (const [how, res] of [
        ['POST', await post(ref)],
        ['PATCH', await patch(entry.id, ref)],
      ] as const) {
        t.equal(res.statusCode, 400, `${how} ${name}`);
        t.match(res.headers['content-type'], /^application\/problem\+json/);
        t.match(res.json().errors?.[0], { in: 'body', field: 'caseReference', message: RULE }, `${how} ${name}: names the field and says why`);
      }
    }
    const after = await ta.request({ method: 'GET', url: '/v1/me/practice', token: me.token });
    t.equal(after.json().items.find((i: { id: string }) => i.id === entry.id).caseReference, 'LA/1', 'a refused change leaves the entry as it was');
    t.equal((await patch(entry.id, 'SEND-2025-000124')).json().caseReference, 'SEND-2025-000124', 'PATCH takes a case number');
  });

  await t.test('the rule is in the OpenAPI document: a pattern that agrees with the API', async (t) => {
    const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, method] of [
      ['/v1/me/practice', 'post'],
      ['/v1/me/practice/{id}', 'patch'],
    ] as const) {
      const body = resolveRef(doc, doc.paths[path][method].requestBody.content['application/json'].schema);
      const field = resolveRef(doc, (body.properties as Record<string, JsonSchema>).caseReference!);
      const text = (field.anyOf as JsonSchema[]).find((s) => s.type === 'string')!;
      t.match(text, { maxLength: 40, pattern: String, description: RULE }, `${method.toUpperCase()} ${path}`);
      const pattern = new RegExp(text.pattern as string, 'u'); // as JSON Schema validators compile it
      t.same(
        ACCEPTED.filter((ref) => !pattern.test(ref)),
        [],
        'every accepted example matches',
      );
      t.same(
        REFUSED.filter(([, ref]) => ref.length <= 40 && pattern.test(ref)),
        [],
        'no refused example within the length matches',
      );
    }
  });
});
