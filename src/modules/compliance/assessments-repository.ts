import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { complianceAdjustments, complianceAssessments, mediators, users } from '../../db/schema.ts';
import type { AdjustmentKind, Body, ComplianceOutcome } from '../../domain/vocabulary.ts';

// Assessments as the admin lists and a mediator's own view read them, and admin decisions on periods (exemptions and extensions).

const assessmentColumns = {
  id: complianceAssessments.id,
  mediatorId: complianceAssessments.mediatorId,
  fullName: mediators.fullName,
  body: mediators.body,
  periodStart: complianceAssessments.periodStart,
  periodEnd: complianceAssessments.periodEnd,
  ruleSetId: complianceAssessments.ruleSetId,
  outcome: complianceAssessments.outcome,
  deficits: complianceAssessments.deficits,
  graceEndsOn: complianceAssessments.graceEndsOn,
  assessedAt: complianceAssessments.assessedAt,
  closedAt: complianceAssessments.closedAt,
};

const withMediator = (q: Queryable) => q.select(assessmentColumns).from(complianceAssessments).innerJoin(mediators, eq(mediators.id, complianceAssessments.mediatorId));

/** One mediator's assessment of the period starting on `periodStart`, if any. */
export async function findAssessment(q: Queryable, mediatorId: string, periodStart: string) {
  const [row] = await withMediator(q).where(and(eq(complianceAssessments.mediatorId, mediatorId), eq(complianceAssessments.periodStart, periodStart)));
  return row;
}

export interface AssessmentFilter {
  body?: Body;
  outcome?: ComplianceOutcome;
  /** Period start between these dates (inclusive). */
  startsBetween?: { start: string; end: string };
  /** Keyset position: period start and id of the last row of the previous page. */
  after?: readonly [string, string] | null;
}

/** Up to `count` assessments, newest period first, then id. */
export function assessmentsPage(q: Queryable, filter: AssessmentFilter, count: number) {
  const conditions: SQL[] = [];
  if (filter.body) conditions.push(eq(mediators.body, filter.body));
  if (filter.outcome) conditions.push(eq(complianceAssessments.outcome, filter.outcome));
  if (filter.startsBetween) conditions.push(sql`${complianceAssessments.periodStart} BETWEEN ${filter.startsBetween.start} AND ${filter.startsBetween.end}`);
  const { after } = filter;
  if (after) {
    conditions.push(or(lt(complianceAssessments.periodStart, after[0]), and(eq(complianceAssessments.periodStart, after[0]), sql`${complianceAssessments.id} > ${after[1]}`))!);
  }
  return withMediator(q)
    .where(and(...conditions))
    .orderBy(desc(complianceAssessments.periodStart), complianceAssessments.id)
    .limit(count);
}

/** Every assessment of one mediator, newest period first (their own view). */
export function assessmentsOf(q: Queryable, mediatorId: string) {
  return q.select().from(complianceAssessments).where(eq(complianceAssessments.mediatorId, mediatorId)).orderBy(desc(complianceAssessments.periodStart));
}

/** The entry an adjustment is for, with what the checks and the notification need. */
export async function findAdjustable(q: Queryable, mediatorId: string) {
  const [m] = await q
    .select({
      id: mediators.id,
      body: mediators.body,
      status: mediators.status,
      route: mediators.route,
      firstAccreditedOn: mediators.firstAccreditedOn,
      complianceStartOn: mediators.complianceStartOn,
      userId: mediators.userId,
      email: users.email,
      fullName: mediators.fullName,
    })
    .from(mediators)
    .innerJoin(users, eq(users.id, mediators.userId))
    .where(eq(mediators.id, mediatorId));
  return m;
}

export type NewAdjustment = typeof complianceAdjustments.$inferInsert;

/** The adjustment row; undefined if the period already has this kind (an exemption). */
export async function insertAdjustment(tx: Tx, values: NewAdjustment) {
  const [adjustment] = await tx.insert(complianceAdjustments).values(values).onConflictDoNothing().returning();
  return adjustment;
}

/**
 * Applies an adjustment to the period's assessment if it is still in grace: an exemption closes it
 * as `exempt` at `now`; an extension moves its grace end to `until` if later. True if one changed.
 */
export async function adjustInGrace(tx: Tx, mediatorId: string, periodStart: string, change: { kind: AdjustmentKind; until?: string; now: Date }): Promise<boolean> {
  const [applied] = await tx
    .update(complianceAssessments)
    .set(change.kind === 'exemption' ? { outcome: 'exempt', closedAt: change.now } : { graceEndsOn: sql`greatest(${complianceAssessments.graceEndsOn}, ${change.until}::date)` })
    .where(and(eq(complianceAssessments.mediatorId, mediatorId), eq(complianceAssessments.periodStart, periodStart), eq(complianceAssessments.outcome, 'in_grace')))
    .returning({ id: complianceAssessments.id });
  return applied !== undefined;
}
