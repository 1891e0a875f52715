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
