import t from 'tap';
import { revealed } from '../../helpers/audit.ts';
import { eq } from 'drizzle-orm';
import { auditEvents, complianceAssessments, mediators } from '../../../src/db/schema.ts';
import { accredit } from '../../helpers/compliance.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';
import { approvedProvider, completeDraft } from '../../helpers/applications.ts';

const DEFAULTS = {
  applicationThresholds: { foundationHours: 40, sendTrainingHours: 12, supportedCases: 3, insuranceCoverGbp: 1_000_000 },
  grandfatheringComplianceStart: '2025-04-01',
};

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const get = (url = '/v1/admin/settings', token = registrar.token) => ta.request({ method: 'GET', url, token });
  const put = (payload: object, token = registrar.token) => ta.request({ method: 'PUT', url: '/v1/admin/settings', token, payload });

  await t.test('the product defaults are version 1', async (t) => {
    const res = await get();
    t.equal(res.statusCode, 200);
    t.match(res.json(), { version: 1, ...DEFAULTS, reason: 'Product defaults', changedBy: null });
    const admin = await ta.staff('admin', 'com');
    t.equal((await get('/v1/admin/settings', admin.token)).statusCode, 403, 'registrars only');
    t.equal((await put({ ...DEFAULTS, reason: 'x' }, admin.token)).statusCode, 403);
  });

  await t.test('invalid changes name the field and change nothing', async (t) => {
    const cases: Array<[object, string]> = [
      [{ ...DEFAULTS, applicationThresholds: { ...DEFAULTS.applicationThresholds, foundationHours: -1 } }, 'applicationThresholds.foundationHours'],
      [{ ...DEFAULTS, applicationThresholds: { ...DEFAULTS.applicationThresholds, supportedCases: 2.5 } }, 'applicationThresholds.supportedCases'],
      [{ ...DEFAULTS, grandfatheringComplianceStart: '2025-02-30' }, 'grandfatheringComplianceStart'],
      [{ applicationThresholds: DEFAULTS.applicationThresholds }, 'grandfatheringComplianceStart'],
      [{ ...DEFAULTS, extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const res = await put({ ...body, reason: 'test' });
      t.equal(res.statusCode, 400, JSON.stringify(body));
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      if (field)
        t.ok(
          res.json().errors.some((e: { field: string }) => e.field === field),
          `names ${field}`,
        );
    }
    t.equal((await put(DEFAULTS)).statusCode, 400, 'a reason is required');
    t.equal((await get()).json().version, 1);
  });

  await t.test('a change adds a version, audited with before and after; applications use the version in force', async (t) => {
    const providerId = await approvedProvider(ta, registrar.token);
    const early = await completeDraft(ta, providerId);
    const late = await completeDraft(ta, providerId);
    const first = await early.submit();
    t.equal(first.statusCode, 200);
    t.equal(first.json().settingsVersion, 1);

    const raised = { ...DEFAULTS, applicationThresholds: { ...DEFAULTS.applicationThresholds, foundationHours: 45 } };
    const res = await put({ ...raised, reason: 'Panel decision of May 2025', expectedVersion: 1 });
    t.equal(res.statusCode, 200, res.body);
    t.match(res.json(), { version: 2, changed: true, ...raised, reason: 'Panel decision of May 2025', changedBy: registrar.userId });
    t.match((await get()).json(), { version: 2, applicationThresholds: { foundationHours: 45 } });

    const refused = await late.submit();
    t.equal(refused.statusCode, 422, 'the new threshold applies to the next submission');
    t.match(refused.json().errors, [{ field: 'foundation_training.hours', message: /at least 45 hours/ }]);
    t.match(
      (await ta.request({ method: 'GET', url: `/v1/applications/${early.id}`, token: registrar.token })).json(),
      { status: 'submitted', settingsVersion: 1 },
      'an earlier submission keeps its version',
    );
    t.match((await get('/v1/admin/settings/versions/1')).json(), { version: 1, applicationThresholds: { foundationHours: 40 } }, 'the values in force then');

    const [event] = await revealed(ta.database.db, await ta.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'settings.changed')));
    t.match(event, {
      actorId: registrar.userId,
      entityId: '2',
      before: { version: 1, applicationThresholds: { foundationHours: 40 } },
      after: { version: 2, applicationThresholds: { foundationHours: 45 }, reason: 'Panel decision of May 2025' },
    });

    const same = await put({ ...raised, reason: 'again' });
    t.match(same.json(), { version: 2, changed: false }, 'the same values again add no version');
    t.equal((await put({ ...DEFAULTS, reason: 'stale', expectedVersion: 1 })).statusCode, 409, 'a change based on an old version is refused');

    const page1 = (await get('/v1/admin/settings/versions?limit=1')).json();
    t.same(
      page1.items.map((v: { version: number }) => v.version),
      [2],
    );
    const page2 = (await get(`/v1/admin/settings/versions?limit=1&cursor=${page1.nextCursor}`)).json();
    t.same(
      page2.items.map((v: { version: number }) => v.version),
      [1],
    );
    t.equal(page2.nextCursor, null);
    t.equal((await get('/v1/admin/settings/versions/99')).statusCode, 404);
  });

  await t.test('a new grandfathering start moves unassessed obligations forward, never a closed assessment, never into the past', async (t) => {
    ta.clock.set('2026-05-10T09:00:00Z');
    // Imported in 2024 (obligations from the start), assessed compliant for 2025/26.
    const member = await ta.mediator();
    await accredit(ta, member.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-03-01', complianceStartOn: '2025-04-01', importedOn: '2024-11-05' });
    const newcomer = await ta.mediator();
    await accredit(ta, newcomer.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2018-03-01', complianceStartOn: '2026-05-01', importedOn: '2026-05-01' });
    const approved = await ta.mediator();
    await accredit(ta, approved.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2025-06-01', complianceStartOn: '2025-06-01' });
    await ta.database.db.insert(complianceAssessments).values({
      mediatorId: member.mediatorId,
      periodStart: '2025-04-01',
      periodEnd: '2026-03-31',
      ruleSetId: (await ta.database.db.query.ruleSets.findFirst())!.id,
      outcome: 'compliant',
      assessedAt: new Date('2026-04-01T02:00:00Z'),
      closedAt: new Date('2026-04-01T02:00:00Z'),
    });
    const before = await ta.database.db.select().from(complianceAssessments);

    const current = (await get()).json();
    const settings = { applicationThresholds: current.applicationThresholds };
    const backwards = await put({ ...settings, grandfatheringComplianceStart: '2024-04-01', reason: 'earlier' });
    t.equal(backwards.statusCode, 422);
    t.match(backwards.json().errors, [{ field: 'grandfatheringComplianceStart' }]);

    const later = await put({ ...settings, grandfatheringComplianceStart: '2026-06-01', reason: 'Bodies agreed a later start' });
    t.equal(later.statusCode, 200, later.body);
    const starts = Object.fromEntries((await ta.database.db.select({ id: mediators.id, start: mediators.complianceStartOn }).from(mediators)).map((m) => [m.id, m.start]));
    t.equal(starts[member.mediatorId], '2026-06-01', 'imported before: from the new start');
    t.equal(starts[newcomer.mediatorId], '2026-06-01');
    t.equal(starts[approved.mediatorId], '2025-06-01', 'members by application are not grandfathered');
    t.same(await ta.database.db.select().from(complianceAssessments), before, 'the closed assessment is untouched');
    t.match(
      (
        await ta.database.db
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.entityId, String(later.json().version)))
      ).find((e) => e.action === 'settings.changed'),
      { after: { membersMoved: 2 } },
    );

    const back = await put({ ...settings, grandfatheringComplianceStart: '2026-05-20', reason: 'Earlier, but still to come' });
    t.equal(back.statusCode, 200, 'earlier is fine while the date is still ahead');
    const [n] = await ta.database.db.select({ start: mediators.complianceStartOn }).from(mediators).where(eq(mediators.id, newcomer.mediatorId));
    t.equal(n!.start, '2026-05-20');
  });
});
