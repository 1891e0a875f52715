import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { RecoveryCodesSchema, SecondFactorConfirmBodySchema, SecondFactorEnrolmentSchema, SecondFactorStartBodySchema, SecondFactorStatusSchema } from '../../../schemas/second-factor.ts';
import type { SecondFactorService } from './second-factor-service.ts';

const STAFF = ['assessor', 'admin', 'registrar'] as const;

export const secondFactorRoutes: FastifyPluginAsyncZod<{ secondFactor: SecondFactorService; required: boolean }> = async (app, { secondFactor, required }) => {
  const security = [{ bearerAuth: [] }];
  // Reachable before a required second factor is set up: enrolling is what these are for.
  const enrolment = { access: STAFF, beforeSecondFactor: true };

  app.get('/v1/me/second-factor', {
    config: enrolment,
    schema: { tags: ['auth'], summary: 'Whether the signed-in staff account has a second factor', security, response: { 200: SecondFactorStatusSchema, ...problemResponses } },
    handler: async (req) => secondFactor.status(req.ctx, required),
  });

  app.post('/v1/me/second-factor', {
    config: enrolment,
    schema: {
      tags: ['auth'],
      summary: 'Start setting up a TOTP second factor with the current password: a new secret for an authenticator app',
      security,
      body: SecondFactorStartBodySchema,
      response: { 200: SecondFactorEnrolmentSchema, ...problemResponses },
    },
    handler: async (req) => secondFactor.startEnrolment(req.ctx, req.body.password),
  });

  app.post('/v1/me/second-factor/confirm', {
    config: enrolment,
    schema: { tags: ['auth'], summary: 'Put the second factor in force with the code the app shows; returns recovery codes once', security, body: SecondFactorConfirmBodySchema, response: { 200: RecoveryCodesSchema, ...problemResponses } },
    handler: async (req) => secondFactor.confirmEnrolment(req.ctx, req.body.code),
  });

  app.delete('/v1/admin/users/:id/second-factor', {
    config: { access: ['registrar'] },
    schema: { tags: ['admin'], summary: "Reset another staff member's second factor (lost device): they sign in with their password and enrol again", security, params: IdParamsSchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await secondFactor.reset(req.ctx, req.params.id);
      return reply.code(204).send();
    },
  });
};
