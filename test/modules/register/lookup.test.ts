import { randomUUID } from 'node:crypto';
import t from 'tap';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase, testClock } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { clock: testClock('2026-12-02T10:00:00Z') });
  const { db } = ta.database;
  const lookup = (payload: unknown) => ta.request({ method: 'POST', url: '/v1/register/lookup', payload: payload as object });
  const [zoe, lapsed, removedLongAgo, ...many] = await insertEntries(db, [
    { fullName: 'Zoë Ellis', contactEmail: 'zoe@example.org', showEmail: true },
    { fullName: 'Lee Lapsed', body: 'cmc', status: 'lapsed', contactEmail: 'lee@example.org', showEmail: true },
    { fullName: 'Roy Removed' },
    ...Array.from({ length: 60 }, (_, i) => ({ fullName: `Mediator ${i}`, body: i % 2 ? ('cmc' as const) : ('com' as const) })),
  ]);
  await writeStatuses(db, [{ id: removedLongAgo!, from: 'accredited', to: 'removed', reason: 'secret', at: new Date('2020-03-01T12:00:00Z') }], { userId: null, role: 'registrar' }, new Date());
  const entry = async (id: string) => (await ta.request({ method: 'GET', url: `/v1/register/${id}` })).json();
  const lee = await entry(lapsed!);

  await t.test('one result per query, in order, by id or body and membership number', async (t) => {
    const unknown = randomUUID();
    const queries = [
      { id: zoe! },
      { body: 'cmc', membershipNumber: lee.membershipNumber },
      { id: unknown },
      { body: 'com', membershipNumber: lee.membershipNumber },
      { id: removedLongAgo! },
      { id: zoe! },
    ];
    const res = await lookup({ queries });
    t.equal(res.statusCode, 200);
    t.same(res.json(), {
      results: [
        { query: { id: zoe }, found: true, entry: await entry(zoe!) },
        { query: queries[1], found: true, entry: lee },
        { query: { id: unknown }, found: false },
        { query: queries[3], found: false },
        { query: { id: removedLongAgo }, found: false },
        { query: { id: zoe }, found: true, entry: await entry(zoe!) },
      ],
    });
    t.match(lee, { status: 'lapsed', contactEmail: null }, 'labelled, as the entry route shows it');
    t.equal((await ta.request({ method: 'GET', url: `/v1/register/${removedLongAgo}` })).statusCode, 410, 'gone there, not found here');
    t.notMatch(res.body, /secret|Roy/);
  });

  await t.test('with asOf, each entry’s status on that date', async (t) => {
    const res = await lookup({ queries: [{ id: lapsed! }, { id: zoe! }, { id: randomUUID() }], asOf: '2023-06-30' });
    t.equal(res.statusCode, 200);
    const [first, second, third] = res.json().results;
    t.same(
      first.statusOnDate,
      { id: lapsed, asOf: '2023-06-30', status: 'accredited', since: '2019-06-01', historyEntry: { status: 'accredited', date: '2019-06-01' } },
      'accredited then, lapsed now',
    );
    t.equal(first.entry.status, 'lapsed');
    t.same(second.statusOnDate.historyEntry, { status: 'accredited', date: '2019-06-01' });
    t.same(third, { query: third.query, found: false });
    const before = (await lookup({ queries: [{ id: zoe! }], asOf: '2019-05-31' })).json().results[0].statusOnDate;
    t.same(before, { id: zoe, asOf: '2019-05-31', status: 'not_registered', since: null, historyEntry: null });
    t.notOk('statusOnDate' in (await lookup({ queries: [{ id: zoe! }] })).json().results[0], 'only when asked');
  });

  await t.test('a full batch of 100 in one request', async (t) => {
    const queries = Array.from({ length: 100 }, (_, i) => ({ id: many[i % many.length]! }));
    const res = await lookup({ queries, asOf: '2026-12-02' });
    t.equal(res.statusCode, 200);
    const results = res.json().results;
    t.equal(results.length, 100);
    t.ok(
      results.every((r: { found: boolean; entry: { id: string }; statusOnDate: { status: string } }, i: number) => r.found && r.entry.id === queries[i]!.id && r.statusOnDate.status === 'accredited'),
      'each in its place',
    );
  });

  await t.test('bad batches: 400 naming the field', async (t) => {
    const field = async (payload: unknown) => {
      const res = await lookup(payload);
      t.equal(res.statusCode, 400);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      return res.json().errors[0].field;
    };
    t.equal(await field({ queries: Array.from({ length: 101 }, () => ({ id: zoe })) }), 'queries', '101 queries');
    t.equal(await field({ queries: [] }), 'queries', 'none');
    t.equal(await field({}), 'queries');
    t.match(await field({ queries: [{ id: 'not-a-uuid' }] }), /^queries/);
    t.match(await field({ queries: [{ body: 'xyz', membershipNumber: '1' }] }), /^queries/);
    t.match(await field({ queries: [{ id: zoe, body: 'com' }] }), /^queries/, 'one way of naming an entry per query');
    t.equal(await field({ queries: [{ id: zoe }], asOf: '2026-12-03' }), 'asOf', 'after today');
    t.equal(await field({ queries: [{ id: zoe }], asOf: '2026-02-30' }), 'asOf');
    t.equal(await field({ queries: [{ id: zoe }], extra: 1 }), 'extra');
    // JSON can carry half a surrogate pair (\ud800); PostgreSQL cannot read it (it was a 422 naming nothing).
    t.equal(await field({ queries: [{ body: 'com', membershipNumber: 'M\uD800' }] }), 'queries.0.membershipNumber', 'a lone surrogate');
  });
});
