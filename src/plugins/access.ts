import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ProblemSchema } from '../../schemas/common.ts';
import { forbidden, problem, unauthorized } from '../errors.ts';
import type { Role } from '../domain/vocabulary.ts';
import type { AccessTokenClaims, SessionCheck } from '../lib/access-token.ts';
import { userActor, type RequestContext } from '../lib/context.ts';

/**
 * Who may call a route, declared on every route as `config.access`:
 * `public`, `authenticated` (any role) or the list of roles allowed. Object-level rules
 * (own records, own body) are the services' job.
 */
export type Access = 'public' | 'authenticated' | readonly Role[];

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every API route with who may call it (for docs, the permission matrix and its tests). */
    routeTable: RouteEntry[];
  }
  interface FastifyRequest {
    /** The signed-in caller, set by the access hook on non-public routes. */
    ctx: RequestContext;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessTokenClaims;
    user: AccessTokenClaims;
  }
}

/** How far apart the clocks of the instances that sign and check a token may be, in seconds. */
const LEEWAY_SECONDS = 5;

/**
 * For @fastify/jwt's `trusted` hook, after the signature, issuer, audience and expiry are verified:
 * the claims have the types this server signs (a session version included), the lifetime is no longer than the ones it issues,
 * and the token was not issued in the future (fast-jwt checks none of these). A correct signature
 * alone is not enough: a token minted by hand, by a tool that shares the secret or by a release with
 * a longer lifetime would otherwise be honoured for as long as it says, against the short lifetime
 * the API documents. The clock is the wall clock, as in fast-jwt's own checks and its signing.
 */
export const acceptableToken =
  (lifetimeSeconds: number) =>
  (_req: FastifyRequest, claims: Record<string, unknown>): boolean => {
    const { iat, exp, sub, ver } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || typeof sub !== 'string' || !Number.isInteger(ver)) return false;
    return exp - iat <= lifetimeSeconds + LEEWAY_SECONDS && iat <= Date.now() / 1000 + LEEWAY_SECONDS;
  };

/** Refuses to register a route that does not say who may call it; records the ones that do. */
function declaredAccess(route: RouteOptions): Access {
  const access = (route.config as { access?: Access } | undefined)?.access;
  if (access === undefined) {
    throw new Error(`Route ${String(route.method)} ${route.url} does not declare config.access`);
  }
  return access;
}

const SESSION_ENDED = 'This session has ended (the account changed, or signed out everywhere); sign in again.';

/** The access hook: `sessions` tells whether a token's version is still the account's. */
export const enforceAccess = (sessions: SessionCheck) => async (req: FastifyRequest) => {
  const access = req.routeOptions.config.access;
  if (access === 'public' || access === undefined) {
    req.ctx = { actor: { type: 'anonymous' }, requestId: req.id, ip: req.ip };
    return;
  }
  let claims: AccessTokenClaims;
  try {
    claims = await req.jwtVerify<AccessTokenClaims>();
  } catch {
    throw unauthorized();
  }
  const session = await sessions.current(claims.sub);
  if (!session || session.disabled || session.version !== claims.ver) throw problem('session-ended', SESSION_ENDED);
  req.ctx = { actor: userActor({ id: claims.sub, role: claims.role, body: claims.body }), requestId: req.id, ip: req.ip };
  if (access !== 'authenticated' && !access.includes(claims.role)) throw forbidden();
};

/** The access token as an OpenAPI security scheme, named `bearerAuth` in the document. */
export const BEARER_AUTH_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'Short-lived access token from POST /v1/auth/login. Follows RFC8725: HS256 only (the algorithm is pinned, ' + '"none" refused), issuer, audience and expiry always checked.',
} as const;

/** The OpenAPI of a route that needs a token: the scheme, and this hook's refusals (401, 403). */
function documentAccess(route: RouteOptions, access: Access) {
  if (access === 'public') return;
  // A copy: routes may share one schema object.
  route.schema = { ...route.schema, security: [{ bearerAuth: [] }], response: { 401: ProblemSchema, 403: ProblemSchema, ...(route.schema?.response as object | undefined) } };
}

/**
 * Registers declaration checks and enforcement on every route of an (encapsulated) API context;
 * `table` (decorated on the root as `routeTable`) receives each route as it is added.
 */
export function registerAccessControl(api: FastifyInstance, table: RouteEntry[], sessions: SessionCheck) {
  api.decorateRequest('ctx', null as unknown as RequestContext);
  api.addHook('onRoute', (route) => {
    const access = declaredAccess(route);
    documentAccess(route, access);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url: route.url, access });
    }
  });
  api.addHook('onRequest', enforceAccess(sessions));
}
