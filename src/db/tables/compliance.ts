import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { RunCounts } from '../../domain/compliance-outcomes.ts';
import type { Deficit } from '../../domain/evaluation.ts';
import { ADJUSTMENT_KINDS, COMPLIANCE_OUTCOMES } from '../../domain/vocabulary.ts';
import { createdAt } from './columns.ts';
import { mediators } from './mediators.ts';

export const complianceOutcomeEnum = pgEnum('compliance_outcome', COMPLIANCE_OUTCOMES);
export const complianceAdjustmentKindEnum = pgEnum('compliance_adjustment_kind', ADJUSTMENT_KINDS);

/**
 * The assessment of one mediator's compliance period, written by the compliance job. A period is
 * assessed once (unique per mediator and period start); `closed_at` is set once the outcome is final
 * (compliant, non_compliant or exempt), which also locks the period's CPD and practice entries.
 */
export const complianceAssessments = pgTable(
  'compliance_assessments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    ruleSetId: uuid('rule_set_id').notNull(),
    outcome: complianceOutcomeEnum('outcome').notNull(),
    deficits: jsonb('deficits').$type<Deficit[]>().notNull().default(sql`'[]'::jsonb`),
    /** Last day of grace (period end + grace days, or a later extension); null if never in grace. */
    graceEndsOn: date('grace_ends_on', { mode: 'string' }),
    assessedAt: timestamp('assessed_at', { withTimezone: true, mode: 'date' }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    unique('compliance_assessments_mediator_period_unique').on(t.mediatorId, t.periodStart),
    index('compliance_assessments_period_idx').on(t.periodStart, t.outcome),
    index('compliance_assessments_in_grace_idx').on(t.graceEndsOn).where(sql`outcome = 'in_grace'`),
    check('compliance_assessments_period_order', sql`${t.periodStart} <= ${t.periodEnd}`),
    check('compliance_assessments_grace', sql`${t.outcome} <> 'in_grace' OR ${t.graceEndsOn} IS NOT NULL`),
    check('compliance_assessments_closed', sql`(${t.outcome} = 'in_grace') = (${t.closedAt} IS NULL)`),
  ],
);

/**
 * Admin decisions about one period: an exemption (the period is `exempt`, e.g. parental leave) or an
 * extension (grace runs until `until`). Kept as a record of who decided what and why.
 */
export const complianceAdjustments = pgTable(
  'compliance_adjustments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    kind: complianceAdjustmentKindEnum('kind').notNull(),
    until: date('until', { mode: 'string' }),
    reason: text('reason').notNull(),
    decidedBy: uuid('decided_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('compliance_adjustments_mediator_idx').on(t.mediatorId, t.periodStart),
    uniqueIndex('compliance_adjustments_one_exemption').on(t.mediatorId, t.periodStart).where(sql`kind = 'exemption'`),
    check('compliance_adjustments_until', sql`(${t.kind} = 'extension') = (${t.until} IS NOT NULL)`),
  ],
);

/**
 * One row per compliance run. A successful run's row is inserted inside the run's own transaction,
 * and at most one such row exists per as-of date (partial unique index): that is what makes a run
 * happen exactly once across processes. A failed attempt is recorded afterwards with its error.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    counts: jsonb('counts').$type<RunCounts>(),
    remindersSent: integer('reminders_sent').notNull().default(0),
    error: text('error'),
  },
  (t) => [uniqueIndex('job_runs_one_success_per_date').on(t.asOf).where(sql`error IS NULL`), index('job_runs_started_idx').on(t.startedAt)],
);
