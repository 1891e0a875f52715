/**
 * Throwaway measurement of the compliance job on PostgreSQL: N grandfathered mediators bulk-inserted
 * with generate_series, then the run that assesses the year, a rerun (no-op), the first daily
 * re-evaluation in grace, and the run that lapses them, with a year of CPD and practice entries each
 * (CMC members meet the default rules; CoM members lack supervision and lapse).
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx test/bench/compliance-job.ts 10000
 *
 * Creates and drops its own database on that server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { createComplianceJob } from '../../src/jobs/compliance-run.ts';

const n = Number(process.argv[2] ?? 10_000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `bench_compliance_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ kind: 'postgres', url: url.toString() });

const time = async <T>(label: string, fn: () => Promise<T>) => {
  const started = performance.now();
  const result = await fn();
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return result;
};

try {
  await migrateDatabase(database);
  const { db } = database;
  await time(`insert ${n} mediators`, async () => {
    await db.execute(sql`INSERT INTO users (email, full_name) SELECT 'bench' || i || '@example.org', 'Bench Mediator ' || i FROM generate_series(1, ${n}) i`);
    await db.execute(sql`
      INSERT INTO mediators (user_id, full_name, body, membership_number, status, route, standards_version, first_accredited_on, compliance_start_on, status_changed_at)
      SELECT u.id, u.full_name, CASE WHEN row_number() OVER () % 2 = 0 THEN 'com'::body ELSE 'cmc'::body END, 'B' || row_number() OVER (),
             'accredited', 'grandfathered_2018', '2018', '2019-06-01', '2025-04-01', now()
        FROM users u WHERE u.email LIKE 'bench%'`);
  });
  const perMediator = await time('insert a year of entries', () => insertEntries(db));
  console.log(`  ${perMediator}`);
  await db.execute(sql`ANALYZE`);

  const clock = () => new Date('2026-06-15T12:00:00Z');
  const job = createComplianceJob({ db, clock });
  const first = await time('run 2026-04-01 (assess the year)', () => job.runCompliance('2026-04-01'));
  console.log(' ', JSON.stringify({ counts: first.counts, remindersSent: first.remindersSent }));
  await time('rerun 2026-04-01 (no-op)', () => job.runCompliance('2026-04-01'));
  const second = await time('run 2026-04-02 (re-evaluate those in grace)', () => job.runCompliance('2026-04-02'));
  console.log(' ', JSON.stringify({ counts: second.counts, remindersSent: second.remindersSent }));
  const third = await time('run 2026-05-31 (grace over: lapses)', () => job.runCompliance('2026-05-31'));
  console.log(' ', JSON.stringify({ counts: third.counts, remindersSent: third.remindersSent }));
} finally {
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/** A year of entries: 10 h CPD (5 SEND), 15 h practice with 2 SEND mediations; no supervision, so CoM members fall short. */
async function insertEntries(db: typeof database.db): Promise<string> {
  await db.execute(sql`INSERT INTO cpd_entries (mediator_id, date, hours, category, send_specific, title)
    SELECT m.id, date '2025-04-01' + g * 80, 2.5, 'course', g % 2 = 0, 'Bench CPD' FROM mediators m, generate_series(0, 3) g`);
  await db.execute(sql`INSERT INTO practice_entries (mediator_id, date, hours, kind, outcome)
    SELECT m.id, date '2025-04-10' + g * 70, 3, CASE WHEN g < 2 THEN 'send_mediation'::practice_kind ELSE 'other_mediation'::practice_kind END,
           CASE WHEN g < 2 THEN 'agreement'::send_outcome END FROM mediators m, generate_series(0, 4) g`);
  return '4 CPD and 5 practice entries per mediator';
}
