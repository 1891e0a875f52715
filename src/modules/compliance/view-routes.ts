import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../../schemas/common.ts';
import { MyComplianceSchema } from '../../../schemas/compliance.ts';
import type { ComplianceViewService } from './view-service.ts';

export const complianceViewRoutes: FastifyPluginAsyncZod<{ complianceView: ComplianceViewService }> = async (app, { complianceView }) => {
  app.get('/v1/me/compliance', {
    config: { access: ['mediator'] },
    schema: {
      tags: ['compliance'],
      summary: 'Where you stand: the current period, each requirement\'s progress and shortfall, days left; past assessments',
      security: [{ bearerAuth: [] }],
      response: { 200: MyComplianceSchema, ...problemResponses },
    },
    handler: async (req) => complianceView.view(req.ctx),
  });
};
