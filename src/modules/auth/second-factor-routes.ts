import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, ProblemSchema, problemResponses } from '../../../schemas/common.ts';
import { RecoveryCodesSchema, SecondFactorConfirmBodySchema, SecondFactorEnrolmentSchema, SecondFactorStartBodySchema, SecondFactorStatusSchema } from '../../../schemas/second-factor.ts';
import { STAFF_ROLES } from '../../domain/vocabulary.ts';
import { userContext } from '../../lib/context.ts';
import type { SecondFactorService } from './second-factor-service.ts';

export const secondFactorRoutes: FastifyPluginAsyncZod<{ secondFactor: SecondFactorService; required: boolean }> = async (app, { secondFactor, required }) => {
  // Reachable before a required second factor is set up: enrolling is what these are for.
  const enrolment = { access: STAFF_ROLES, beforeSecondFactor: true };

  app.get('/v1/me/second-factor', {
    config: enrolment,
    schema: { tags: ['auth'], summary: 'Whether the signed-in staff account has a second factor', response: { 200: SecondFactorStatusSchema, ...problemResponses } },
    handler: async (req) => secondFactor.status(userContext(req), required),
  });

  app.post('/v1/me/second-factor', {
    config: enrolment,
    schema: {
      tags: ['auth'],
      summary: 'Start setting up a TOTP second factor with the current password: a new secret for an authenticator app',
      body: SecondFactorStartBodySchema,
      // 429: wrong passwords are counted per account (too-many-attempts).
      response: { 200: SecondFactorEnrolmentSchema, ...problemResponses, 429: ProblemSchema },
    },
    handler: async (req) => secondFactor.startEnrolment(userContext(req), req.body.password),
  });

  app.post('/v1/me/second-factor/confirm', {
    config: enrolment,
    schema: {
      tags: ['auth'],
      summary: 'Put the second factor in force with the code the app shows; returns recovery codes once',
      body: SecondFactorConfirmBodySchema,
      response: { 200: RecoveryCodesSchema, ...problemResponses },
    },
    handler: async (req) => secondFactor.confirmEnrolment(userContext(req), req.body.code),
  });

  app.delete('/v1/admin/users/:id/second-factor', {
    config: { access: ['registrar'] },
    schema: {
      tags: ['users'],
      summary: "Reset another staff member's second factor (lost device): they sign in with their password and enrol again",
      params: IdParamsSchema,
      response: { 204: z.undefined(), ...problemResponses },
    },
    handler: async (req, reply) => {
      await secondFactor.reset(userContext(req), req.params.id);
      return reply.code(204).send();
    },
  });
};
