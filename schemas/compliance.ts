import { z } from 'zod';
import { METRICS } from '../src/domain/rule-set.ts';
import { DateSchema, IdSchema, TimestampSchema } from './common.ts';

export const ProgressSchema = z.object({
  metric: z.enum(METRICS),
  unit: z.enum(['hours', 'entries']),
  required: z.number(),
  achieved: z.number(),
  shortfall: z.number().describe('Still needed by the end of the period (0 when met)'),
});

export const MyComplianceSchema = z
  .object({
    status: z.enum(['accredited', 'suspended', 'lapsed', 'removed']).nullable(),
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
        outcome: z.enum(['in_grace', 'compliant', 'non_compliant', 'exempt']),
        deficits: z.array(z.object({ metric: z.string(), required: z.number(), achieved: z.number(), shortfall: z.number() })),
        graceEndsOn: DateSchema.nullable(),
        assessedAt: TimestampSchema,
        closedAt: TimestampSchema.nullable(),
      }),
    ),
  })
  .meta({ id: 'MyCompliance' });
