import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import type { Test } from 'tap';
import { buildApp } from '../../../src/app.ts';
import { openDatabase } from '../../../src/db/client.ts';
import { buildTestApp, eachDatabase, JWT_SECRET, type TestApp } from '../../helpers/app.ts';
import { accredit, jobFootprint } from '../../helpers/compliance.ts';

/** Mediators on the register since before 2025 with nothing logged: all short at the first assessment. */
async function idleMediators(ta: TestApp, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await ta.mediator();
    await accredit(ta, m.mediatorId, { body: i % 2 ? 'com' : 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-06-01', complianceStartOn: '2025-04-01' });
    ids.push(m.mediatorId);
  }
  return ids;
}

async function separateInstance(t: Test, ta: TestApp) {
  const database = await openDatabase({ kind: 'postgres', url: ta.databaseUrl! });
  const app = await buildApp(ta.config, { database, jwtSecret: JWT_SECRET, clock: ta.clock });
  t.teardown(async () => {
    await app.close();
    await database.close();
  });
  return app;
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const run = (asOf: string, app = ta.app) => app.inject({ method: 'POST', url: '/v1/admin/jobs/compliance', headers: { authorization: `Bearer ${registrar.token}` }, payload: { asOf } });
  const ids = await idleMediators(ta, 12);
  ta.clock.set('2026-04-01T01:00:00Z');

  await t.test('two instances racing for one date make one run and one assessment per mediator', async (t) => {
    // On PostgreSQL the second instance has its own connection pool, as another process would.
    const sibling = ta.databaseUrl ? await separateInstance(t, ta) : await ta.sibling();
    const results = await Promise.all([run('2026-04-01'), run('2026-04-01', sibling), run('2026-04-01'), run('2026-04-01', sibling)]);
    t.same(
      results.map((r) => r.statusCode),
      [200, 200, 200, 200],
    );
    const fresh = results.map((r) => r.json()).filter((s) => !s.alreadyRun);
    t.equal(fresh.length, 1, 'exactly one caller did the work');
    t.equal(fresh[0].counts.inGrace, ids.length);
    t.ok(
      results.every((r) => r.json().id === fresh[0].id),
      'the others got the same run',
    );
    const perMediator = await queryRows<{ n: number }>(ta.database.db, sql`SELECT count(*)::int AS n FROM compliance_assessments GROUP BY mediator_id`);
    t.equal(perMediator.length, ids.length);
    t.ok(
      perMediator.every((r) => r.n === 1),
      'one assessment each',
    );
    const [runs] = await queryRows<{ n: number }>(ta.database.db, sql`SELECT count(*)::int AS n FROM job_runs WHERE as_of = '2026-04-01'`);
    t.equal(runs!.n, 1);
  });

  await t.test('a rerun is a no-op that returns the first summary', async (t) => {
    const before = await jobFootprint(ta);
    const first = (await ta.request({ method: 'GET', url: '/v1/admin/jobs/runs', token: registrar.token })).json().items[0];
    const again = await run('2026-04-01');
    t.equal(again.statusCode, 200);
    t.match(again.json(), { ...first, alreadyRun: true });
    t.same(await jobFootprint(ta), before, 'nothing written');
  });

  await t.test('runs go forward only and never into the future', async (t) => {
    const earlier = await run('2026-03-31');
    t.equal(earlier.statusCode, 409);
    const future = await run('2026-04-02');
    t.equal(future.statusCode, 422);
    t.equal(future.json().errors[0].field, 'asOf');
  });

  await t.test('a failure part way through leaves the database as it was; the next run completes', async (t) => {
    // Grace for the 2025 period ends on 2026-05-30: the run for 2026-05-31 lapses everyone, and
    // fails when it writes the status history, after assessments and mediators were updated.
    ta.clock.set('2026-05-31T09:00:00Z');
    await ta.database.db.execute(sql`CREATE FUNCTION refuse_history() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await ta.database.db.execute(sql`CREATE TRIGGER refuse_history BEFORE INSERT ON status_history FOR EACH ROW EXECUTE FUNCTION refuse_history()`);
    const before = await jobFootprint(ta);
    const failed = await run('2026-05-31');
    t.equal(failed.statusCode, 500);
    t.notMatch(failed.body, /injected/, 'internals stay out of the response');
    t.same(await jobFootprint(ta), before, 'no assessment, status, message, audit event or run was written');
    const [attempt] = await queryRows<{ error: string }>(ta.database.db, sql`SELECT error FROM job_runs WHERE as_of = '2026-05-31'`);
    t.match(attempt!.error, /injected failure/, 'the failed attempt is recorded with its error');

    await ta.database.db.execute(sql`DROP TRIGGER refuse_history ON status_history`);
    const rerun = await run('2026-05-31');
    t.equal(rerun.statusCode, 200);
    t.match(rerun.json(), { alreadyRun: false, counts: { nonCompliant: ids.length, lapsed: ids.length } });
    const after = await jobFootprint(ta);
    t.equal(after.lapsed, ids.length);
    t.equal(after.inGrace, 0);
    const runs = (await ta.request({ method: 'GET', url: '/v1/admin/jobs/runs', token: registrar.token })).json().items;
    t.match(runs.slice(0, 3), [
      { asOf: '2026-05-31', error: null },
      { asOf: '2026-05-31', error: /injected/, counts: null },
      { asOf: '2026-04-01', error: null },
    ]);
  });
});
