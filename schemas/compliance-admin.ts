import { z } from 'zod';
import { ADJUSTMENT_KINDS } from '../src/domain/vocabulary.ts';
import { BodySchema, DateSchema, IdSchema, PageQuerySchema, RegisterYearSchema, TimestampSchema, page, text } from './common.ts';
import { ComplianceOutcomeSchema, DeficitSchema } from './compliance.ts';

const AdjustmentKindSchema = z.enum(ADJUSTMENT_KINDS);

export const AssessmentSchema = z
  .object({
    id: IdSchema,
    mediatorId: IdSchema,
    fullName: z.string(),
    body: BodySchema.nullable(),
    periodStart: DateSchema,
    periodEnd: DateSchema,
    ruleSetId: IdSchema,
    outcome: ComplianceOutcomeSchema,
    deficits: z.array(DeficitSchema),
    graceEndsOn: DateSchema.nullable(),
    assessedAt: TimestampSchema,
    closedAt: TimestampSchema.nullable(),
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
    kind: AdjustmentKindSchema,
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
    kind: AdjustmentKindSchema,
    until: DateSchema.nullable(),
    reason: z.string(),
    createdAt: TimestampSchema,
    assessment: AssessmentSchema.nullable().describe('The period’s assessment after the decision, if it has been assessed'),
  })
  .meta({ id: 'ComplianceAdjustment' });

export const AssessmentPageSchema = page(AssessmentSchema);
export const RunPageSchema = page(RunSchema);
