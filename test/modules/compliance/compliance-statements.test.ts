import pg from 'pg';
import t from 'tap';
import { buildTestApp } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

/**
 * The job's statement count must not grow with the number of mediators: the same runs over 3 and
 * over 30 mediators issue exactly as many statements. Counted at the PostgreSQL driver.
 */
if (!process.env.TEST_DATABASE_URL) {
  t.pass('statement counting runs on PostgreSQL only (TEST_DATABASE_URL unset)');
} else {
  async function statementsPerRun(n: number) {
    let statements = 0;
    const counts: number[] = [];
    await t.test(`${n} mediators`, async (t) => {
      const ta = await buildTestApp(t, 'postgres');
      const registrar = await ta.staff('registrar');
      for (let i = 0; i < n; i++) {
        const m = await ta.mediator();
        await accredit(ta, m.mediatorId, { body: i % 2 ? 'com' : 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-06-01', complianceStartOn: '2025-04-01' });
      }
      const original = pg.Client.prototype.query;
      t.teardown(() => {
        pg.Client.prototype.query = original;
      });
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        statements++;
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof original;
      // 30 days before the end (reminders to all), the end (all in grace), then grace over (all lapse).
      for (const day of ['2026-03-01', '2026-04-01', '2026-05-31']) {
        ta.clock.set(`${day}T09:00:00Z`);
        statements = 0;
        const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: {} });
        t.equal(res.statusCode, 200);
        counts.push(statements);
      }
      t.match((await ta.request({ method: 'GET', url: '/v1/admin/jobs/runs', token: registrar.token })).json().items[0], { counts: { lapsed: n } });
    });
    return counts;
  }

  const small = await statementsPerRun(3);
  const large = await statementsPerRun(30);
  t.ok(
    small.every((c) => c > 0),
    `statements counted: ${small.join(', ')}`,
  );
  t.same(large, small, 'ten times the mediators, the same statements per run');
}
