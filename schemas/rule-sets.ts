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

const RegisterYearSchema = z.object({
  year: z.int().describe('The calendar year the register year starts in'),
  label: z.string().describe('As people write it, e.g. "2025/26"'),
  start: DateSchema,
  end: DateSchema,
});

const SUMMARY =
  'Each year, every mediator must do at least 10 hours of training, of which at least 5 hours about special educational needs and disabilities (SEND), at least 15 hours of mediation practice and at least 2 SEND mediations (leading or co-mediating). Members of the College of Mediators must also do at least 4 hours of supervision by a more experienced mediator.';

/** One version of the annual requirements as published: amounts as data, each also in plain words. */
export const PublicRuleSetSchema = z
  .object({
    effectiveFrom: DateSchema.describe('The first day this version governs (the first day of a register year)'),
    standing: z.enum(['superseded', 'in_force', 'scheduled']).describe('superseded: governed past register years only; in_force: governs the register year under way; scheduled: starts later'),
    inForce: z.boolean().describe('The version governing the register year under way (today, London time)'),
    firstRegisterYear: RegisterYearSchema.describe('The first register year this version governs'),
    lastRegisterYear: RegisterYearSchema.nullable().describe('The last register year it governs, before the next version; null while no later version is scheduled'),
    yearStartMonth: z.int().min(1).max(12),
    yearStartDay: z.int().min(1).max(28),
    summary: z.string().describe('The annual requirements in a sentence or two, in plain words'),
    requirements: z.array(
      z.object({
        metric: z.enum(METRICS),
        minimum: z.number().describe('The least a mediator must do in a register year'),
        unit: z.enum(['hours', 'mediations']),
        body: BodySchema.nullable().describe('Only members of this body (null: every mediator)'),
        inWords: z.string(),
      }),
    ),
    categoryCaps: z.array(z.object({ category: z.enum(CPD_CATEGORIES), maximumHours: z.number().describe('Most hours of this kind of training that count in a year'), inWords: z.string() })),
    graceDays: z.int().describe('Days after a register year ends in which a mediator who fell short may catch up before their accreditation lapses'),
    proRateFirstPeriod: z.boolean().describe("A mediator's first, part year asks for amounts in proportion to the whole months left"),
    terms: z.array(z.string()).describe('The register year, the first year and catching up, in plain words'),
  })
  .meta({
    id: 'PublicRuleSet',
    examples: [
      {
        effectiveFrom: '2018-04-01',
        standing: 'in_force',
        inForce: true,
        firstRegisterYear: { year: 2018, label: '2018/19', start: '2018-04-01', end: '2019-03-31' },
        lastRegisterYear: null,
        yearStartMonth: 4,
        yearStartDay: 1,
        summary: SUMMARY,
        requirements: [
          { metric: 'cpd_hours', minimum: 10, unit: 'hours', body: null, inWords: 'At least 10 hours of training each year.' },
          { metric: 'send_mediations', minimum: 2, unit: 'mediations', body: null, inWords: 'At least 2 SEND mediations (leading or co-mediating) each year.' },
          {
            metric: 'supervision_hours',
            minimum: 4,
            unit: 'hours',
            body: 'com',
            inWords: 'Members of the College of Mediators: at least 4 hours of supervision by a more experienced mediator each year.',
          },
        ],
        categoryCaps: [],
        graceDays: 60,
        proRateFirstPeriod: true,
        terms: ['The register year runs from 1 April to 31 March.'],
      },
    ],
  });
export const PublicRuleSetListSchema = z
  .object({ asOf: DateSchema.describe('Today in London: what `inForce` and `standing` are relative to'), items: z.array(PublicRuleSetSchema).describe('Every version, oldest first') })
  .meta({ id: 'PublicRuleSetList' });
