import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { practiceEntries } from '../src/db/schema.ts';
import { PRACTICE_KINDS, SEND_OUTCOMES } from '../src/domain/vocabulary.ts';
import { DateSchema, page } from './common.ts';
import { entryDates, hoursSchema } from './cpd.ts';

/**
 * A case reference as case-management systems write them (SEND-2025-000123, LA/123/45,
 * KCC2025_0042): letters, digits and - / _ . with at least one digit. No spaces, @ or +, so a
 * name, an email or a written-out phone number cannot be entered. No digits before the \d, so
 * each input matches one way only (no backtracking blow-up on long input).
 */
const CASE_REFERENCE = /^[A-Za-z_./-]*\d[\w./-]*$/;
const CASE_REFERENCE_RULE =
  "must be your service's case number (letters, digits and - / _ . with at least one digit, no spaces, at most 40 characters): never a child's or family's name, email or phone number";

export const CaseReferenceSchema = z
  .string()
  .trim()
  .max(40, CASE_REFERENCE_RULE)
  .regex(CASE_REFERENCE, CASE_REFERENCE_RULE)
  .describe(
    "Your service's case number as its case-management system writes it, e.g. SEND-2025-000123 or LA/123/45: letters, digits and - / _ . with at least one digit, no spaces, at most 40 characters. Never a child's or family's name, email or phone number; a number of digits only is taken as a case number.",
  );

export const PracticeBodySchema = z.strictObject({
  date: DateSchema.describe('When the session took place; not in the future'),
  hours: hoursSchema(24),
  kind: z.enum(PRACTICE_KINDS),
  outcome: z.enum(SEND_OUTCOMES).nullable().optional().describe('Required for SEND mediations and co-mediations; absent otherwise'),
  caseReference: CaseReferenceSchema.nullable().optional(),
});
export const PracticePatchSchema = PracticeBodySchema.partial().refine((b) => Object.keys(b).length > 0, 'at least one field');

export const PracticeEntrySchema = createSelectSchema(practiceEntries, entryDates)
  .pick({ id: true, date: true, hours: true, kind: true, outcome: true, caseReference: true, createdAt: true, updatedAt: true })
  .meta({ id: 'PracticeEntry' });
export const PracticePageSchema = page(PracticeEntrySchema);
