import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { CpdBodySchema, CpdEntrySchema, CpdPageSchema, CpdPatchSchema, LogQuerySchema } from '../../../schemas/cpd.ts';
import type { CpdService } from './cpd-service.ts';

export const cpdRoutes: FastifyPluginAsyncZod<{ cpd: CpdService }> = async (app, { cpd }) => {
  const security = [{ bearerAuth: [] }];
  const tags = ['cpd'];
  const config = { access: ['mediator' as const] };

  app.get('/v1/me/cpd', {
    config,
    schema: { tags, summary: 'Your CPD entries, newest first (`?period=2025`: the register year starting in 2025)', security, querystring: LogQuerySchema, response: { 200: CpdPageSchema, ...problemResponses } },
    handler: async (req) => cpd.list(req.ctx, req.query),
  });
  app.post('/v1/me/cpd', {
    config,
    schema: { tags, summary: 'Log CPD (not in the future; not in a closed period)', security, body: CpdBodySchema, response: { 201: CpdEntrySchema, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await cpd.create(req.ctx, req.body)),
  });
  app.patch('/v1/me/cpd/:id', {
    config,
    schema: { tags, summary: 'Change one of your CPD entries while its period is open', security, params: IdParamsSchema, body: CpdPatchSchema, response: { 200: CpdEntrySchema, ...problemResponses } },
    handler: async (req) => cpd.update(req.ctx, req.params.id, req.body),
  });
  app.delete('/v1/me/cpd/:id', {
    config,
    schema: { tags, summary: 'Delete one of your CPD entries while its period is open', security, params: IdParamsSchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await cpd.remove(req.ctx, req.params.id);
      return reply.code(204).send();
    },
  });
};
