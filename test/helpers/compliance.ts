import { eq } from 'drizzle-orm';
import { queryRows, sql } from '../../src/db/client.ts';
import { mediators, statusHistory } from '../../src/db/schema.ts';
import type { Body } from '../../src/lib/context.ts';
import type { TestApp } from './app.ts';

let membership = 0;

/**
 * Puts a registered mediator on the register directly, as an approval (new route) or an import
 * (grandfathered) would: the precondition of compliance tests, not what they test.
 */
export async function accredit(
  ta: TestApp,
  mediatorId: string,
  entry: { body: Body; route: 'standards_2024' | 'grandfathered_2018'; firstAccreditedOn: string; complianceStartOn: string | null; importedOn?: string | null },
) {
  const db = ta.database.db;
  await db
    .update(mediators)
    .set({ status: 'accredited', membershipNumber: `T${++membership}`, statusChangedAt: ta.clock(), standardsVersion: entry.route === 'standards_2024' ? '2024' : '2018', ...entry })
    .where(eq(mediators.id, mediatorId));
  await db.insert(statusHistory).values({ mediatorId, fromStatus: null, toStatus: 'accredited', reason: 'test precondition', actorRole: 'system', changedAt: ta.clock() });
}

/** Count of rows in each table the job writes to, to show a run changed nothing. */
export async function jobFootprint(ta: TestApp) {
  const [row] = await queryRows<Record<string, number>>(
    ta.database.db,
    sql`SELECT (SELECT count(*) FROM compliance_assessments) AS assessments,
               (SELECT count(*) FROM compliance_assessments WHERE outcome = 'in_grace') AS "inGrace",
               (SELECT count(*) FROM notifications) AS notifications,
               (SELECT count(*) FROM audit_events) AS audit,
               (SELECT count(*) FROM status_history) AS history,
               (SELECT count(*) FROM mediators WHERE status = 'lapsed') AS lapsed,
               (SELECT count(*) FROM job_runs WHERE error IS NULL) AS runs`,
  );
  return row!;
}
