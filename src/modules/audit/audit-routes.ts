import { AuditPageSchema, AuditQuerySchema, AuditVerificationSchema } from '../../../schemas/audit.ts';
import { problemResponses } from '../../../schemas/common.ts';
import type { Module } from '../module.ts';
import { createAuditService } from './audit-service.ts';

/** The audit trail as the registrar reads and checks it. */
export const auditModule: Module = async (app, { db }) => {
  const audit = createAuditService({ db });
  const tags = ['audit'];

  app.get('/v1/admin/audit', {
    config: { access: ['registrar'] },
    schema: { tags, summary: 'Audit events, newest first', querystring: AuditQuerySchema, response: { 200: AuditPageSchema, ...problemResponses } },
    handler: async (req) => audit.list(req.query),
  });

  app.get('/v1/admin/audit/verify', {
    config: { access: ['registrar'] },
    schema: {
      tags,
      summary: 'Recompute the hash chain: the first broken event, or the count checked and the head hash',
      response: { 200: AuditVerificationSchema, ...problemResponses },
    },
    handler: async () => audit.verify(),
  });
};
