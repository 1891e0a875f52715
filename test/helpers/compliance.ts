import { queryRows, sql } from '../../src/db/client.ts';
import { writeStatuses } from '../../src/modules/register-entries/register-entries-repository.ts';
import type { Body } from '../../src/domain/vocabulary.ts';
import type { TestApp } from './app.ts';

let membership = 0;

/**
 * Puts a registered mediator on the register through the register's writer of status, as an
 * approval (new route) or an import (grandfathered) would, but without their audit events and
 * mail: the precondition of compliance tests, not what they test.
 */
export async function accredit(
  ta: TestApp,
  mediatorId: string,
  entry: { body: Body; route: 'standards_2024' | 'grandfathered_2018'; firstAccreditedOn: string; complianceStartOn: string | null; importedOn?: string | null },
) {
  const { route, body, firstAccreditedOn, complianceStartOn, importedOn } = entry;
  const accreditation = { route, body, firstAccreditedOn, complianceStartOn, importedOn, membershipNumber: `T${++membership}`, standardsVersion: route === 'standards_2024' ? '2024' : '2018' };
  const written = await writeStatuses(ta.database.db, [{ id: mediatorId, from: null, to: 'accredited', reason: 'test precondition', accreditation }], { userId: null, role: 'system' }, ta.clock());
  if (written.length !== 1) throw new Error(`${mediatorId} is not a mediator off the register`);
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
