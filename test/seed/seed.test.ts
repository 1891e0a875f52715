import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { systemContext } from '../../src/lib/context.ts';
import { REGIONS, fakeMediators } from '../bench/seed/fake-mediators.ts';
import { createSeedService } from '../bench/seed/seed-service.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';
import { testClock } from '../helpers/app.ts';

const ctx = { today: '2026-11-28', grandfatheredComplianceStart: '2025-04-01' };
const withoutIds = (ms: ReturnType<typeof fakeMediators>) => ms.map((m) => ({ ...m.mediator, id: '', userId: '', email: m.user.email }));

t.test('mediator i is the same person whichever range generates it', async (t) => {
  const all = fakeMediators(0, 2500, ctx);
  t.same(withoutIds(fakeMediators(1200, 2100, ctx)), withoutIds(all.slice(1200, 2100)));
  t.equal(new Set(all.map((m) => m.user.email)).size, all.length, 'emails are unique');
  const membership = all.map((m) => `${m.mediator.body}|${m.mediator.membershipNumber}`);
  t.equal(new Set(membership).size, all.length, 'membership numbers are unique per body');
});

t.test('realistic mix: statuses, names, regions, languages, dates', async (t) => {
  const all = fakeMediators(0, 5000, ctx).map((m) => m.mediator);
  const share = (pred: (m: (typeof all)[number]) => boolean) => all.filter(pred).length / all.length;
  t.ok(share((m) => m.status === 'accredited') > 0.85 && share((m) => m.status === 'accredited') < 0.91, 'about 88% accredited');
  t.ok(share((m) => m.status === 'lapsed') > 0.06 && share((m) => m.status === 'lapsed') < 0.1, 'about 8% lapsed');
  t.ok(share((m) => m.status === 'suspended') > 0.02 && share((m) => m.status === 'suspended') < 0.06, 'about 4% suspended');
  t.ok(
    all.some((m) => /[^\x00-\x7F]/.test(m.fullName)),
    'some names carry accents',
  );
  t.ok(
    all.some((m) => m.fullName.includes("'")),
    'some names carry apostrophes',
  );
  const regions = new Set<string>([...REGIONS, 'national']);
  t.ok(
    all.every((m) => m.regions.length > 0 && m.regions.every((r) => regions.has(r))),
    'regions are the nine English regions or national',
  );
  t.ok(
    all.every((m) => m.languages[0] === 'en'),
    'everyone mediates in English',
  );
  t.ok(
    all.some((m) => m.languages.includes('cy')),
    'some also in Welsh',
  );
  t.ok(
    all.every((m) => m.firstAccreditedOn <= ctx.today && m.insuranceExpiresOn > ctx.today),
    'no accreditation in the future; insurance current',
  );
  t.ok(
    all.every((m) => m.complianceStartOn === (m.route === 'grandfathered_2018' ? ctx.grandfatheredComplianceStart : m.firstAccreditedOn)),
    'grandfathered members start at the setting, new ones on accreditation',
  );
});

