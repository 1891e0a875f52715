import { z } from 'zod';
import { PRACTICE_KINDS, SEND_OUTCOMES } from '../src/domain/rule-set.ts';
import { DateSchema, IdSchema, TimestampSchema, page, text } from './common.ts';
import { hoursSchema } from './cpd.ts';

const EMAIL_LIKE = /\S+@\S+\.\S+/;
/** Where a phone number could begin: `+`, `0` or `(0` not preceded by another digit. */
const PHONE_STARTS = /(?<!\d)(?:\+|\(?0)[\d\s().-]*/g;
/**
 * Digits from such a start that read as a phone number: international (+ or 00) or UK national
 * (0 then a non-zero digit) with a number's length. A year or serial number inside a reference
 * ("SEND-2025-000123") is not one.
 */
const PHONE_DIGITS = /^(?:\+\d{9,14}|00[1-9]\d{8,12}|0[1-9]\d{8,9})/;
const looksLikePhone = (v: string) => (v.match(PHONE_STARTS) ?? []).some((run) => PHONE_DIGITS.test(run.replace(/[^\d+]/g, '')));

export const CaseReferenceSchema = text(100)
  .refine((v) => !EMAIL_LIKE.test(v), 'looks like an email address: use your own opaque reference, never personal data of families')
  .refine((v) => !looksLikePhone(v), 'looks like a phone number: use your own opaque reference, never personal data of families')
  .describe('Your own opaque case reference. Never names, emails, phone numbers or other personal data of families.');

export const PracticeBodySchema = z.strictObject({
  date: DateSchema.describe('When the session took place; not in the future'),
  hours: hoursSchema(24),
  kind: z.enum(PRACTICE_KINDS),
  outcome: z.enum(SEND_OUTCOMES).nullable().optional().describe('Required for SEND mediations and co-mediations; absent otherwise'),
  caseReference: CaseReferenceSchema.nullable().optional(),
});
export const PracticePatchSchema = PracticeBodySchema.partial().refine((b) => Object.keys(b).length > 0, 'at least one field');

export const PracticeEntrySchema = z
  .object({
    id: IdSchema,
    date: DateSchema,
    hours: z.number(),
    kind: z.enum(PRACTICE_KINDS),
    outcome: z.enum(SEND_OUTCOMES).nullable(),
    caseReference: z.string().nullable(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
  })
  .meta({ id: 'PracticeEntry' });
export const PracticePageSchema = page(PracticeEntrySchema);
