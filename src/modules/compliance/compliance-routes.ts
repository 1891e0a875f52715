import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AdjustmentBodySchema,
  AdjustmentSchema,
  AssessmentPageSchema,
  AssessmentQuerySchema,
  RunBodySchema,
  RunPageSchema,
  RunSummarySchema,
} from '../../../schemas/compliance-admin.ts';
import { IdParamsSchema, PageQuerySchema, problemResponses } from '../../../schemas/common.ts';
import type { ComplianceService } from './compliance-service.ts';

export const complianceRoutes: FastifyPluginAsyncZod<{ compliance: ComplianceService }> = async (app, { compliance }) => {
  const security = [{ bearerAuth: [] }];
  const tags = ['compliance'];

  app.post('/v1/admin/jobs/compliance', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'Run the compliance job for a date (once per date: a repeat returns the first run)',
      security,
      body: RunBodySchema.optional(),
      response: { 200: RunSummarySchema, ...problemResponses },
    },
    handler: async (req) => compliance.run(req.body?.asOf),
  });

  app.get('/v1/admin/jobs/runs', {
    config: { access: ['admin', 'registrar'] },
    schema: { tags, summary: 'Compliance job runs, newest first, with their counts', security, querystring: PageQuerySchema, response: { 200: RunPageSchema, ...problemResponses } },
    handler: async (req) => compliance.listRuns(req.query),
  });

  app.get('/v1/admin/compliance', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags,
      summary: 'Compliance assessments with their deficits (an admin sees their own body)',
      security,
      querystring: AssessmentQuerySchema,
      response: { 200: AssessmentPageSchema, ...problemResponses },
    },
    handler: async (req) => compliance.listAssessments(req.ctx, req.query),
  });

  app.post('/v1/admin/mediators/:id/exemptions', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags,
      summary: 'Exempt a period, or extend its grace',
      description: 'Never for one’s own entry (403): staff who are also on the register have another admin of the body or a registrar decide.',
      security,
      params: IdParamsSchema,
      body: AdjustmentBodySchema,
      response: { 201: AdjustmentSchema, ...problemResponses },
    },
    handler: async (req, reply) => reply.code(201).send(await compliance.adjust(req.ctx, req.params.id, req.body)),
  });
};
