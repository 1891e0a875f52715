import type { RouteOptions } from 'fastify';
import { STATUS_TITLES } from '../errors.ts';

type JsonSchema = Record<string, unknown>;
type Responses = Record<string, JsonSchema>;

const PROBLEM: JsonSchema = { $ref: '#/components/schemas/Problem' };

/** What each error status means on this API; the body's `code` says which failure it was. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid or unreadable; `errors` names the fields at fault.',
  401: 'No valid access token, or its session has ended: sign in (again).',
  403: 'Signed in, but not allowed: the role, the body, or a rule about one’s own records.',
  404: 'Not found, or not the caller’s to see.',
  409: 'Conflicts with the current state of the register: reload, and decide again.',
  410: 'The link no longer works.',
  413: 'The request body is larger than this endpoint accepts.',
  415: 'The request body’s media type is not one this endpoint accepts.',
  422: 'Well-formed, but against a rule of the register; `code` says which.',
  // Both carry a Retry-After header (seconds). It is not declared as a header: the OWASP lint would then
  // want CORS headers declared beside it, which this API does not send (.spectral.mjs).
  429: 'Too many requests: wait the seconds the Retry-After header gives.',
  503: 'The database is briefly unavailable: try again after the seconds the Retry-After header gives.',
};

const SUCCESS_DESCRIPTIONS: Record<number, string> = {
  200: 'Success',
  201: 'Created',
  202: 'Accepted: the answer is the same whatever happens next, which is told by email',
  204: 'Done; no content',
  304: 'Not modified since the copy the client holds',
};

/**
 * The failures the framework and plugins answer on a route, whatever its handler does, from what the
 * route declares: a body can be too large or of the wrong type, a rate limit can run out, and every
 * /v1 route reads the database (a signed-in caller's session included), which can be out of reach.
 */
function frameworkStatuses(schema: JsonSchema, route: RouteOptions, url: string): number[] {
  const statuses: number[] = [];
  if (schema.body) statuses.push(413, 415);
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) statuses.push(429);
  if (url.startsWith('/v1/')) statuses.push(503);
  return statuses;
}

/** An error response: application/problem+json, the declared schema (the Problem, or one extending it). */
function problemResponse(status: number, declared: JsonSchema): JsonSchema {
  const content = declared.content as Record<string, { schema: JsonSchema }> | undefined;
  const schema = content ? Object.values(content)[0]!.schema : declared;
  return {
    description: ERROR_DESCRIPTIONS[status] ?? STATUS_TITLES[status] ?? 'Client error',
    content: { 'application/problem+json': { schema } },
  };
}

/** A success response keeps its schema and media type, and gains a description if it has none. */
function successResponse(status: number, declared: JsonSchema): JsonSchema {
  const description = declared.description ?? SUCCESS_DESCRIPTIONS[status] ?? 'Success';
  // Already in the content form (CSV, metrics): its media type stays.
  if (declared.content) return { ...declared, description };
  // No body (204, 304).
  if (declared.type === 'null' || Object.keys(declared).every((key) => key === 'description')) return { type: 'null', description };
  return { description, content: { 'application/json': { schema: declared } } };
}

/**
 * Completes a route's OpenAPI responses (after fastify-type-provider-zod's transform): the failures
 * the framework answers, every error as application/problem+json with the shared Problem schema, and
 * a description on every response. A route that declares no response (the HTML pages) gets a plain 200.
 */
export function documentResponses(schema: JsonSchema, route: RouteOptions, url: string): void {
  const declared: Responses = { ...(schema.response as Responses | undefined) };
  for (const status of frameworkStatuses(schema, route, url)) declared[status] ??= PROBLEM;
  if (!Object.keys(declared).some((status) => Number(status) < 400)) declared[200] = { type: 'null', description: 'Success: the page or file the summary names' };
  schema.response = Object.fromEntries(
    Object.entries(declared).map(([key, value]) => {
      const status = Number(key);
      return [key, status >= 400 ? problemResponse(status, value) : successResponse(status, value)];
    }),
  );
}
