import t from 'tap';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase, testClock } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { clock: testClock('2026-12-02T10:00:00Z') });
  const get = (url: string) => ta.request({ method: 'GET', url });
  const m = await ta.mediator('dated@example.org', 'Dee Dated');
  // Accredited on 1 June 2019, lapsed on 31 May 2025, reinstated on 15 September 2025.
  ta.clock.set('2019-06-01T09:00:00Z');
  await accredit(ta, m.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2019-06-01', complianceStartOn: '2020-04-01' });
  ta.clock.set('2026-12-02T10:00:00Z');
  await writeStatuses(
    ta.database.db,
    [{ id: m.mediatorId, from: 'accredited', to: 'lapsed', reason: 'secret: CPD short', at: new Date('2025-05-30T23:30:00Z') }],
    { userId: null, role: 'system' },
    ta.clock(),
  );
  await writeStatuses(
    ta.database.db,
    [{ id: m.mediatorId, from: 'lapsed', to: 'accredited', reason: 'secret', at: new Date('2025-09-15T08:00:00Z') }],
    { userId: null, role: 'registrar' },
    ta.clock(),
  );
  const never = await ta.mediator('never-dated@example.org', 'Nat Never');

  const on = async (asOf: string) => {
    const res = await get(`/v1/register/${m.mediatorId}/status?asOf=${asOf}`);
    t.equal(res.statusCode, 200, asOf);
    return res.json();
  };

  await t.test('the status in force at the end of each day, with the history entry that proves it', async (t) => {
    t.same(await on('2019-05-31'), { id: m.mediatorId, asOf: '2019-05-31', status: 'not_registered', since: null, historyEntry: null }, 'before the first accreditation');
    t.same(await on('2019-06-01'), { id: m.mediatorId, asOf: '2019-06-01', status: 'accredited', since: '2019-06-01', historyEntry: { status: 'accredited', date: '2019-06-01' } });
    t.match(await on('2025-05-30'), { status: 'accredited', since: '2019-06-01' }, 'the day before the lapse (London)');
    // 23:30 UTC on 30 May is 00:30 on 31 May in London (summer time): the lapse is a 31 May change.
    t.same(await on('2025-05-31'), { id: m.mediatorId, asOf: '2025-05-31', status: 'lapsed', since: '2025-05-31', historyEntry: { status: 'lapsed', date: '2025-05-31' } });
    t.match(await on('2025-09-14'), { status: 'lapsed', since: '2025-05-31' }, 'the day before reinstatement');
    t.match(await on('2025-09-15'), { status: 'accredited', since: '2025-09-15', historyEntry: { status: 'accredited', date: '2025-09-15' } }, 'the day of reinstatement');
    const history = (await get(`/v1/register/${m.mediatorId}/history`)).json().items;
    t.same((await on('2026-12-02')).historyEntry, history.at(-1), 'the proving entry is one of the public history');
  });

  await t.test('asOf: today when not given, never after today, a real date', async (t) => {
    t.match((await get(`/v1/register/${m.mediatorId}/status`)).json(), { asOf: '2026-12-02', status: 'accredited' });
    const future = await get(`/v1/register/${m.mediatorId}/status?asOf=2026-12-03`);
    t.equal(future.statusCode, 400);
    t.match(future.json(), { code: 'validation-failed', errors: [{ in: 'query', field: 'asOf' }] });
    for (const bad of ['2025-02-30', '31-05-2025', 'yesterday']) {
      const res = await get(`/v1/register/${m.mediatorId}/status?asOf=${bad}`);
      t.equal(res.statusCode, 400, bad);
      t.equal(res.json().errors[0].field, 'asOf');
    }
    t.equal((await get(`/v1/register/${m.mediatorId}/status?asOf=2025-01-01&x=1`)).statusCode, 400, 'unknown parameters refused');
  });

  await t.test('never on the register: 404, whatever the date', async (t) => {
    t.equal((await get(`/v1/register/${never.mediatorId}/status?asOf=2025-01-01`)).statusCode, 404);
    t.equal((await get('/v1/register/00000000-0000-4000-8000-000000000000/status')).statusCode, 404);
  });
});
