import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { mediators } from '../src/db/schema.ts';
import { ComplianceOutcomeSchema } from './compliance.ts';
import { BodySchema, DateSchema, EntryStatusSchema, LanguageTagSchema, PageQuerySchema, RegionSchema, text } from './common.ts';

/** An entry's row as the API spells it (dates as YYYY-MM-DD, the body described). */
const MediatorRowSchema = createSelectSchema(mediators, {
  body: () => BodySchema,
  firstAccreditedOn: () => DateSchema,
  complianceStartOn: () => DateSchema,
  insuranceExpiresOn: () => DateSchema,
});

/** What an admin sees of an entry (more than the public; never account secrets). */
export const AdminMediatorSchema = z
  .object({
    ...MediatorRowSchema.pick({ id: true, userId: true, fullName: true }).shape,
    email: z.string(),
    ...MediatorRowSchema.pick({ body: true, membershipNumber: true, status: true, route: true, firstAccreditedOn: true, complianceStartOn: true }).shape,
    latestAssessment: z.object({ periodStart: DateSchema, outcome: ComplianceOutcomeSchema }).nullable(),
  })
  .meta({ id: 'AdminMediator' });

export const AdminMediatorQuerySchema = z.strictObject({
  status: EntryStatusSchema.optional(),
  body: BodySchema.optional(),
  q: z.string().trim().max(100).optional(),
  ...PageQuerySchema.shape,
});

export const StatusChangeBodySchema = z.strictObject({ status: EntryStatusSchema, reason: text(2000, 3) });

const phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[0-9 ()-]{6,}$/, 'must be a phone number');

/**
 * What a mediator may change about themselves. Status, route, body, membership and dates are
 * decided by others, so they are not here: a strict object answers 400 to any of them.
 */
export const ProfilePatchSchema = z.strictObject({
  fullName: text(200).optional(),
  organisation: text(200).nullable().optional(),
  regions: z.array(RegionSchema).max(10).optional(),
  languages: z.array(LanguageTagSchema).max(20).optional(),
  contactEmail: z.email().max(254).nullable().optional(),
  contactPhone: phone.nullable().optional(),
  website: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .nullable()
    .optional(),
  showEmail: z.boolean().optional(),
  showPhone: z.boolean().optional(),
  showWebsite: z.boolean().optional(),
  insurer: text(200).nullable().optional(),
  insuranceCoverGbp: z.number().int().min(0).max(1_000_000_000).nullable().optional(),
  insuranceExpiresOn: DateSchema.nullable().optional(),
});

/** Every field is a column of the entry, under the same name (the profile service reads them so). */
export const ProfileSchema = MediatorRowSchema.pick({
  id: true,
  fullName: true,
  organisation: true,
  regions: true,
  languages: true,
  contactEmail: true,
  contactPhone: true,
  website: true,
  showEmail: true,
  showPhone: true,
  showWebsite: true,
  insurer: true,
  insuranceCoverGbp: true,
  insuranceExpiresOn: true,
  body: true,
  membershipNumber: true,
  status: true,
  route: true,
  firstAccreditedOn: true,
}).meta({ id: 'Profile' });
