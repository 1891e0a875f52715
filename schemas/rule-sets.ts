import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { ruleSets } from '../src/db/schema.ts';
import { COUNT_METRICS } from '../src/domain/rule-set.ts';
import { CPD_CATEGORIES, METRICS } from '../src/domain/vocabulary.ts';
import { BodySchema, DateSchema, TimestampSchema } from './common.ts';

const RequirementSchema = z
  .strictObject({
    metric: z.enum(METRICS),
    minimum: z.number().min(0).max(1000).multipleOf(0.25),
    body: BodySchema.nullable().default(null).describe('Only members of this body (null: everyone)'),
  })
  .refine((r) => !COUNT_METRICS.includes(r.metric) || Number.isInteger(r.minimum), { message: 'a count must be a whole number', path: ['minimum'] });

/** A new version of the rules, from the start of a future register year. */
export const RuleSetBodySchema = z.strictObject({
  effectiveFrom: DateSchema.describe('The first day of a future register year under this set'),
  yearStartMonth: z.number().int().min(1).max(12),
  yearStartDay: z.number().int().min(1).max(28),
  requirements: z
    .array(RequirementSchema)
    .min(1)
    .max(20)
    .refine((rs) => new Set(rs.map((r) => `${r.metric}|${r.body}`)).size === rs.length, 'each metric at most once per body'),
  categoryCaps: z.partialRecord(z.enum(CPD_CATEGORIES), z.number().min(0).max(1000).multipleOf(0.25)).default({}),
  graceDays: z.number().int().min(0).max(365),
  reminderOffsets: z.array(z.number().int().min(1).max(365)).max(10),
  graceReminderDays: z.number().int().min(0).max(365),
  proRateFirstPeriod: z.boolean(),
});

export const RuleSetSchema = createSelectSchema(ruleSets, {
  effectiveFrom: () => DateSchema,
  requirements: () => z.array(z.object({ metric: z.enum(METRICS), minimum: z.number(), body: BodySchema.nullable() })),
  categoryCaps: () => z.partialRecord(z.enum(CPD_CATEGORIES), z.number()),
  createdAt: () => TimestampSchema,
})
  .pick({
    id: true,
    effectiveFrom: true,
    yearStartMonth: true,
    yearStartDay: true,
    requirements: true,
    categoryCaps: true,
    graceDays: true,
    reminderOffsets: true,
    graceReminderDays: true,
    proRateFirstPeriod: true,
    createdAt: true,
  })
  .extend({ inForce: z.boolean().describe('The set governing periods starting today') })
  .meta({ id: 'RuleSet' });
export const RuleSetListSchema = z.object({ items: z.array(RuleSetSchema) });
