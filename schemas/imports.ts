import { z } from 'zod';
import { EmailSchema, PasswordSchema } from './auth.ts';
import { BodySchema, DateSchema, documentBody, LanguageTagSchema, ProblemSchema, RegionSchema, text } from './common.ts';
import { ProfilePatchSchema } from './mediators.ts';

const yesNo = z.union([z.boolean(), z.string().trim().toLowerCase()]).transform((v, ctx) => {
  if (typeof v === 'boolean') return v;
  if (['yes', 'y', 'true', '1'].includes(v)) return true;
  if (['no', 'n', 'false', '0', ''].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: 'must be yes or no' });
  return z.NEVER;
});
/** CSV cells hold `a;b;c`; JSON holds arrays. Both arrive here. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(';')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item).max(20),
  );
const optionalText = (schema: z.ZodType) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** One grandfathered member, validated with the same field schemas as the API. */
export const GrandfatheredRowSchema = z.strictObject({
  fullName: text(200),
  email: EmailSchema,
  body: optionalText(BodySchema),
  membershipNumber: text(40),
  firstAccreditedOn: DateSchema,
  regions: list(RegionSchema),
  languages: list(LanguageTagSchema),
  organisation: optionalText(ProfilePatchSchema.shape.organisation.unwrap().unwrap()),
  contactEmail: optionalText(ProfilePatchSchema.shape.contactEmail.unwrap().unwrap()),
  contactPhone: optionalText(ProfilePatchSchema.shape.contactPhone.unwrap().unwrap()),
  website: optionalText(ProfilePatchSchema.shape.website.unwrap().unwrap()),
  showEmail: yesNo.optional(),
  showPhone: yesNo.optional(),
  showWebsite: yesNo.optional(),
});
export type GrandfatheredRow = z.infer<typeof GrandfatheredRowSchema>;

export const ImportQuerySchema = z.strictObject({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  body: BodySchema.optional().describe('Required for a registrar; an admin imports into their own body'),
});

const CsvImportSchema = z.string().max(100_000_000).describe('text/csv with a header row');
const JsonImportSchema = z
  .array(z.record(z.string().max(64), z.unknown()))
  .max(50_000)
  .describe('application/json: an array of rows');
export const ImportBodySchema = documentBody(z.union([CsvImportSchema, JsonImportSchema]), { 'text/csv': CsvImportSchema, 'application/json': JsonImportSchema });

export const ImportReportSchema = z
  .object({
    dryRun: z.boolean(),
    body: BodySchema,
    written: z.boolean(),
    counts: z.object({ rows: z.number().int(), create: z.number().int(), unchanged: z.number().int(), error: z.number().int() }),
    errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })),
  })
  .meta({ id: 'ImportReport' });

/** A real run refused for row errors: a problem (application/problem+json) carrying the report. */
export const ImportRefusedSchema = ProblemSchema.extend(ImportReportSchema.shape).meta({ id: 'ImportRefused' });

export const ClaimBodySchema = z.strictObject({ token: z.string().min(1).max(200), password: PasswordSchema });
