import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problem } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable by staff who have not set up a required second factor yet: what enrolling needs. */
    beforeSecondFactor?: boolean;
  }
}

export const SET_UP_SECOND_FACTOR =
  'Set up a second factor first: staff accounts need one (POST /v1/me/second-factor with your password, then POST /v1/me/second-factor/confirm with a code, then sign in again).';

/**
 * With STAFF_SECOND_FACTOR=required, a staff token issued without a second factor (its `mfa`
 * claim not true) reaches only the routes marked `beforeSecondFactor`; everything else is 403.
 * Registered after the access hook, which has verified the token and set `req.ctx`. Mediators are
 * never asked.
 */
async function requireStaffSecondFactor(req: FastifyRequest) {
  const { actor } = req.ctx;
  if (actor.type !== 'user' || actor.role === 'mediator' || req.routeOptions.config.beforeSecondFactor) return;
  if (req.user.mfa !== true) throw problem('second-factor-setup-required', SET_UP_SECOND_FACTOR);
}

export function registerSecondFactorGate(api: FastifyInstance) {
  api.addHook('onRequest', requireStaffSecondFactor);
}
