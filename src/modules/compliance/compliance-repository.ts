import { and, desc, eq, lt, or } from 'drizzle-orm';
import { sql, queryRows, type Queryable, type Tx } from '../../db/client.ts';
import { jobRuns } from '../../db/schema.ts';
import type { RunCounts } from '../../domain/compliance-outcomes.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';
import type { Deficit } from '../../domain/evaluation.ts';
import type { Body, ComplianceOutcome, EntryStatus, Route } from '../../domain/vocabulary.ts';
import { chunks, recordset } from '../../db/batches.ts';

/**
 * The compliance job's statements: its run log, and the set-based reads and writes of a run. Each
 * set-based call is one statement per batch of BATCH rows, however many mediators there are
 * (src/db/batches.ts). Lapsing is the register's business: register-entries.
 */

export type RunRow = typeof jobRuns.$inferSelect;

/**
 * Sets the run's own limits (`timeout`, an interval) for this transaction, then waits on the run
 * lock. The run sorts and hashes every mediator's periods at once: that stays in memory, not on disk.
 */
export async function beginRun(tx: Tx, timeout: string): Promise<void> {
  await tx.execute(sql`SELECT set_config('statement_timeout', ${timeout}, true), set_config('idle_in_transaction_session_timeout', ${timeout}, true)`);
  await lockForTransaction(tx, LOCK_KEYS.complianceRun);
  await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
}

/** The successful run for `asOf`, if any. */
export async function findRun(q: Queryable, asOf: string): Promise<RunRow | undefined> {
  const [run] = await q.select().from(jobRuns).where(sql`${jobRuns.asOf} = ${asOf} AND ${jobRuns.error} IS NULL`);
  return run;
}

/** The as-of date of the latest successful run, if any. */
export async function latestRunAsOf(q: Queryable): Promise<string | undefined> {
  const [latest] = await q.select({ asOf: jobRuns.asOf }).from(jobRuns).where(sql`${jobRuns.error} IS NULL`).orderBy(desc(jobRuns.asOf)).limit(1);
  return latest?.asOf;
}

/** Claims `asOf` with a new run row; undefined if a successful run already holds it (the unique index). */
export async function claimRun(q: Queryable, asOf: string, startedAt: Date): Promise<string | undefined> {
  const [claim] = await queryRows<{ id: string }>(
    q,
    sql`INSERT INTO job_runs (as_of, started_at) VALUES (${asOf}, ${startedAt}::timestamptz)
        ON CONFLICT (as_of) WHERE error IS NULL DO NOTHING RETURNING id`,
  );
  return claim?.id;
}

export async function finishRun(q: Queryable, id: string, counts: RunCounts, remindersSent: number): Promise<RunRow> {
  const [run] = await q.update(jobRuns).set({ finishedAt: new Date(), counts, remindersSent }).where(eq(jobRuns.id, id)).returning();
  return run!;
}

/** A failed attempt, written outside the run's transaction. */
export async function recordFailedRun(q: Queryable, asOf: string, startedAt: Date, error: string): Promise<void> {
  await q.insert(jobRuns).values({ asOf, startedAt, finishedAt: new Date(), error });
}

/** Up to `count` runs, newest start first, then id; after the keyset position if given. */
export function runsPage(q: Queryable, after: readonly [string, string] | null | undefined, count: number): Promise<RunRow[]> {
  return q
    .select()
    .from(jobRuns)
    .where(after ? or(lt(jobRuns.startedAt, new Date(after[0])), and(eq(jobRuns.startedAt, new Date(after[0])), sql`${jobRuns.id} > ${after[1]}`)) : undefined)
    .orderBy(desc(jobRuns.startedAt), jobRuns.id)
    .limit(count);
}

export interface AccreditedMediator {
  id: string;
  userId: string;
  email: string;
  fullName: string;
  body: Body | null;
  route: Route | null;
  firstAccreditedOn: string | null;
  complianceStartOn: string | null;
  /** Start of the latest period already assessed, if any. */
  lastAssessedStart: string | null;
  /** London date of the latest return to the register from lapsed or suspended, if any. */
  reinstatedOn: string | null;
}

/** Every accredited mediator with the start of their latest assessed period and latest reinstatement: one statement. */
export function loadAccreditedMediators(q: Queryable): Promise<AccreditedMediator[]> {
  return queryRows<AccreditedMediator>(
    q,
    sql`SELECT m.id, m.user_id AS "userId", u.email, m.full_name AS "fullName", m.body, m.route,
               m.first_accredited_on AS "firstAccreditedOn", m.compliance_start_on AS "complianceStartOn",
               a.last_start AS "lastAssessedStart", r.reinstated_on AS "reinstatedOn"
          FROM mediators m
          JOIN users u ON u.id = m.user_id
          LEFT JOIN (SELECT mediator_id, max(period_start) AS last_start FROM compliance_assessments GROUP BY mediator_id) a
            ON a.mediator_id = m.id
          LEFT JOIN (SELECT mediator_id, (max(changed_at) AT TIME ZONE 'Europe/London')::date AS reinstated_on
                       FROM status_history WHERE to_status = 'accredited' AND from_status IS NOT NULL GROUP BY mediator_id) r
            ON r.mediator_id = m.id
         WHERE m.status = 'accredited'`,
  );
}

