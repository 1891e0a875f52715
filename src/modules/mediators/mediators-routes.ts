import { z } from 'zod';
import { EntryStatusSchema, IdParamsSchema, page, problemResponses } from '../../../schemas/common.ts';
import { AdminMediatorQuerySchema, AdminMediatorSchema, StatusChangeBodySchema } from '../../../schemas/mediators.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { createMediatorsService } from './mediators-service.ts';

/** Register entries for admins: the list and status changes. */
export const mediatorsModule: Module = async (app, { db, clock }) => {
  const mediators = createMediatorsService({ db, clock });

  app.get('/v1/admin/mediators', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags: ['mediators'],
      summary: 'Register entries with status and latest assessment (admins: their body)',
      querystring: AdminMediatorQuerySchema,
      response: { 200: page(AdminMediatorSchema), ...problemResponses },
    },
    handler: async (req) => mediators.list(userContext(req), req.query),
  });

  app.post('/v1/admin/mediators/:id/status', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags: ['mediators'],
      summary: 'Suspend, reinstate, lapse or remove an entry, with a reason',
      description: 'Never one’s own entry (403): staff who are also on the register have another admin of the body or a registrar act on it.',
      params: IdParamsSchema,
      body: StatusChangeBodySchema,
      response: { 200: z.object({ id: z.uuid(), status: EntryStatusSchema, previousStatus: EntryStatusSchema, changedAt: z.string() }), ...problemResponses },
    },
    handler: async (req) => mediators.changeStatus(userContext(req), req.params.id, req.body),
  });
};
