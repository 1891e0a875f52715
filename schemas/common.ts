import { z } from 'zod';
import { BODIES, ENTRY_STATUSES, ROLES, ROUTES } from '../src/domain/vocabulary.ts';
import { PROBLEM_CODES, PROBLEMS } from '../src/errors.ts';

export const ProblemSchema = z
  .object({
    type: z.string().describe('`/problems/<code>`'),
    code: z
      .enum(PROBLEM_CODES)
      .describe(`What failed, stable across releases (the detail's wording is not):\n${PROBLEM_CODES.map((c) => `- \`${c}\` (${PROBLEMS[c].status}): ${PROBLEMS[c].when}`).join('\n')}`),
    status: z.number().int(),
    title: z.string(),
    detail: z.string(),
    errors: z
      .array(z.object({ in: z.string(), field: z.string(), message: z.string() }))
      .optional()
      .describe('For validation failures: each field that was wrong, and why'),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem detail (application/problem+json)' });

export const IdSchema = z.uuid();
export const IdParamsSchema = z.strictObject({ id: IdSchema });

/** A calendar date, YYYY-MM-DD, that really exists (no 31 February). */
export const DateSchema = z.iso.date().meta({ example: '2025-04-01' });
export const TimestampSchema = z.iso.datetime();

export const BodySchema = z.enum(BODIES).describe('Home body: College of Mediators or Civil Mediation Council');
export const RoleSchema = z.enum(ROLES);
export const EntryStatusSchema = z.enum(ENTRY_STATUSES);
export const RouteSchema = z.enum(ROUTES);

/** The nine English regions, and `national` for mediators who work remotely anywhere in England. */
export const REGIONS = ['north_east', 'north_west', 'yorkshire_and_the_humber', 'east_midlands', 'west_midlands', 'east_of_england', 'london', 'south_east', 'south_west', 'national'] as const;
export const RegionSchema = z.enum(REGIONS);

/** A BCP 47 language tag (`en`, `cy`, `en-GB`, `bfi` for British Sign Language), stored lower case. */
export const LanguageTagSchema = z
  .string()
  .trim()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en, cy or en-GB')
  .transform((v) => v.toLowerCase());

// Characters that show nothing or rearrange what is around them: controls other than tab and line
// breaks, format characters (bidirectional overrides, marks and isolates, zero-width characters, the
// soft hyphen, byte order marks, tags) and the other default-ignorables (Hangul fillers, variation
// selectors). In a public name they hide text, reverse it, or make two different names look alike.
// Also half a surrogate pair (JSON's \ud800): no character at all, and PostgreSQL refuses it.
const HIDDEN = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu;
// Except where writing needs them. Zero-width (non-)joiners spell words in Arabic-script languages
// (Persian, Urdu) and choose conjuncts in the Indic scripts of British community languages: allowed
// between two letters or marks of those scripts, never between Latin ones. Emoji ZWJ sequences (the
// judge emoji is person + ZWJ + scales) are refused: no name needs one.
const JOINING = String.raw`[\p{scx=Arabic}\p{scx=Devanagari}\p{scx=Bengali}\p{scx=Gurmukhi}\p{scx=Gujarati}\p{scx=Oriya}\p{scx=Tamil}\p{scx=Telugu}\p{scx=Kannada}\p{scx=Malayalam}\p{scx=Sinhala}]`;
const SPELLING_JOINER = new RegExp(`(?<=${JOINING})[\u200C\u200D](?=${JOINING})`, 'gu');
// Phone keyboards add a presentation selector to some emoji (❤️): harmless right after one.
const EMOJI_PRESENTATION = /(?<=\p{Extended_Pictographic})[\uFE0E\uFE0F]/gu;

/** The code points (as U+XXXX) in `v` that text() refuses as control or invisible characters. */
export function hiddenCharacters(v: string): string[] {
  const rest = v.replace(SPELLING_JOINER, '').replace(EMOJI_PRESENTATION, '');
  return [...new Set(Array.from(rest.matchAll(HIDDEN), ([c]) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`))];
}

/**
 * Trimmed text with a length bound, in NFC (so a name typed with a combining accent equals the
 * precomposed one); control and invisible characters refused.
 */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .normalize('NFC')
    .min(min)
    .max(max)
    .superRefine((v, ctx) => {
      const hidden = hiddenCharacters(v);
      const shown = hidden.length > 5 ? [...hidden.slice(0, 5), '…'] : hidden;
      if (hidden.length) ctx.addIssue({ code: 'custom', message: `must not contain control or invisible characters (found ${shown.join(', ')})` });
    });

/**
 * A register year by the calendar year it starts in (2025 = the year from 1 April 2025), as a query
 * or body parameter. From 2000: older years hold nothing, but asking for one is not an error.
 */
export const RegisterYearSchema = z.coerce.number().int().min(2000).max(2100).describe('Register year, by the calendar year it starts in');

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * Request bodies the route validates loosely, because a service checks them and names the fields at
 * fault, documented in the OpenAPI with their exact shapes by media type (plugins/openapi.ts).
 */
const bodyDocs = new WeakMap<object, Record<string, z.ZodType>>();
export function documentBody<T extends z.ZodType>(body: T, content: Record<string, z.ZodType>): T {
  bodyDocs.set(body, content);
  return body;
}
export const documentedBody = (body: unknown): Record<string, z.ZodType> | undefined => (body && typeof body === 'object' ? bodyDocs.get(body) : undefined);

/**
 * Failures a route's own work can give, documented once. The rest come from what the route declares
 * (plugins/openapi-responses.ts): 401 and 403 from its access, 429 from a rate limit, 413 and 415
 * from a body, 503 on every /v1 route.
 */
export const problemResponses = {
  400: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
} as const;
