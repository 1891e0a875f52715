import { z } from 'zod';
import { BodySchema, DateSchema, EntryStatusSchema, LanguageTagSchema, PageQuerySchema, RegionSchema, RouteSchema, page } from './common.ts';
import { ENTRY_STATUSES, type EntryStatus } from '../src/domain/vocabulary.ts';

const ONLY_WHILE_ACCREDITED = 'Only while the entry is accredited (null, or empty, otherwise)';
const PUBLISHED_CONTACT = 'Only while the entry is accredited and the mediator has chosen to publish it';

/**
 * The public register entry: an allow-list. The serializer strips every key not named here, so
 * nothing else about a person (account, insurance, reasons, unpublished contacts) can leave.
 * Every entry ever on the register has one, labelled with its status; how to reach the mediator
 * (organisation, areas, languages, contacts) only while accredited.
 */
export const PublicEntrySchema = z
  .object({
    id: z.uuid().describe('The register entry id (not an account id)'),
    fullName: z.string(),
    body: BodySchema,
    membershipNumber: z.string().nullable(),
    route: RouteSchema.nullable(),
    firstAccreditedOn: DateSchema.nullable(),
    status: EntryStatusSchema.describe('Only `accredited` entries may be booked as accredited SEND mediators'),
    statusSince: DateSchema.describe('The London date the current status took effect (its latest status history entry)'),
    statusExplained: z.string().describe('What the status means, in one plain sentence (never the reason for it)'),
    regions: z.array(RegionSchema.or(z.string())).describe(ONLY_WHILE_ACCREDITED),
    languages: z.array(z.string()).describe(ONLY_WHILE_ACCREDITED),
    organisation: z.string().nullable().describe(ONLY_WHILE_ACCREDITED),
    contactEmail: z.string().nullable().describe(PUBLISHED_CONTACT),
    contactPhone: z.string().nullable().describe(PUBLISHED_CONTACT),
    website: z.string().nullable().describe(PUBLISHED_CONTACT),
    cpdUpToDateFor: z.string().nullable().describe('The latest register year assessed compliant, e.g. "2025/26" ("CPD up to date for 2025/26")'),
  })
  .meta({
    id: 'PublicEntry',
    examples: [
      {
        id: '0b6f3c1e-5d0a-4e57-9a43-2f1d8e7c6b50',
        fullName: 'Zoë Ellis',
        body: 'com',
        membershipNumber: 'COM-01234',
        route: 'standards_2024',
        firstAccreditedOn: '2024-09-02',
        status: 'accredited',
        statusSince: '2024-09-02',
        statusExplained: 'Accredited since 2 September 2024: this mediator meets the register’s standards and may be booked as an accredited SEND mediator.',
        regions: ['london', 'national'],
        languages: ['en', 'cy'],
        organisation: 'Ellis Mediation',
        contactEmail: 'zoe@example.org',
        contactPhone: null,
        website: 'https://ellis-mediation.example.org',
        cpdUpToDateFor: '2025/26',
      },
      {
        id: '7a1d2e44-93b8-4c0f-8e6a-51c2d9f0a3b7',
        fullName: 'Sam Okafor',
        body: 'cmc',
        membershipNumber: 'CMC-0456',
        route: 'grandfathered_2018',
        firstAccreditedOn: '2019-06-01',
        status: 'lapsed',
        statusSince: '2026-05-31',
        statusExplained: 'Lapsed on 31 May 2026: this mediator’s accreditation has ended, so they are not currently accredited, though it can be restored if they meet the requirements again.',
        regions: [],
        languages: [],
        organisation: null,
        contactEmail: null,
        contactPhone: null,
        website: null,
        cpdUpToDateFor: '2024/25',
      },
    ],
  });

export const PublicEntryKeys = Object.keys(PublicEntrySchema.shape);

const ONE_STATUS = `(${[...ENTRY_STATUSES, 'any'].join('|')})`;

/** `?status=lapsed,suspended`: comma separated (one parameter, so a link or bookmark reads as one choice); `any` is all four. */
export const SearchStatusSchema = z
  .string()
  .regex(new RegExp(`^${ONE_STATUS}(,${ONE_STATUS})*$`), `must be any, or one or more of ${ENTRY_STATUSES.join(', ')}, comma separated`)
  .default('accredited')
  .transform((v): EntryStatus[] => (v.split(',').includes('any') ? [...ENTRY_STATUSES] : [...new Set(v.split(',') as EntryStatus[])]))
  .describe(
    'Which entries to list, comma separated: `accredited` (the default), `suspended`, `lapsed`, `removed`, or `any`. Each item carries its `status`; a removed entry is listed only for the years it stays publicly visible.',
  )
  .meta({ example: 'lapsed,suspended' });

export const RegisterSearchQuerySchema = z.strictObject({
  q: z.string().trim().max(100, 'must be at most 100 characters').optional().describe('Name or organisation: any case, accents optional, small typos tolerated'),
  region: RegionSchema.optional().describe('Those who cover the region, then those who work remotely across England (`national`), each in name order'),
  body: BodySchema.optional(),
  language: LanguageTagSchema.optional(),
  status: SearchStatusSchema,
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
    total: z
      .int()
      .nullable()
      .describe(
        'How many entries the search finds (every page of it, in the tier `match` names), exact up to 1000; past that 1000 with `totalIsAtLeast`. Counted on the first page only (no `cursor`): null on the pages after it.',
      ),
    totalIsAtLeast: z.boolean().describe('`total` is a lower bound: the search finds more than 1000 entries'),
  })
  .meta({ id: 'RegisterSearchPage' });

export const PublicHistorySchema = z
  .object({ items: z.array(z.object({ status: EntryStatusSchema, date: DateSchema })) })
  .meta({ id: 'PublicHistory', description: 'Status changes, oldest first; reasons are never published' });