export interface OpenAssessment {
  id: string;
  mediatorId: string;
  userId: string;
  email: string;
  fullName: string;
  body: Body | null;
  status: EntryStatus | null;
  periodStart: string;
  periodEnd: string;
  ruleSetId: string;
  graceEndsOn: string;
  deficits: Deficit[];
}

/** Every assessment still in grace, whatever the mediator's status: one statement. */
export function loadInGrace(q: Queryable): Promise<OpenAssessment[]> {
  return queryRows<OpenAssessment>(
    q,
    sql`SELECT a.id, a.mediator_id AS "mediatorId", m.user_id AS "userId", u.email, m.full_name AS "fullName", m.body, m.status,
               a.period_start AS "periodStart", a.period_end AS "periodEnd", a.rule_set_id AS "ruleSetId",
               a.grace_ends_on AS "graceEndsOn", a.deficits
          FROM compliance_assessments a
          JOIN mediators m ON m.id = a.mediator_id
          JOIN users u ON u.id = m.user_id
         WHERE a.outcome = 'in_grace'`,
  );
}

export interface Adjustments {
  exempt: boolean;
  /** Latest extension of grace, if any. */
  extendedUntil: string | null;
}

/** Exemptions and extensions per mediator and period start (key `${mediatorId}|${periodStart}`). */
export async function loadAdjustments(q: Queryable): Promise<Map<string, Adjustments>> {
  const rows = await queryRows<{ mediatorId: string; periodStart: string; exempt: boolean; extendedUntil: string | null }>(
    q,
    sql`SELECT mediator_id AS "mediatorId", period_start AS "periodStart",
               bool_or(kind = 'exemption') AS exempt, max(until) AS "extendedUntil"
          FROM compliance_adjustments GROUP BY mediator_id, period_start`,
  );
  return new Map(rows.map((r) => [`${r.mediatorId}|${r.periodStart}`, { exempt: r.exempt, extendedUntil: r.extendedUntil }]));
}

export interface NewAssessment {
  mediatorId: string;
  periodStart: string;
  periodEnd: string;
  ruleSetId: string;
  outcome: ComplianceOutcome;
  deficits: Deficit[];
  graceEndsOn: string | null;
}

/** Closed unless in grace; stamped `now`. */
export async function insertAssessments(q: Queryable, rows: NewAssessment[], now: Date): Promise<void> {
  for (const batch of chunks(rows)) {
    await q.execute(sql`
      INSERT INTO compliance_assessments (mediator_id, period_start, period_end, rule_set_id, outcome, deficits, grace_ends_on, assessed_at, closed_at)
      SELECT "mediatorId", "periodStart", "periodEnd", "ruleSetId", outcome::compliance_outcome, deficits, "graceEndsOn",
             ${now}::timestamptz, CASE WHEN outcome = 'in_grace' THEN NULL ELSE ${now}::timestamptz END
        FROM ${recordset(batch, 'x', sql`"mediatorId" uuid, "periodStart" date, "periodEnd" date, "ruleSetId" uuid, outcome text, deficits jsonb, "graceEndsOn" date`)}`);
  }
}

export interface AssessmentChange {
  id: string;
  outcome: ComplianceOutcome;
  deficits: Deficit[];
  graceEndsOn: string;
}

/**
 * Moves assessments that are still in grace (the WHERE makes it conditional: a concurrent decision
 * wins); closes them unless they stay in grace. Returns the ids actually changed.
 */
export async function updateInGrace(q: Queryable, changes: AssessmentChange[], now: Date): Promise<Set<string>> {
  const changed = new Set<string>();
  for (const batch of chunks(changes)) {
    const rows = await queryRows<{ id: string }>(
      q,
      sql`UPDATE compliance_assessments a
             SET outcome = v.outcome::compliance_outcome, deficits = v.deficits, grace_ends_on = v."graceEndsOn",
                 closed_at = CASE WHEN v.outcome = 'in_grace' THEN NULL ELSE ${now}::timestamptz END
            FROM ${recordset(batch, 'v', sql`id uuid, outcome text, deficits jsonb, "graceEndsOn" date`, 'jsonb')}
           WHERE a.id = v.id AND a.outcome = 'in_grace'
       RETURNING a.id`,
    );
    for (const r of rows) changed.add(r.id);
  }
  return changed;
}
