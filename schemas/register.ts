import { z } from 'zod';
import { BodySchema, DateSchema, EntryStatusSchema, LanguageTagSchema, PageQuerySchema, RegionSchema, RouteSchema, page, text } from './common.ts';
import { ENTRY_STATUSES, type EntryStatus } from '../src/domain/vocabulary.ts';

const ONLY_WHILE_ACCREDITED = 'Only while the entry is accredited (null, or empty, otherwise)';
const PUBLISHED_CONTACT = 'Only while the entry is accredited and the mediator has chosen to publish it';

const ACCREDITED_EXAMPLE = {
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
};

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
      ACCREDITED_EXAMPLE,
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
  .max(60)
  .regex(new RegExp(`^${ONE_STATUS}(,${ONE_STATUS})*$`), `must be any, or one or more of ${ENTRY_STATUSES.join(', ')}, comma separated`)
  .default('accredited')
  .transform((v): EntryStatus[] => (v.split(',').includes('any') ? [...ENTRY_STATUSES] : [...new Set(v.split(',') as EntryStatus[])]))
  .describe(
    'Which entries to list, comma separated: `accredited` (the default), `suspended`, `lapsed`, `removed`, or `any`. Each item carries its `status`; a removed entry is listed only for the years it stays publicly visible.',
  )
  .meta({ example: 'lapsed,suspended' });

export const RegisterSearchQuerySchema = z.strictObject({
  q: z
    .string()
    .trim()
    .max(100, 'must be at most 100 characters')
    // No PostgreSQL text can hold NUL: refused here, naming q, rather than by the database.
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters')
    .optional()
    .describe('Name or organisation: any case, accents optional, small typos tolerated'),
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

const HistoryEntrySchema = z.object({ status: EntryStatusSchema, date: DateSchema.describe('London date of the change') });

export const PublicHistorySchema = z.object({ items: z.array(HistoryEntrySchema) }).meta({ id: 'PublicHistory', description: 'Status changes, oldest first; reasons are never published' });

/** The two ways to name an entry: its id, or its body and membership number (unique per body). */
export const MembershipNumberSchema = text(40).describe('The membership number the body gave the mediator, as on the register').meta({ example: 'COM-01234' });
export const EntryByNumberParamsSchema = z.strictObject({ body: BodySchema, membershipNumber: MembershipNumberSchema });

export const StatusAsOfQuerySchema = z.strictObject({
  asOf: DateSchema.optional().describe('A London date, today or earlier (YYYY-MM-DD); today when not given').meta({ example: '2026-03-12' }),
});

export const StatusOnDateSchema = z
  .object({
    id: z.uuid().describe('The register entry id'),
    asOf: DateSchema,
    status: z.enum([...ENTRY_STATUSES, 'not_registered']).describe('The status in force at the end of `asOf`; `not_registered` before the first accreditation'),
    since: DateSchema.nullable().describe('The London date that status began (null when `not_registered`)'),
    historyEntry: HistoryEntrySchema.nullable().describe('The public history entry that proves it (one of `GET /v1/register/{id}/history`); null when `not_registered`'),
  })
  .meta({
    id: 'StatusOnDate',
    description: 'An entry’s status on a date, from its public status history (London dates)',
    examples: [
      { id: '7a1d2e44-93b8-4c0f-8e6a-51c2d9f0a3b7', asOf: '2026-03-12', status: 'accredited', since: '2019-06-01', historyEntry: { status: 'accredited', date: '2019-06-01' } },
      { id: '7a1d2e44-93b8-4c0f-8e6a-51c2d9f0a3b7', asOf: '2018-01-15', status: 'not_registered', since: null, historyEntry: null },
    ],
  });

export const LookupQuerySchema = z
  .union([z.strictObject({ id: z.uuid() }), z.strictObject({ body: BodySchema, membershipNumber: MembershipNumberSchema })])
  .describe('An entry id, or a body and membership number');

export const LookupRequestSchema = z
  .strictObject({
    queries: z.array(LookupQuerySchema).min(1, 'must hold at least one query').max(100, 'must hold at most 100 queries'),
    asOf: DateSchema.optional().describe('Also the status of each entry found at the end of this London date (today or earlier): `statusOnDate`'),
  })
  .meta({
    id: 'LookupRequest',
    examples: [{ queries: [{ id: '0b6f3c1e-5d0a-4e57-9a43-2f1d8e7c6b50' }, { body: 'cmc', membershipNumber: 'CMC-0456' }, { body: 'com', membershipNumber: 'COM-99999' }], asOf: '2026-03-12' }],
  });

export type LookupRequest = z.infer<typeof LookupRequestSchema>;

export const LookupResponseSchema = z
  .object({
    results: z.array(
      z.union([
        z.object({ query: LookupQuerySchema, found: z.literal(true), entry: PublicEntrySchema, statusOnDate: StatusOnDateSchema.optional().describe('Only when the request gave `asOf`') }),
        z.object({ query: LookupQuerySchema, found: z.literal(false) }),
      ]),
    ),
  })
  .meta({
    id: 'LookupResponse',
    description:
      'One result per query, in the order asked. `found: false` when the query names no entry in public view: never on the register, or removed longer ago than the register keeps removed entries visible (which `GET /v1/register/{id}` answers with 410).',
    examples: [
      {
        results: [
          {
            query: { id: '0b6f3c1e-5d0a-4e57-9a43-2f1d8e7c6b50' },
            found: true,
            entry: ACCREDITED_EXAMPLE,
            statusOnDate: { id: '0b6f3c1e-5d0a-4e57-9a43-2f1d8e7c6b50', asOf: '2026-03-12', status: 'accredited', since: '2024-09-02', historyEntry: { status: 'accredited', date: '2024-09-02' } },
          },
          { query: { body: 'com', membershipNumber: 'COM-99999' }, found: false },
        ],
      },
    ],
  });
