import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditPageSchema, AuditQuerySchema, AuditVerificationSchema } from '../../../schemas/audit.ts';
import { problemResponses } from '../../../schemas/common.ts';
import type { AuditService } from './audit-service.ts';

export const auditRoutes: FastifyPluginAsyncZod<{ audit: AuditService }> = async (app, { audit }) => {
  const security = [{ bearerAuth: [] }];
  const tags = ['audit'];

  app.get('/v1/admin/audit', {
    config: { access: ['registrar'] },
    schema: { tags, summary: 'Audit events, newest first', security, querystring: AuditQuerySchema, response: { 200: AuditPageSchema, ...problemResponses } },
    handler: async (req) => audit.list(req.query),
  });

  app.get('/v1/admin/audit/verify', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'Recompute the hash chain: the first broken event, or the count checked and the head hash',
      security,
      response: { 200: AuditVerificationSchema, ...problemResponses },
    },
    handler: async () => audit.verify(),
  });
};
