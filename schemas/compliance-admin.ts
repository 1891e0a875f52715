import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { complianceAdjustments, complianceAssessments, jobRuns } from '../src/db/schema.ts';
import { ADJUSTMENT_KINDS } from '../src/domain/vocabulary.ts';
import { BodySchema, DateSchema, PageQuerySchema, RegisterYearSchema, TimestampSchema, page, text } from './common.ts';
import { ComplianceOutcomeSchema, DeficitSchema } from './compliance.ts';

const AssessmentRowSchema = createSelectSchema(complianceAssessments, {
  periodStart: () => DateSchema,
  periodEnd: () => DateSchema,
  deficits: () => z.array(DeficitSchema),
  graceEndsOn: () => DateSchema,
  assessedAt: () => TimestampSchema,
  closedAt: () => TimestampSchema,
});

/** The assessment row, with whose it is (name and body) after the ids. */
export const AssessmentSchema = z
  .object({
    ...AssessmentRowSchema.pick({ id: true, mediatorId: true }).shape,
    fullName: z.string(),
    body: BodySchema.nullable(),
    ...AssessmentRowSchema.pick({ periodStart: true, periodEnd: true, ruleSetId: true, outcome: true, deficits: true, graceEndsOn: true, assessedAt: true, closedAt: true }).shape,
  })
  .meta({ id: 'ComplianceAssessment' });

export const AssessmentQuerySchema = PageQuerySchema.extend({
  period: RegisterYearSchema.optional(),
  outcome: ComplianceOutcomeSchema.optional(),
});

export const RunCountsSchema = z.object({
  compliant: z.number().int(),
  inGrace: z.number().int(),
  nonCompliant: z.number().int(),
  exempt: z.number().int(),
  lapsed: z.number().int(),
});

export const RunSchema = createSelectSchema(jobRuns, {
  asOf: () => DateSchema,
  startedAt: () => TimestampSchema,
  finishedAt: () => TimestampSchema,
  counts: RunCountsSchema.nullable().describe('What the run changed, per outcome; null for a failed attempt'),
})
  .pick({ id: true, asOf: true, startedAt: true, finishedAt: true, counts: true, remindersSent: true, error: true })
  .meta({ id: 'ComplianceRun' });

export const RunSummarySchema = RunSchema.extend({
  alreadyRun: z.boolean().describe('True when this date had already been run: nothing was changed and that run is returned'),
});

export const RunBodySchema = z.strictObject({
  asOf: DateSchema.optional().describe("Defaults to today's date in Europe/London"),
});

export const AdjustmentBodySchema = z
  .strictObject({
    period: RegisterYearSchema,
    kind: z.enum(ADJUSTMENT_KINDS),
    until: DateSchema.optional().describe('Extensions only: the new last day of grace'),
    reason: text(2000),
  })
  .refine((v) => (v.kind === 'extension') === (v.until !== undefined), {
    message: 'an extension needs `until`; an exemption takes none',
    path: ['until'],
  });

export const AdjustmentSchema = createSelectSchema(complianceAdjustments, { periodStart: () => DateSchema, until: () => DateSchema, createdAt: () => TimestampSchema })
  .pick({ id: true, mediatorId: true, periodStart: true, kind: true, until: true, reason: true, createdAt: true })
  .extend({ assessment: AssessmentSchema.nullable().describe('The period’s assessment after the decision, if it has been assessed') })
  .meta({ id: 'ComplianceAdjustment' });

export const AssessmentPageSchema = page(AssessmentSchema);
export const RunPageSchema = page(RunSchema);
