import t from 'tap';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';
import { approvedProvider, completeDraft } from '../helpers/applications.ts';
import { accredit } from '../helpers/compliance.ts';

type Caller = 'anonymous' | 'mediator' | 'assessor' | 'admin' | 'registrar';

/** What a key part may legitimately hold beyond the types checked strictly (dates, times, ids, whole numbers). */
const text =
  (max = Infinity) =>
  (v: unknown) =>
    typeof v === 'string' && !v.includes('\u0000') && v.length <= max;
const score = (v: unknown) => typeof v === 'number' && v >= 0;

/**
 * Every list that takes `?cursor=`, with a caller allowed to read it and, for its key, the parts
 * that are free text or a score (by position): every other part only takes the one type it is.
 */
const LISTS: { url: string; who: Caller; loose?: Record<number, (v: unknown) => boolean>; similar?: true }[] = [
  { url: '/v1/me/cpd', who: 'mediator' },
  { url: '/v1/me/practice', who: 'mediator' },
  { url: '/v1/review/applications', who: 'assessor' },
  { url: '/v1/admin/training-providers', who: 'assessor', loose: { 0: text(200) } },
  { url: '/v1/admin/mediators', who: 'admin', loose: { 0: text() } },
  { url: '/v1/admin/compliance', who: 'admin' },
  { url: '/v1/admin/jobs/runs', who: 'admin' },
  { url: '/v1/admin/notifications', who: 'registrar' },
  { url: '/v1/admin/users', who: 'registrar', loose: { 0: text(254) } },
  { url: '/v1/admin/audit', who: 'registrar' },
  { url: '/v1/admin/settings/versions', who: 'registrar' },
  { url: '/v1/register', who: 'anonymous', loose: { 1: text() } },
  { url: '/v1/register?q=cursor', who: 'anonymous', loose: { 1: score, 2: text() } },
  { url: '/v1/register?q=cursorr', who: 'anonymous', loose: { 1: score, 2: text() }, similar: true },
];

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const keyOf = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
/** As long as a string can be, `arity` times over, for the cursor to stay within the 512 characters the query allows. */
const huge = (arity: number) => 'x'.repeat(Math.floor((384 - 2 - (arity - 1)) / arity) - 2);

