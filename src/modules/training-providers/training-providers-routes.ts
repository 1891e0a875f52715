import { TrainingProviderBodySchema, TrainingProviderSchema } from '../../../schemas/applications.ts';
import { PageQuerySchema, page, problemResponses } from '../../../schemas/common.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createTrainingProvidersService } from './training-providers-service.ts';

/** The approved SEND training providers with their approval periods. */
export const trainingProvidersModule: Module = async (app, { db }) => {
  const providers = createTrainingProvidersService({ db });

  app.get('/v1/admin/training-providers', {
    config: { access: ['assessor', 'admin', 'registrar'] },
    schema: {
      tags: ['training providers'],
      summary: 'Approved SEND training providers with their approval periods',
      querystring: PageQuerySchema,
      response: { 200: page(TrainingProviderSchema), ...problemResponses },
    },
    handler: async (req) => providers.list(req.query),
  });

  app.post('/v1/admin/training-providers', {
    config: { access: ['registrar'] },
    schema: {
      tags: ['training providers'],
      summary: 'Approve a SEND training provider for a period',
      body: TrainingProviderBodySchema,
      response: { 201: TrainingProviderSchema, ...problemResponses },
    },
    handler: async (req, reply) => reply.code(201).send(await providers.approve(userContext(req), req.body)),
  });
};
