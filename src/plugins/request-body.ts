import type { FastifyInstance } from 'fastify';
import { problem } from '../errors.ts';

/**
 * A route that declares no body schema takes no body: fields sent to it are refused (400) rather
 * than silently ignored, as unknown fields are everywhere else. An empty body or `{}` is fine.
 */
export function refuseUndeclaredBodies(api: FastifyInstance) {
  api.addHook('preValidation', async (req) => {
    const body = req.body;
    if (req.routeOptions.schema?.body || body === undefined || body === null) return;
    if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
    throw problem('validation-failed', 'This endpoint takes no request body.', [{ in: 'body', field: '(root)', message: 'must be empty' }]);
  });
}