/** Values a crafted key part may hold: wrong types, values PostgreSQL would refuse, and near misses of the real formats. */
const hostile = (arity: number): unknown[] => [
  'not-a-date',
  1e308,
  -1,
  0.5,
  null,
  true,
  {},
  [],
  '0000-01-01',
  '0000-01-01T00:00:00.000Z',
  '2025-02-30',
  '2025-02-30 10:00:00.123456+00',
  '2025-06-02 10:00:00.123456+99',
  'a\u0000b',
  huge(arity),
];

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000' } });
  const registrar = await ta.staff('registrar');
  const assessor = await ta.staff('assessor');
  const admin = await ta.staff('admin', 'com');

  const ok = async (res: Promise<{ statusCode: number; body: string }>, status = 200) => {
    const r = await res;
    if (r.statusCode !== status) throw new Error(`setup: ${r.statusCode} ${r.body}`);
  };

  // At least two of everything each list shows, so that each has a next page. The job runs while
  // their first period is in grace, so that they stay on the register.
  const people = [await ta.mediator(undefined, 'Cursor One'), await ta.mediator(undefined, 'Cursor Two'), await ta.mediator(undefined, 'Cursor Three')];
  for (const m of people) await accredit(ta, m.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
  const mediator = people[0]!;
  for (const date of ['2025-05-10', '2025-05-11']) {
    await ok(ta.request({ method: 'POST', url: '/v1/me/cpd', token: mediator.token, payload: { date, hours: 2, category: 'course', sendSpecific: true, title: 'SEND law update' } }), 201);
    await ok(ta.request({ method: 'POST', url: '/v1/me/practice', token: mediator.token, payload: { date, hours: 2, kind: 'send_mediation', outcome: 'agreement' } }), 201);
  }
  const providerId = await approvedProvider(ta, registrar.token);
  await ok(ta.request({ method: 'POST', url: '/v1/admin/training-providers', token: registrar.token, payload: { name: 'Another Provider', approvedFrom: '2024-01-01' } }), 201);
  for (let i = 0; i < 2; i++) await ok((await completeDraft(ta, providerId)).submit());
  for (const asOf of ['2025-04-15', '2025-04-16']) await ok(ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf } }));
  const settings = (await ta.request({ method: 'GET', url: '/v1/admin/settings', token: registrar.token })).json();
  await ok(
    ta.request({
      method: 'PUT',
      url: '/v1/admin/settings',
      token: registrar.token,
      payload: { applicationThresholds: { ...settings.applicationThresholds, foundationHours: 41 }, grandfatheringComplianceStart: settings.grandfatheringComplianceStart, reason: 'A second version' },
    }),
  );

  const tokens: Record<Caller, string | undefined> = { anonymous: undefined, mediator: mediator.token, assessor: assessor.token, admin: admin.token, registrar: registrar.token };
  const page = (url: string, who: Caller, query: string) => ta.request({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}${query}`, token: tokens[who] });

  await t.test('the table lists every list endpoint', async (t) => {
    const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
    const withCursor = Object.entries(doc.paths as Record<string, { get?: { parameters?: { name: string; in: string }[]; responses: Record<string, { content?: object }> } }>)
      .filter(([, ops]) => ops.get?.parameters?.some((p) => p.in === 'query' && p.name === 'cursor') && ops.get.responses['200']?.content && 'application/json' in ops.get.responses['200'].content)
      .map(([path]) => path);
    t.same([...new Set(LISTS.map((l) => l.url.split('?')[0]))].sort(), withCursor.sort());
  });

  for (const list of LISTS) {
    await t.test(`${list.url} as ${list.who}`, async (t) => {
      const first = await page(list.url, list.who, 'limit=1');
      t.equal(first.statusCode, 200, `the first page: ${first.body.slice(0, 200)}`);
      const { items, nextCursor } = first.json();
      t.type(nextCursor, 'string', 'there is a next page');
      if (list.similar) t.equal(first.json().match, 'similar', 'near misses: the key carries a similarity');
      const next = await page(list.url, list.who, `limit=1&cursor=${nextCursor}`);
      t.equal(next.statusCode, 200, 'the cursor it gave works');
      t.equal(next.json().items.length, 1);
      t.not(JSON.stringify(next.json().items[0]), JSON.stringify(items[0]), 'and moves on');

      const key = keyOf(nextCursor);
      const crafted: [string, string, number][] = [
        ...[['not-a-date', 'x'], [1e308, 'zz'], Array(key.length).fill(huge(key.length)), key.slice(1), [...key, key.at(-1)], {}, 'just a string', null].map((k): [string, string, number] => [
          JSON.stringify(k).slice(0, 60),
          cursorOf(k),
          400,
        ]),
        ['not base64url JSON', 'nonsense!', 400],
        ['truncated JSON', Buffer.from('["2025-').toString('base64url'), 400],
      ];
      key.forEach((_, i) => {
        for (const v of hostile(key.length)) {
          const accepted = list.loose?.[i]?.(v) ?? false;
          crafted.push([`part ${i} = ${JSON.stringify(v).slice(0, 40)}`, cursorOf(key.with(i, v)), accepted ? 200 : 400]);
        }
      });
      const wrong: string[] = [];
      for (const [what, cursor, status] of crafted) {
        const res = await page(list.url, list.who, `limit=1&cursor=${encodeURIComponent(cursor)}`);
        if (res.statusCode !== status) {
          wrong.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          continue;
        }
        if (status !== 400) continue;
        const problem = res.json();
        if (
          !/^application\/problem\+json/.test(String(res.headers['content-type'])) ||
          problem.status !== 400 ||
          !problem.errors?.some((e: { in: string; field: string }) => e.in === 'query' && e.field === 'cursor')
        ) {
          wrong.push(`${what}: not a problem naming the cursor: ${res.body.slice(0, 200)}`);
        }
      }
      t.same(wrong, [], `${crafted.length} crafted cursors answered as expected, never 5xx`);
    });
  }

  await t.test('the search page says a crafted link has expired', async (t) => {
    const res = await ta.request({ method: 'GET', url: `/?q=cursor&cursor=${cursorOf(['not-a-date', 'x'])}` });
    t.ok(res.statusCode < 500, `${res.statusCode}`);
    t.match(res.body, 'That page link has expired');
  });
});
