import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Sign-in, tokens and the caller's own records: nothing a browser, proxy or CDN may keep. */
const PRIVATE_PATHS = /^\/v1\/(auth\/|me(\/|$))/;

const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
  reply.header('cache-control', 'no-store');
};

/**
 * `Cache-Control: no-store` on every answer of the `/v1/auth/*` and `/v1/me*` routes registered in
 * `api` and the plugins inside it, so a module adding such a route cannot forget it. Errors too: a
 * cached 401 or 429 would outlive its cause, and one rule without exceptions is easier to trust.
 */
export function registerNoStore(api: FastifyInstance) {
  api.addHook('onRoute', (route) => {
    if (!PRIVATE_PATHS.test(route.url)) return;
    route.onSend = [...[route.onSend ?? []].flat(), noStore];
  });
}
