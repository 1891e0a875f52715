import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Access } from './access.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A public route other than GET that other sites' pages may call (the bulk lookup): see openToOtherSites. */
    crossOrigin?: boolean;
  }
}

/**
 * Whether other sites' pages may call a route from the browser: every public GET (and its HEAD),
 * and public routes that say so (`config.crossOrigin`). Never a route that needs a token: no
 * credentials are ever allowed, and a staff or mediator route has no business being called from
 * another site.
 */
export function openToOtherSites(method: string, config: { access?: Access; crossOrigin?: boolean } | undefined): boolean {
  if (config?.access !== 'public') return false;
  return method === 'GET' || method === 'HEAD' || config.crossOrigin === true;
}

/** A route's URL as a pattern for a request path (`:param` one segment, `*` the rest; trailing slash ignored as the router does). */
export function routePattern(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source.replace(/\/$/, '')}/?$`);
}

const OPEN = {
  origin: '*',
  credentials: false,
  // Content-Type for the lookup's JSON body; the validators for conditional GETs of the export.
  allowedHeaders: ['content-type', 'if-none-match', 'if-modified-since'],
  // What a client building on the register reads: caching validators, the feed cursor of the export, limits.
  exposedHeaders: ['etag', 'last-modified', 'register-changes-since', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-request-id'],
  maxAge: 600,
} satisfies FastifyCorsOptions;

/**
 * CORS (`Access-Control-Allow-Origin: *`, never credentials) on the routes open to other sites, and
 * on their preflights, through @fastify/cors. A preflight arrives at the plugin's `OPTIONS *` route,
 * so the route it asks about is found here from the request path: granted only when every route of
 * that method the path could reach is open (an admin route's preflight answers 404, as before).
 * Those responses also carry `Cross-Origin-Resource-Policy: cross-origin` instead of helmet's
 * `same-origin`, so pages isolated with COEP can use them; every other response keeps `same-origin`.
 * Registered on the root, after the security headers, before the routes.
 */
export async function registerCors(app: FastifyInstance) {
  const routes: Array<{ method: string; pattern: RegExp; open: boolean }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'OPTIONS') routes.push({ method, pattern: routePattern(route.url), open: openToOtherSites(method, route.config) });
    }
  });

  const preflightFor = (req: FastifyRequest): string | null => {
    const method = req.headers['access-control-request-method']?.toUpperCase();
    if (!method || !req.headers.origin) return null;
    const path = req.url.split('?')[0]!;
    const reachable = routes.filter((r) => r.method === method && r.pattern.test(path));
    return reachable.length > 0 && reachable.every((r) => r.open) ? method : null;
  };

  await app.register(fastifyCors, {
    hideOptionsRoute: true,
    delegator: (req, callback) => {
      if (req.method === 'OPTIONS') {
        const method = preflightFor(req);
        return callback(null, method ? { ...OPEN, methods: [method] } : { origin: false });
      }
      callback(null, openToOtherSites(req.method, req.routeOptions.config) ? OPEN : { origin: false });
    },
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'OPTIONS' && openToOtherSites(req.method, req.routeOptions.config)) reply.header('cross-origin-resource-policy', 'cross-origin');
  });
}