for (const kind of dbKinds()) {
  t.test(`seeding on ${kind}`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const { db } = fresh.database;
    const seeder = createSeedService({ db, clock: testClock('2026-11-28T12:00:00Z') });
    const counts = async () =>
      (
        await queryRows<{ users: number; mediators: number; history: number; audit: number; cpd: number; practice: number }>(
          db,
          sql`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM mediators) AS mediators,
                     (SELECT count(*)::int FROM cpd_entries) AS cpd, (SELECT count(*)::int FROM practice_entries) AS practice,
                     (SELECT count(*)::int FROM status_history) AS history,
                     (SELECT count(*)::int FROM audit_events WHERE action = 'seed.mediators_created') AS audit`,
        )
      )[0]!;

    t.same(await seeder.seedMediators(systemContext(), 300), { before: 0, after: 300 });
    const first = await counts();
    const notAccredited = (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM mediators WHERE status <> 'accredited'`))[0]!.n;
    t.equal(first.users, 300);
    t.equal(first.mediators, 300);
    t.equal(first.history, 300 + notAccredited, 'an accreditation row each, and a second row for those no longer accredited');
    t.equal(first.audit, 1, 'one audit event for the run, not one per row');
    const [noPassword] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM users WHERE password_hash IS NOT NULL`);
    t.equal(noPassword!.n, 0, 'seeded accounts cannot sign in');

    t.ok(first.cpd > 300 * 4 && first.practice > 300 * 5, `more than a year of entries each (${first.cpd} CPD, ${first.practice} practice)`);
    const [misplaced] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM (SELECT mediator_id, date FROM cpd_entries UNION ALL SELECT mediator_id, date FROM practice_entries) e
            JOIN mediators m ON m.id = e.mediator_id
           WHERE e.date > '2026-11-28' OR e.date < coalesce(m.compliance_start_on, m.first_accredited_on)
              OR (m.status <> 'accredited' AND e.date > (m.status_changed_at AT TIME ZONE 'Europe/London')::date)`,
    );
    t.equal(misplaced!.n, 0, 'entries only where the log itself would take them: from the obligations start, to today or the status change');
    // The register year 2025-26 for those accredited throughout it, tallied as the default rules count.
    const year = await queryRows<{ cpd: number; send: number; practice: number; sendMediations: number; supervision: number }>(
      db,
      sql`SELECT (SELECT coalesce(sum(hours), 0) FROM cpd_entries c WHERE c.mediator_id = m.id AND c.date BETWEEN '2025-04-01' AND '2026-03-31')::float8 AS cpd,
                 (SELECT coalesce(sum(hours), 0) FROM cpd_entries c WHERE c.mediator_id = m.id AND c.send_specific AND c.date BETWEEN '2025-04-01' AND '2026-03-31')::float8 AS send,
                 (SELECT coalesce(sum(hours), 0) FROM practice_entries p WHERE p.mediator_id = m.id AND p.kind <> 'supervision_received' AND p.date BETWEEN '2025-04-01' AND '2026-03-31')::float8 AS practice,
                 (SELECT count(*) FROM practice_entries p WHERE p.mediator_id = m.id AND p.kind IN ('send_mediation', 'send_co_mediation') AND p.date BETWEEN '2025-04-01' AND '2026-03-31')::int AS "sendMediations",
                 (SELECT coalesce(sum(hours), 0) FROM practice_entries p WHERE p.mediator_id = m.id AND p.kind = 'supervision_received' AND p.date BETWEEN '2025-04-01' AND '2026-03-31')::float8 AS supervision
            FROM mediators m WHERE m.status = 'accredited' AND coalesce(m.compliance_start_on, m.first_accredited_on) <= '2025-04-01'`,
    );
    const meets = year.filter((y) => y.cpd >= 10 && y.send >= 5 && y.practice >= 15 && y.sendMediations >= 2 && y.supervision >= 4).length / year.length;
    t.ok(year.length > 100 && meets > 0.75 && meets < 0.97, `most, not all, meet the default rules for a whole year (${(meets * 100).toFixed(0)}% of ${year.length})`);

    const names = async () => (await queryRows<{ name: string }>(db, sql`SELECT full_name AS name FROM mediators ORDER BY substr(membership_number, 5)::int`)).map((r) => r.name);
    const before = await names();
    t.same(await seeder.seedMediators(systemContext(), 300), { before: 300, after: 300 }, 'a rerun changes nothing');
    t.same(await counts(), first);

    t.same(await seeder.seedMediators(systemContext(), 350), { before: 300, after: 350 }, 'a larger N adds the difference');
    t.same(await names().then((ns) => ns.slice(0, 300)), before, 'the first 300 are untouched');
    t.equal((await counts()).audit, 2);
  });
}
