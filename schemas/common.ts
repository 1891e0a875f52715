import { z } from 'zod';

export const ProblemSchema = z
  .object({
    type: z.string().optional(),
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

export const BodySchema = z.enum(['com', 'cmc']).describe('Home body: College of Mediators or Civil Mediation Council');
export const RoleSchema = z.enum(['mediator', 'assessor', 'admin', 'registrar']);

/** The nine English regions, and `national` for mediators who work remotely anywhere in England. */
export const REGIONS = [
  'north_east',
  'north_west',
  'yorkshire_and_the_humber',
  'east_midlands',
  'west_midlands',
  'east_of_england',
  'london',
  'south_east',
  'south_west',
  'national',
] as const;
export const RegionSchema = z.enum(REGIONS);

/** A BCP 47 language tag (`en`, `cy`, `en-GB`, `bfi` for British Sign Language), stored lower case. */
export const LanguageTagSchema = z
  .string()
  .trim()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en, cy or en-GB')
  .transform((v) => v.toLowerCase());

/** Trimmed single-line text with a length bound; control characters refused. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((v) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v), 'must not contain control characters');

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Responses every authenticated route can give, documented once. */
export const problemResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
  429: ProblemSchema,
} as const;
