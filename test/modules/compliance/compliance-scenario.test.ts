import { addDays, format, parseISO } from 'date-fns';
import t from 'tap';
import { queryRows, sql } from '../../../src/db/client.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { accredit, jobFootprint } from '../../helpers/compliance.ts';

/**
 * Two register years travelled through the API, the job run daily over the stretches where things
 * happen and skipped over the rest (so catching up from state is exercised too).
 */
await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const comAdmin = await ta.staff('admin', 'com');
  const db = ta.database.db;

  const exempt = await ta.mediator('exempt@example.org', 'Eve Exempt');
  const extended = await ta.mediator('extended@example.org', 'Ed Extended');
  const lapser = await ta.mediator('lapser@example.org', 'Lou Lapser');
  await accredit(ta, exempt.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01' });
  await accredit(ta, extended.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01' });
  await accredit(ta, lapser.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01' });

  const at = (day: string) => ta.clock.set(`${day}T02:00:00Z`);
  const runs: Record<string, { counts: Record<string, number>; remindersSent: number; alreadyRun: boolean }> = {};
  /** The schedule, day by day: each run for the clock's own London date. */
  async function runDaily(from: string, to: string) {
    for (let d = parseISO(from); format(d, 'yyyy-MM-dd') <= to; d = addDays(d, 1)) {
      const day = format(d, 'yyyy-MM-dd');
      at(day);
      const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: {} });
      if (res.statusCode !== 200) throw new Error(`run ${day}: ${res.statusCode} ${res.body}`);
      runs[day] = res.json();
    }
  }
  const messages = async (userId: string) =>
    (
      await queryRows<{ template: string; day: string }>(
        db,
        sql`SELECT template, data->>'periodEnd' AS day FROM notifications WHERE user_id = ${userId} AND template LIKE 'compliance%' ORDER BY created_at, id`,
      )
    ).map((r) => r.template);
  const assessment = async (mediatorId: string, periodStart = '2025-04-01') =>
    (await ta.request({ method: 'GET', url: `/v1/admin/compliance?period=${periodStart.slice(0, 4)}&limit=100`, token: registrar.token }))
      .json()
      .items.find((a: { mediatorId: string }) => a.mediatorId === mediatorId);
  const status = async (mediatorId: string) => (await queryRows<{ status: string }>(db, sql`SELECT status FROM mediators WHERE id = ${mediatorId}`))[0]!.status;
  const publicStatus = async (mediatorId: string) => {
    const res = await ta.request({ method: 'GET', url: `/v1/register/${mediatorId}` });
    return res.statusCode === 200 ? res.json().status : res.statusCode;
  };

  await t.test('during the year: an exemption decided in advance, reminders to those behind', async (t) => {
    at('2025-12-01');
    const ex = await ta.request({
      method: 'POST',
      url: `/v1/admin/mediators/${exempt.mediatorId}/exemptions`,
      token: registrar.token,
      payload: { period: 2025, kind: 'exemption', reason: 'Parental leave, June 2025 to March 2026' },
    });
    t.equal(ex.statusCode, 201);
    t.equal(ex.json().assessment, null, 'not assessed yet: the job will apply it');

    await runDaily('2026-01-28', '2026-03-31');
    t.equal(runs['2026-01-29']!.remindersSent, 0, '61 days before the end: nothing yet');
    t.equal(runs['2026-01-30']!.remindersSent, 2, '60 days before: the two behind');
    t.equal(runs['2026-01-31']!.remindersSent, 0, 'each offset once');
    t.equal(runs['2026-03-01']!.remindersSent, 2, '30 days before');
    t.equal(runs['2026-03-24']!.remindersSent, 2, '7 days before');
    t.same(await messages(lapser.userId), ['compliance_reminder', 'compliance_reminder', 'compliance_reminder']);
    t.same(await messages(exempt.userId), ['compliance_exempted'], 'told of the exemption; no reminders for an exempt period');
    const [keys] = await queryRows<{ keys: string[] }>(
      db,
      sql`SELECT array_agg(dedupe_key ORDER BY dedupe_key) AS keys FROM notifications WHERE user_id = ${lapser.userId} AND template = 'compliance_reminder'`,
    );
    t.same(keys!.keys, [`reminder:${lapser.mediatorId}:2025-04-01:30`, `reminder:${lapser.mediatorId}:2025-04-01:60`, `reminder:${lapser.mediatorId}:2025-04-01:7`]);
  });

  await t.test('the year ends: assessed on 1 April', async (t) => {
    await runDaily('2026-04-01', '2026-04-01');
    t.match(runs['2026-04-01']!.counts, { exempt: 1, inGrace: 2, compliant: 0, nonCompliant: 0 });
    t.match(await assessment(exempt.mediatorId), { outcome: 'exempt', closedAt: String, graceEndsOn: null });
    t.match(await assessment(lapser.mediatorId), { outcome: 'in_grace', periodEnd: '2026-03-31', graceEndsOn: '2026-05-30', closedAt: null });
    t.ok((await assessment(lapser.mediatorId)).deficits.length > 0, 'deficits listed');
    t.equal((await messages(lapser.userId)).at(-1), 'compliance_in_grace');
  });

  await t.test('grace: an extension, a reminder before grace ends, lapse at its end', async (t) => {
    at('2026-05-01');
    const ext = await ta.request({
      method: 'POST',
      url: `/v1/admin/mediators/${extended.mediatorId}/exemptions`,
      token: comAdmin.token,
      payload: { period: 2025, kind: 'extension', until: '2026-07-31', reason: 'Illness, March to May 2026' },
    });
    t.equal(ext.statusCode, 201);

    t.equal(await publicStatus(lapser.mediatorId), 'accredited', 'on the public register while in grace');
    await runDaily('2026-05-02', '2026-06-02');
    t.equal(runs['2026-05-16']!.remindersSent, 1, 'the grace reminder 14 days before it ends (not to the extended one)');
    t.match(runs['2026-05-31']!.counts, { nonCompliant: 1, lapsed: 1 });
    t.match(await assessment(lapser.mediatorId), { outcome: 'non_compliant', closedAt: String });
    t.equal(await status(lapser.mediatorId), 'lapsed');
    t.equal(await status(extended.mediatorId), 'accredited', 'the extension holds');
    t.same((await messages(lapser.userId)).slice(-2), ['compliance_grace_reminder', 'compliance_lapsed']);
    t.equal(await publicStatus(lapser.mediatorId), 'lapsed', 'still findable, labelled lapsed');
    const [audit] = await queryRows<{ actor_type: string; after: { status: string } }>(
      db,
      sql`SELECT actor_type, after FROM audit_events WHERE action = 'mediator.status_changed' AND entity_id = ${lapser.mediatorId}`,
    );
    t.match(audit, { actor_type: 'system', after: { status: 'lapsed' } }, 'audited as the system');
    const [row] = await queryRows<{ reason: string; actor_role: string }>(db, sql`SELECT reason, actor_role FROM status_history WHERE mediator_id = ${lapser.mediatorId} AND to_status = 'lapsed'`);
    t.match(row, { actor_role: 'system', reason: /not met/ });
  });

  await t.test('after the extension: a reminder, then lapse the day after it ends', async (t) => {
    await runDaily('2026-07-16', '2026-08-02');
    t.equal(runs['2026-07-17']!.remindersSent, 1, '14 days before the extended end');
    t.equal(await status(extended.mediatorId), 'lapsed');
    t.match(runs['2026-08-01']!.counts, { nonCompliant: 1, lapsed: 1 });
  });

  await t.test('reinstated, and the second year caught up after months without a run', async (t) => {
    at('2026-09-01');
    const back = await ta.request({
      method: 'POST',
      url: `/v1/admin/mediators/${lapser.mediatorId}/status`,
      token: registrar.token,
      payload: { status: 'accredited', reason: 'Missing CPD completed and evidenced' },
    });
    t.equal(back.statusCode, 200, 'an admin reinstates the lapsed entry');
    t.equal(await publicStatus(lapser.mediatorId), 'accredited', 'accredited again on the public register');

    await runDaily('2027-03-30', '2027-04-01');
    t.equal(runs['2027-03-30']!.remindersSent, 2, 'the first run in months sends the nearest reminder only, to those accredited and behind');
    t.equal(runs['2027-03-31']!.remindersSent, 0);
    t.match(runs['2027-04-01']!.counts, { inGrace: 2, compliant: 0, exempt: 0 }, 'the exemption was for one year only; the lapsed entry is not assessed');
    t.match(await assessment(exempt.mediatorId, '2026-04-01'), { outcome: 'in_grace', periodStart: '2026-04-01', graceEndsOn: '2027-05-30' });
    t.equal(await assessment(extended.mediatorId, '2026-04-01'), undefined);
  });

  await t.test('reruns change nothing', async (t) => {
    const before = await jobFootprint(ta);
    for (const day of ['2026-04-01', '2026-05-31', '2027-04-01']) {
      const res = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: day } });
      t.equal(res.statusCode, 200);
      t.match(res.json(), { asOf: day, alreadyRun: true, counts: runs[day]!.counts }, `${day}: the first run's summary`);
    }
    const skipped = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2027-02-15' } });
    t.equal(skipped.statusCode, 409, 'a skipped earlier date is not run after later ones');
    t.same(await jobFootprint(ta), before);
  });
});
