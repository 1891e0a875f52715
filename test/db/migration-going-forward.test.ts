import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { dbKinds } from '../helpers/database.ts';
import { databaseBefore } from '../helpers/old-database.ts';

for (const kind of dbKinds()) {
  t.test(`${kind}: members imported under the old rule are moved to obligations going forward`, async (t) => {
    const { database, drop } = await databaseBefore(kind, '0013_members_going_forward');
    t.teardown(drop);
    const db = database.db;
    // Three grandfathered members as the old import wrote them (obligations from 2025-04-01):
    // imported in 2024, imported in November 2026, and one imported late but already assessed.
    const member = async (number: string, importedAt: string) => {
      const [u] = await queryRows<{ id: string }>(db, sql`INSERT INTO users (email, full_name) VALUES (${`${number}@example.org`}, ${number}) RETURNING id`);
      const [m] = await queryRows<{ id: string }>(
        db,
        sql`INSERT INTO mediators (user_id, full_name, body, membership_number, status, route, standards_version, first_accredited_on, compliance_start_on, status_changed_at)
            VALUES (${u!.id}, ${number}, 'com', ${number}, 'accredited', 'grandfathered_2018', '2018', '2019-05-01', '2025-04-01', ${importedAt}::timestamptz) RETURNING id`,
      );
      await db.execute(
        sql`INSERT INTO status_history (mediator_id, to_status, reason, actor_role, changed_at) VALUES (${m!.id}, 'accredited', 'Grandfathered from the 2018 register', 'system', ${importedAt}::timestamptz)`,
      );
      return m!.id;
    };
    const early = await member('COM-1', '2024-11-05T10:00:00Z');
    const late = await member('COM-2', '2026-11-20T23:30:00Z');
    const assessed = await member('COM-3', '2026-11-21T10:00:00Z');
    const [ruleSet] = await queryRows<{ id: string }>(db, sql`SELECT id FROM rule_sets LIMIT 1`);
    await db.execute(sql`INSERT INTO compliance_assessments (mediator_id, period_start, period_end, rule_set_id, outcome, deficits, grace_ends_on, assessed_at)
      VALUES (${assessed}, '2025-04-01', '2026-03-31', ${ruleSet!.id}, 'in_grace', '[]', '2026-05-30', now())`);

    await migrateDatabase(database);

    const rows = await queryRows<{ id: string; importedOn: string; start: string }>(db, sql`SELECT id, imported_on AS "importedOn", compliance_start_on AS start FROM mediators`);
    const byId = new Map(rows.map((r) => [r.id, r]));
    t.match(byId.get(early), { importedOn: '2024-11-05', start: '2025-04-01' }, 'imported before the start: from the start');
    t.match(byId.get(late), { importedOn: '2026-11-20', start: '2026-11-20' }, 'imported late: from the import day (London date)');
    t.match(byId.get(assessed), { importedOn: '2026-11-21', start: '2025-04-01' }, 'already assessed: left for a registrar to review');
    const [settings] = await queryRows<{ settings: unknown }>(db, sql`SELECT settings FROM register_settings_versions WHERE version = 1`);
    t.same(settings!.settings, {
      applicationThresholds: { foundationHours: 40, sendTrainingHours: 12, supportedCases: 3, insuranceCoverGbp: 1_000_000 },
      grandfatheringComplianceStart: '2025-04-01',
    });
    const [head] = await queryRows<{ position: number }>(db, sql`SELECT position FROM register_head`);
    t.equal(Number(head!.position), 3, 'the change feed starts with every entry already on the register');
  });
}
