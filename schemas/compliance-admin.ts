import { z } from 'zod';
import { BodySchema, DateSchema, IdSchema, PageQuerySchema, TimestampSchema, page, text } from './common.ts';

export const OutcomeSchema = z.enum(['in_grace', 'compliant', 'non_compliant', 'exempt']);

/** A register year by the calendar year it starts in (2025 = the year from 1 April 2025). */
export const RegisterYearSchema = z.coerce.number().int().min(2018).max(2100).describe('Register year, by the calendar year it starts in');

export const DeficitSchema = z.object({
  metric: z.string(),
  required: z.number(),
  achieved: z.number(),
  shortfall: z.number(),
});

export const AssessmentSchema = z
  .object({
    id: IdSchema,
    mediatorId: IdSchema,
    fullName: z.string(),
    body: BodySchema.nullable(),
    periodStart: DateSchema,
    periodEnd: DateSchema,
    ruleSetId: IdSchema,
    outcome: OutcomeSchema,
    deficits: z.array(DeficitSchema),
    graceEndsOn: DateSchema.nullable(),
    assessedAt: TimestampSchema,
    closedAt: TimestampSchema.nullable(),
  })
  .meta({ id: 'ComplianceAssessment' });

export const AssessmentQuerySchema = PageQuerySchema.extend({
  period: RegisterYearSchema.optional(),
  outcome: OutcomeSchema.optional(),
});

export const RunCountsSchema = z.object({
  compliant: z.number().int(),
  inGrace: z.number().int(),
  nonCompliant: z.number().int(),
  exempt: z.number().int(),
  lapsed: z.number().int(),
});

export const RunSchema = z
  .object({
    id: IdSchema,
    asOf: DateSchema,
    startedAt: TimestampSchema,
    finishedAt: TimestampSchema.nullable(),
    counts: RunCountsSchema.nullable().describe('What the run changed, per outcome; null for a failed attempt'),
    remindersSent: z.number().int(),
    error: z.string().nullable(),
  })
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
    kind: z.enum(['exemption', 'extension']),
    until: DateSchema.optional().describe('Extensions only: the new last day of grace'),
    reason: text(2000),
  })
  .refine((v) => (v.kind === 'extension') === (v.until !== undefined), {
    message: 'an extension needs `until`; an exemption takes none',
    path: ['until'],
  });

export const AdjustmentSchema = z
  .object({
    id: IdSchema,
    mediatorId: IdSchema,
    periodStart: DateSchema,
    kind: z.enum(['exemption', 'extension']),
    until: DateSchema.nullable(),
    reason: z.string(),
    createdAt: TimestampSchema,
    assessment: AssessmentSchema.nullable().describe('The period’s assessment after the decision, if it has been assessed'),
  })
  .meta({ id: 'ComplianceAdjustment' });

export const AssessmentPageSchema = page(AssessmentSchema);
export const RunPageSchema = page(RunSchema);
