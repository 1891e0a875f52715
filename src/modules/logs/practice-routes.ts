import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { LogQuerySchema } from '../../../schemas/cpd.ts';
import { PracticeBodySchema, PracticeEntrySchema, PracticePageSchema, PracticePatchSchema } from '../../../schemas/practice.ts';
import type { PracticeService } from './practice-service.ts';

export const practiceRoutes: FastifyPluginAsyncZod<{ practice: PracticeService }> = async (app, { practice }) => {
  const security = [{ bearerAuth: [] }];
  const tags = ['practice'];
  const config = { access: ['mediator' as const] };

  app.get('/v1/me/practice', {
    config,
    schema: { tags, summary: 'Your practice entries, newest first (`?period=2025`: the register year starting in 2025)', security, querystring: LogQuerySchema, response: { 200: PracticePageSchema, ...problemResponses } },
    handler: async (req) => practice.list(req.ctx, req.query),
  });
  app.post('/v1/me/practice', {
    config,
    schema: { tags, summary: 'Log a mediation or supervision received: no names, emails, phone numbers or other personal data of families', security, body: PracticeBodySchema, response: { 201: PracticeEntrySchema, ...problemResponses } },
    handler: async (req, reply) => reply.code(201).send(await practice.create(req.ctx, req.body)),
  });
  app.patch('/v1/me/practice/:id', {
    config,
    schema: { tags, summary: 'Change one of your practice entries while its period is open', security, params: IdParamsSchema, body: PracticePatchSchema, response: { 200: PracticeEntrySchema, ...problemResponses } },
    handler: async (req) => practice.update(req.ctx, req.params.id, req.body),
  });
  app.delete('/v1/me/practice/:id', {
    config,
    schema: { tags, summary: 'Delete one of your practice entries while its period is open', security, params: IdParamsSchema, response: { 204: z.undefined(), ...problemResponses } },
    handler: async (req, reply) => {
      await practice.remove(req.ctx, req.params.id);
      return reply.code(204).send();
    },
  });
};
