import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { ClaimBodySchema, ImportBodySchema, ImportQuerySchema, ImportRefusedSchema, ImportReportSchema } from '../../../schemas/imports.ts';
import type { createClaimService } from '../auth/claim-service.ts';
import { readCsv, readJson } from './import-file.ts';
import type { ImportsService } from './imports-service.ts';

export interface ImportsRoutesOptions {
  imports: ImportsService;
  claims: ReturnType<typeof createClaimService>;
  bodyLimit: number;
  authPerMinute: number;
}

export const importsRoutes: FastifyPluginAsyncZod<ImportsRoutesOptions> = async (app, { imports, claims, bodyLimit, authPerMinute }) => {
  const security = [{ bearerAuth: [] }];
  // Scoped to this plugin: CSV is accepted here only.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.post('/v1/admin/imports/grandfathered', {
    config: { access: ['admin', 'registrar'] },
    bodyLimit,
    schema: {
      tags: ['admin'],
      summary: 'Import grandfathered members (CSV with a header row, or a JSON array); all or nothing',
      description: 'A dry run reports every row error and writes nothing. A real run with any error writes nothing (422 with the report). Re-importing reports rows unchanged.',
      security,
      querystring: ImportQuerySchema,
      body: ImportBodySchema,
      response: { ...problemResponses, 200: ImportReportSchema, 422: ImportRefusedSchema, 413: problemResponses[400] },
    },
    handler: async (req, reply) => {
      const body = imports.bodyFor(req.ctx, req.query.body);
      const rows = typeof req.body === 'string' ? readCsv(req.body) : readJson(req.body);
      const report = await imports.importGrandfathered(req.ctx, body, rows, req.query.dryRun);
      if (!report.errors.length || report.dryRun) return report;
      const detail = `${report.counts.error} of ${report.counts.rows} rows have errors; nothing was written.`;
      return reply.code(422).type('application/problem+json').send({ type: 'about:blank', status: 422, title: 'Unprocessable Content', detail, ...report });
    },
  });

  app.post('/v1/admin/mediators/:id/claim', {
    config: { access: ['admin', 'registrar'] },
    schema: { tags: ['admin'], summary: 'Send a grandfathered member a new claim code (the old one stops working)', description: 'Never for one’s own entry (403).', security, params: IdParamsSchema, response: { 200: z.object({ mediatorId: z.uuid(), reissued: z.literal(true) }), ...problemResponses } },
    handler: async (req) => imports.reissueClaim(req.ctx, req.params.id),
  });

  app.post('/v1/auth/claim', {
    config: { access: 'public', rateLimit: { max: authPerMinute, timeWindow: '1 minute' } },
    schema: { tags: ['auth'], summary: 'Claim a grandfathered account: set the first password with a claim code', body: ClaimBodySchema, response: { 200: z.object({ claimed: z.literal(true), email: z.string() }), ...problemResponses } },
    handler: async (req) => claims.claim(req.ctx, req.body.token, req.body.password),
  });
};
