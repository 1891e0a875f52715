import { z } from 'zod';
import { COMPLIANCE_OUTCOMES, METRICS } from '../src/domain/vocabulary.ts';
import { DateSchema, EntryStatusSchema, IdSchema, TimestampSchema } from './common.ts';

export const ComplianceOutcomeSchema = z.enum(COMPLIANCE_OUTCOMES);

/** A requirement not met at assessment (the domain's Deficit). */
export const DeficitSchema = z.object({
  metric: z.enum(METRICS),
  required: z.number(),
  achieved: z.number(),
  shortfall: z.number(),
});

/** A requirement against what is logged so far (the domain's Progress), with its unit. */
export const ProgressSchema = DeficitSchema.extend({
  unit: z.enum(['hours', 'entries']),
  shortfall: DeficitSchema.shape.shortfall.describe('Still needed by the end of the period (0 when met)'),
});

export const MyComplianceSchema = z
  .object({
    status: EntryStatusSchema.nullable(),
    obligationsStartOn: DateSchema.nullable(),
    currentPeriod: z
      .object({
        year: z.number().int().describe('Register year, by the calendar year it starts in'),
        start: DateSchema,
        end: DateSchema,
        daysLeft: z.number().int().describe('Days after today until the period ends'),
        proRated: z.boolean(),
        ruleSetId: IdSchema,
        requirements: z.array(ProgressSchema),
      })
      .nullable(),
    assessments: z.array(
      z.object({
        periodStart: DateSchema,
        periodEnd: DateSchema,
        outcome: ComplianceOutcomeSchema,
        deficits: z.array(DeficitSchema),
        graceEndsOn: DateSchema.nullable(),
        assessedAt: TimestampSchema,
        closedAt: TimestampSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'MyCompliance' });
