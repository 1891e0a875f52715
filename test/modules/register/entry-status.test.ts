import t from 'tap';
import { PublicEntryKeys } from '../../../schemas/register.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase, testClock } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';
import { insertEntries } from '../../helpers/entries.ts';

const CONTACTS = {
  organisation: 'Ellis Mediation',
  regions: ['london'],
  languages: ['en', 'cy'],
  contactEmail: 'sam@example.org',
  showEmail: true,
  contactPhone: '0207 000 0000',
  showPhone: true,
  website: 'https://sam.example.org',
  showWebsite: true,
};

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { clock: testClock('2026-12-02T10:00:00Z') });
  const { db } = ta.database;
  const get = (url: string) => ta.request({ method: 'GET', url });
  const registrar = await ta.staff('registrar');
  const changeStatus = async (id: string, status: string) => {
    const res = await ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/status`, token: registrar.token, payload: { status, reason: 'Secret internal reason' } });
    t.equal(res.statusCode, 200, `${status}: ${res.body}`);
  };

  // Through the real flows: onto the register, then suspended and lapsed by the registrar today.
  const suspended = await ta.mediator('suspended@example.org', 'Sam Suspended');
  const lapsed = await ta.mediator('lapsed@example.org', 'Lee Lapsed');
  const never = await ta.mediator('never@example.org', 'Nat Never');
  for (const m of [suspended, lapsed]) await accredit(ta, m.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2026-12-02', complianceStartOn: '2027-04-01' });
  await changeStatus(suspended.mediatorId, 'suspended');
  await changeStatus(lapsed.mediatorId, 'lapsed');
  // Written straight, with contact details, and removed on chosen days (the register keeps removed entries five years by default).
  const [accredited, lapsedWithContacts, removedRecently, removedFiveYearsAgo, removedLongAgo] = await insertEntries(db, [
    { fullName: 'Zoë Ellis', ...CONTACTS },
    { fullName: 'Pat Lapsed', ...CONTACTS, status: 'lapsed' },
    { fullName: 'Rae Removed', status: 'removed' },
    { fullName: 'Ray Removed', ...CONTACTS },
    { fullName: 'Roy Removed' },
  ]);
  await writeStatuses(
    db,
    [
      { id: removedFiveYearsAgo!, from: 'accredited', to: 'removed', reason: 'secret', at: new Date('2021-12-02T00:30:00Z') },
      // 23:30 UTC on 1 December is still 1 December in London (winter time): a day more than five years.
      { id: removedLongAgo!, from: 'accredited', to: 'removed', reason: 'secret', at: new Date('2021-12-01T23:30:00Z') },
    ],
    { userId: null, role: 'registrar' },
    new Date(),
  );

  await t.test('every entry ever on the register answers 200, labelled with its status', async (t) => {
    const cases = [
      [accredited, 'accredited', '2019-06-01'],
      [suspended.mediatorId, 'suspended', '2026-12-02'],
      [lapsed.mediatorId, 'lapsed', '2026-12-02'],
      [lapsedWithContacts, 'lapsed', '2024-01-10'],
      [removedRecently, 'removed', '2024-01-10'],
      [removedFiveYearsAgo, 'removed', '2021-12-02'],
    ] as const;
    for (const [id, status, since] of cases) {
      const res = await get(`/v1/register/${id}`);
      t.equal(res.statusCode, 200, `${status} since ${since}`);
      const body = res.json();
      t.same(Object.keys(body).sort(), [...PublicEntryKeys].sort(), 'the allow-list, nothing more');
      t.match(body, { id, status, statusSince: since });
      t.match(body.statusExplained, new RegExp(`^\\w.* ${Number(since.slice(8))} \\w+ ${since.slice(0, 4)}: `), 'explained, with the date');
      t.notMatch(res.body, /secret|Secret/, 'never a reason');
    }
  });

  await t.test('how to reach a mediator only while accredited', async (t) => {
    t.match((await get(`/v1/register/${accredited}`)).json(), {
      organisation: 'Ellis Mediation',
      regions: ['london'],
      languages: ['en', 'cy'],
      contactEmail: 'sam@example.org',
      contactPhone: '0207 000 0000',
      website: 'https://sam.example.org',
    });
    for (const id of [lapsedWithContacts, removedFiveYearsAgo]) {
      t.match((await get(`/v1/register/${id}`)).json(), { organisation: null, regions: [], languages: [], contactEmail: null, contactPhone: null, website: null });
    }
  });

  await t.test('never on the register: 404; removed more than the years kept: 410 with no details', async (t) => {
    t.equal((await get(`/v1/register/${never.mediatorId}`)).statusCode, 404, 'a profile never accredited');
    t.equal((await get('/v1/register/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    t.equal((await get('/v1/register/not-a-uuid')).statusCode, 400);
    for (const url of [`/v1/register/${removedLongAgo}`, `/v1/register/${removedLongAgo}/history`, `/v1/register/${removedLongAgo}/status?asOf=2020-01-01`]) {
      const res = await get(url);
      t.equal(res.statusCode, 410, url);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.same(Object.keys(res.json()).sort(), ['code', 'detail', 'status', 'title', 'type']);
      t.match(res.json(), { code: 'gone', status: 410 });
      t.notMatch(res.body, /Roy|Removed|2021/, 'nothing about the entry');
    }
  });

  await t.test('the years run on the injected clock', async (t) => {
    t.teardown(() => ta.clock.set('2026-12-02T10:00:00Z'));
    ta.clock.set('2026-12-03T10:00:00Z');
    t.equal((await get(`/v1/register/${removedFiveYearsAgo}`)).statusCode, 410, 'a day later, the entry removed on 2 December 2021 is gone too');
    t.equal((await get(`/v1/register/${removedRecently}`)).statusCode, 200);
  });

  await t.test('history of every entry in view: status and date only', async (t) => {
    const res = await get(`/v1/register/${lapsed.mediatorId}/history`);
    t.equal(res.statusCode, 200);
    t.same(res.json(), {
      items: [
        { status: 'accredited', date: '2026-12-02' },
        { status: 'lapsed', date: '2026-12-02' },
      ],
    });
    t.same((await get(`/v1/register/${removedFiveYearsAgo}/history`)).json().items, [
      { status: 'accredited', date: '2019-06-01' },
      { status: 'removed', date: '2021-12-02' },
    ]);
    t.equal((await get(`/v1/register/${never.mediatorId}/history`)).statusCode, 404);
  });

  await t.test('lookup by body and membership number: the same shape and rules', async (t) => {
    const entry = (await get(`/v1/register/${lapsedWithContacts}`)).json();
    const res = await get(`/v1/register/by-number/${entry.body}/${encodeURIComponent(entry.membershipNumber)}`);
    t.equal(res.statusCode, 200);
    t.same(res.json(), entry);
    t.equal((await get(`/v1/register/by-number/cmc/${encodeURIComponent(entry.membershipNumber)}`)).statusCode, 404, 'membership numbers are per body');
    t.equal((await get('/v1/register/by-number/com/NO-SUCH-NUMBER')).statusCode, 404);
    const gone = (await get(`/v1/register/${removedFiveYearsAgo}`)).json();
    ta.clock.set('2027-01-01T10:00:00Z');
    t.equal((await get(`/v1/register/by-number/${gone.body}/${encodeURIComponent(gone.membershipNumber)}`)).statusCode, 410);
    ta.clock.set('2026-12-02T10:00:00Z');
    const bad = await get('/v1/register/by-number/xyz/123');
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().errors[0].field, 'body');
    t.equal((await get(`/v1/register/by-number/com/${'9'.repeat(41)}`)).json().errors[0].field, 'membershipNumber');
  });
});
