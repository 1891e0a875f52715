import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpProblem, problem, serviceUnavailable, type FieldError, type ProblemCode } from '../errors.ts';
import { pgCode } from '../db/pg-errors.ts';

const LOCATION: Record<string, FieldError['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

// PostgreSQL SQLSTATEs that mean "the database cannot serve this now", not "the request was wrong":
// the backend ended (admin or crash shutdown, starting up, database dropped, idle-session and
// idle-in-transaction limits), the connection failed, too many connections, or the statement was
// cancelled (statement_timeout, or an operator's pg_cancel_backend).
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '57P04', '57P05', '25P03', '57014', '08000', '08003', '08006', '08001', '08004', '53300']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
// node-postgres reports a dead or unreachable connection, and a pool with no free connection
// (`timeout exceeded when trying to connect`), in messages only.
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|database closed|PGlite is closed/i;
/** Seconds a client is asked to wait after a 503: long enough for the pool to free up or reconnect. */
const RETRY_AFTER_SECONDS = 5;

function isDatabaseUnavailable(err: unknown): boolean {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && (UNAVAILABLE.has(e.code) || NETWORK.has(e.code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** Client errors Fastify raises itself, by status: the catalogue's generic codes. */
const HTTP_LAYER: Partial<Record<number, ProblemCode>> = {
  400: 'malformed-request',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  413: 'content-too-large',
  415: 'unsupported-media-type',
};

/** Maps anything thrown into one problem+json answer; 5xx bodies never carry internals. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const where = LOCATION[fe.validationContext ?? 'body'] ?? 'body';
    const errors = fe.validation.map((v) => ({
      in: where,
      field: fieldName(v.instancePath, v.params),
      message: v.message ?? 'is invalid',
    }));
    return problem('validation-failed', `The request ${where} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, errors);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem('content-too-large', 'The request body is larger than this endpoint accepts.');
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH') return problem('uri-too-long', 'A path parameter is longer than this API accepts.');
  if (fe.code === 'FST_ERR_BAD_URL') return problem('malformed-request', 'The URL is not valid (check its percent-encoding).');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem('unsupported-media-type', 'Send application/json (or text/csv where the endpoint says so).');
  if (isDatabaseUnavailable(err)) return serviceUnavailable();
  const code = pgCode(err);
  // NUL bytes and the like in text: the client sent characters no column can hold.
  if (code === '22021' || code === '22P05') return problem('unstorable-characters', 'The request contains characters that cannot be stored (such as NUL).');
  if (code === '23505') return problem('duplicate', 'This conflicts with an existing record.');
  if (code === '40001' || code === '40P01') return problem('concurrent-change', 'A concurrent change got there first; reload and try again.');
  if (code === '23503' || code === '23514' || code === '22P02' || code === '22007' || code === '22008') {
    return problem('register-constraint', 'The request does not fit the current state of the register.');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new HttpProblem(HTTP_LAYER[fe.statusCode] ?? 'request-error', fe.message, { status: fe.statusCode });
  }
  return problem('internal-error', 'Something went wrong on our side; it has been logged.');
}

function fieldName(instancePath: string | undefined, params: unknown): string {
  const path = (instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const keys = (params as { keys?: string[] } | undefined)?.keys;
  const extra = Array.isArray(keys) && keys.length ? keys.join(', ') : '';
  if (extra) return path ? `${path}.${extra}` : extra;
  return path || '(root)';
}

/** The problem+json body: the catalogue's `type` and `code`, then the status, title, detail and extras. */
export const problemBody = (p: HttpProblem) => ({ type: p.type, code: p.code, status: p.status, title: p.title, detail: p.detail, ...(p.errors && { errors: p.errors }), ...p.extra });

export function sendProblem(reply: FastifyReply, failure: HttpProblem) {
  // Every 503 is the database briefly out of reach: say when to come back.
  if (failure.status === 503 && !failure.headers['retry-after']) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply.headers(failure.headers).code(failure.status).type('application/problem+json').serializer(JSON.stringify).send(problemBody(failure));
}

/**
 * For Fastify's `frameworkErrors` option: errors the router raises before a route runs (an
 * over-long or badly encoded path parameter), which would otherwise be plain JSON.
 */
export const frameworkErrors = (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => sendProblem(reply, toProblem(err));

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err, req: FastifyRequest, reply) => {
    const failure = toProblem(err);
    if (failure.status === 503) req.log.warn({ err }, 'database unavailable');
    else if (failure.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(reply, failure);
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not-found', `No route for ${req.method} ${req.url.split('?')[0]}.`)));
}
