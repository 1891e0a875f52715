import { z } from 'zod';
import { BodySchema, DateSchema, EntryStatusSchema, LanguageTagSchema, PageQuerySchema, RegionSchema, RouteSchema, page } from './common.ts';

/**
 * The public register entry: an allow-list. The serializer strips every key not named here, so
 * nothing else about a person (account, insurance, reasons, unpublished contacts) can leave.
 */
export const PublicEntrySchema = z
  .object({
    id: z.uuid().describe('The register entry id (not an account id)'),
    fullName: z.string(),
    body: BodySchema,
    membershipNumber: z.string().nullable(),
    route: RouteSchema.nullable(),
    firstAccreditedOn: DateSchema.nullable(),
    regions: z.array(RegionSchema.or(z.string())),
    languages: z.array(z.string()),
    organisation: z.string().nullable(),
    contactEmail: z.string().nullable().describe('Only when the mediator has chosen to publish it'),
    contactPhone: z.string().nullable().describe('Only when the mediator has chosen to publish it'),
    website: z.string().nullable().describe('Only when the mediator has chosen to publish it'),
    cpdUpToDateFor: z.string().nullable().describe('The latest register year assessed compliant, e.g. "2025/26" ("CPD up to date for 2025/26")'),
  })
  .meta({ id: 'PublicEntry' });

export const PublicEntryKeys = Object.keys(PublicEntrySchema.shape);

export const RegisterSearchQuerySchema = z.strictObject({
  q: z.string().trim().max(100, 'must be at most 100 characters').optional().describe('Name or organisation: any case, accents optional, small typos tolerated'),
  region: RegionSchema.optional().describe('Those who cover the region, then those who work remotely across England (`national`), each in name order'),
  body: BodySchema.optional(),
  language: LanguageTagSchema.optional(),
  ...PageQuerySchema.shape,
});
export type RegisterSearchQuery = z.infer<typeof RegisterSearchQuerySchema>;

/** How a search's items relate to `q`: matched as typed, or the closest names instead. */
export const SearchMatchSchema = z.enum(['exact', 'similar']);
export type SearchMatch = z.infer<typeof SearchMatchSchema>;

export const RegisterSearchPageSchema = page(PublicEntrySchema)
  .extend({
    match: SearchMatchSchema.describe(
      '`similar` when nothing matches `q` as typed and the items are the names closest to it instead (so on every page of them); `exact` otherwise, and always without `q`',
    ),
  })
  .meta({ id: 'RegisterSearchPage' });

export const PublicHistorySchema = z
  .object({ items: z.array(z.object({ status: EntryStatusSchema, date: DateSchema })) })
  .meta({ id: 'PublicHistory', description: 'Status changes, oldest first; reasons are never published' });
