import { z } from 'zod';
import { PRACTICE_KINDS, SEND_OUTCOMES } from '../src/domain/rule-set.ts';
import { DateSchema, IdSchema, TimestampSchema, page, text } from './common.ts';
import { hoursSchema } from './cpd.ts';

const EMAIL_LIKE = /\S+@\S+\.\S+/;
const DIGIT_RUNS = /\+?\d[\d\s().-]*\d/g;
/** Ten to thirteen digits in one run (spaces, dots, dashes and brackets allowed): a phone number. */
const looksLikePhone = (v: string) => (v.match(DIGIT_RUNS) ?? []).some((run) => {
  const digits = run.replace(/\D/g, '').length;
  return digits >= 10 && digits <= 13;
});

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
