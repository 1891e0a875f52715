import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { cpdEntries } from '../src/db/schema.ts';
import { CPD_CATEGORIES } from '../src/domain/vocabulary.ts';
import { DateSchema, PageQuerySchema, RegisterYearSchema, TimestampSchema, page, text } from './common.ts';

/** Hours in quarter-hour steps between 0.25 and `max`. */
export const hoursSchema = (max: number) => z.number().min(0.25).max(max).multipleOf(0.25).describe(`Hours, in steps of 0.25, from 0.25 to ${max}`);

/** `?period=2025`: entries in the register year starting in 2025. */
export const LogQuerySchema = PageQuerySchema.extend({
  period: RegisterYearSchema.optional(),
});

export const CpdBodySchema = z.strictObject({
  date: DateSchema.describe('When the CPD took place; not in the future'),
  hours: hoursSchema(40),
  category: z.enum(CPD_CATEGORIES),
  sendSpecific: z.boolean().describe('Counts towards SEND-specific CPD hours'),
  title: text(200),
  provider: text(200).nullable().optional(),
  reflection: z.string().trim().max(5000).nullable().optional(),
  evidenceRef: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .optional()
    .describe('A link to evidence, stored as text; the server never fetches it'),
});
export const CpdPatchSchema = CpdBodySchema.partial().refine((b) => Object.keys(b).length > 0, 'at least one field');

/** A log entry's date and timestamps as the API spells them (YYYY-MM-DD, ISO 8601 instants). */
export const entryDates = { date: () => DateSchema, createdAt: () => TimestampSchema, updatedAt: () => TimestampSchema };

// Picked, not omitted: a column added to the table stays out of the API until named here.
export const CpdEntrySchema = createSelectSchema(cpdEntries, entryDates)
  .pick({ id: true, date: true, hours: true, category: true, sendSpecific: true, title: true, provider: true, reflection: true, evidenceRef: true, createdAt: true, updatedAt: true })
  .meta({ id: 'CpdEntry' });
export const CpdPageSchema = page(CpdEntrySchema);
