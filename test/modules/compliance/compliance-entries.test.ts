import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import { cpdEntries, practiceEntries } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

/** Year-end assessments against the default rule set, from logged entries. */
await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const db = ta.database.db;
  const fullYear = async (mediatorId: string, supervision = 0) => {
    await db.insert(cpdEntries).values([
      { mediatorId, date: '2025-05-10', hours: 5, category: 'course', sendSpecific: true, title: 'SEND law update' },
      { mediatorId, date: '2025-09-10', hours: 5, category: 'conference', sendSpecific: false, title: 'Mediation conference' },
    ]);
    await db
      .insert(practiceEntries)
      .values([
        { mediatorId, date: '2025-06-01', hours: 6, kind: 'send_mediation', outcome: 'agreement' },
        { mediatorId, date: '2025-11-01', hours: 5, kind: 'send_co_mediation', outcome: 'partial' },
        { mediatorId, date: '2026-01-15', hours: 4, kind: 'other_mediation' },
        ...(supervision ? [{ mediatorId, date: '2026-02-01', hours: supervision, kind: 'supervision_received' as const }] : []),
      ]);
  };
  const grandfathered = { route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01' } as const;

  const newRoute = await ta.mediator();
  await accredit(ta, newRoute.mediatorId, { body: 'cmc', route: 'standards_2024', firstAccreditedOn: '2025-10-01', complianceStartOn: '2025-10-01' });
  await db.insert(cpdEntries).values({ mediatorId: newRoute.mediatorId, date: '2025-11-10', hours: 5, category: 'course', sendSpecific: true, title: 'SEND course' });
  await db.insert(practiceEntries).values({ mediatorId: newRoute.mediatorId, date: '2026-01-10', hours: 7.5, kind: 'send_mediation', outcome: 'agreement' });
  const cmcFull = await ta.mediator();
  await accredit(ta, cmcFull.mediatorId, { body: 'cmc', ...grandfathered });
  await fullYear(cmcFull.mediatorId);
  const comShort = await ta.mediator();
  await accredit(ta, comShort.mediatorId, { body: 'com', ...grandfathered });
  await fullYear(comShort.mediatorId, 2);
  const catchUp = await ta.mediator();
  await accredit(ta, catchUp.mediatorId, { body: 'cmc', ...grandfathered });
  await fullYear(catchUp.mediatorId);
  await db.execute(sql`DELETE FROM cpd_entries WHERE mediator_id = ${catchUp.mediatorId} AND category = 'conference'`);

  const run = async (day: string) => {
    ta.clock.set(`${day}T02:00:00Z`);
    const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: {} });
    t.equal(res.statusCode, 200, `run ${day}`);
    return res.json();
  };
  const assessmentOf = async (mediatorId: string) =>
    (await ta.request({ method: 'GET', url: '/v1/admin/compliance?period=2025', token: registrar.token })).json().items.find((a: { mediatorId: string }) => a.mediatorId === mediatorId);

  t.match((await run('2026-04-01')).counts, { compliant: 2, inGrace: 2 });
  t.match(await assessmentOf(newRoute.mediatorId), { outcome: 'compliant', periodStart: '2025-10-01', periodEnd: '2026-03-31', deficits: [] }, 'new route: six months, pro-rated requirements met');
  t.match(await assessmentOf(cmcFull.mediatorId), { outcome: 'compliant', deficits: [] }, 'a CMC member needs no supervision');
  t.same((await assessmentOf(comShort.mediatorId)).deficits, [{ metric: 'supervision_hours', required: 4, achieved: 2, shortfall: 2 }], 'a CoM member short of supervision only');
  t.same((await assessmentOf(catchUp.mediatorId)).deficits, [{ metric: 'cpd_hours', required: 10, achieved: 5, shortfall: 5 }]);

  // Logged late during grace, dated inside the period: it counts at the next run. Others' periods
  // over the same dates are closed; only the mediator's own decides.
  const late = { date: '2026-03-20', hours: 5, category: 'peer_learning', sendSpecific: false, title: 'Peer group' };
  t.equal((await ta.request({ method: 'POST', url: '/v1/me/cpd', token: catchUp.token, payload: late })).statusCode, 201, 'logged in grace');
  const closed = await ta.request({ method: 'POST', url: '/v1/me/cpd', token: newRoute.token, payload: late });
  t.equal(closed.json().code, 'period-closed', 'not into a period its assessment closed');
  t.match((await run('2026-04-21')).counts, { compliant: 1, inGrace: 0 });
  t.match(await assessmentOf(catchUp.mediatorId), { outcome: 'compliant', closedAt: String });
  const [met] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${catchUp.userId} AND template = 'compliance_met'`);
  t.equal(met!.n, 1, 'told they now meet the requirements');
  t.equal((await assessmentOf(comShort.mediatorId)).outcome, 'in_grace', 'still short');
});
