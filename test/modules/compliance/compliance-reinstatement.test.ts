import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

/**
 * A period that ended while the entry was off the register is not assessed after reinstatement:
 * assessing it then, with its grace long gone, would lapse the mediator again on the next run.
 */
await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const registrar = await ta.staff('registrar');
  const at = (day: string) => ta.clock.set(`${day}T09:00:00Z`);
  const run = async (asOf: string) => {
    at(asOf);
    const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf } });
    t.equal(res.statusCode, 200, `run for ${asOf}`);
    return res.json() as { counts: Record<string, number> };
  };
  const status = async () => (await queryRows<{ status: string }>(db, sql`SELECT status FROM mediators WHERE id = ${m.mediatorId}`))[0]!.status;
  const periods = async () =>
    await queryRows<{ periodStart: string; outcome: string }>(
      db,
      sql`SELECT period_start AS "periodStart", outcome FROM compliance_assessments WHERE mediator_id = ${m.mediatorId} ORDER BY period_start`,
    );

  at('2025-03-01');
  const m = await ta.mediator();
  await accredit(ta, m.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-06-01', complianceStartOn: '2025-04-01' });

  await run('2026-04-01');
  await run('2026-05-31');
  t.equal(await status(), 'lapsed', 'nothing logged for 2025-26: lapsed when grace ended');

  // Off the register for the whole of 2026-27; back after that period's grace would have ended.
  at('2027-06-15');
  const back = await ta.request({
    method: 'POST',
    url: `/v1/admin/mediators/${m.mediatorId}/status`,
    token: registrar.token,
    payload: { status: 'accredited', reason: 'Missing CPD completed and evidenced' },
  });
  t.equal(back.statusCode, 200);

  const next = await run('2027-06-16');
  t.match(next.counts, { compliant: 0, inGrace: 0, nonCompliant: 0, lapsed: 0 });
  t.equal(await status(), 'accredited', 'not lapsed again for a year spent off the register');
  t.same(await periods(), [{ periodStart: '2025-04-01', outcome: 'non_compliant' }], '2026-27 is not assessed');

  const yearEnd = await run('2028-04-01');
  t.match(yearEnd.counts, { inGrace: 1 }, 'the year they returned in is assessed as usual');
  t.same(
    (await periods()).map((p) => p.periodStart),
    ['2025-04-01', '2027-04-01'],
  );
  t.equal(await status(), 'accredited');
});
