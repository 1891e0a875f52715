import { z } from 'zod';
import { IdParamsSchema, problemResponses } from '../../../schemas/common.ts';
import { ImportBodySchema, ImportQuerySchema, ImportRefusedSchema, ImportReportSchema } from '../../../schemas/imports.ts';
import { HttpProblem } from '../../errors.ts';
import { userContext } from '../../lib/context.ts';
import type { Module } from '../module.ts';
import { readCsv, readJson } from './import-file.ts';
import { createImportsService } from './imports-service.ts';

/** Grandfathered members: the import, and new claim codes for those who have not claimed their account. */
export const importsModule: Module<'publicUrl'> = async (app, { db, clock, config, publicUrl }) => {
  const imports = createImportsService({ db, clock, publicUrl });
  const bodyLimit = config.IMPORT_BODY_LIMIT_BYTES;
  // Scoped to this plugin: CSV is accepted here only.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.post('/v1/admin/imports/grandfathered', {
    config: { access: ['admin', 'registrar'] },
    bodyLimit,
    schema: {
      tags: ['imports'],
      summary: 'Import grandfathered members (CSV with a header row, or a JSON array); all or nothing',
      description: 'A dry run reports every row error and writes nothing. A real run with any error writes nothing (422 with the report). Re-importing reports rows unchanged.',
      querystring: ImportQuerySchema,
      body: ImportBodySchema,
      response: { ...problemResponses, 200: ImportReportSchema, 422: ImportRefusedSchema },
    },
    handler: async (req) => {
      const ctx = userContext(req);
      const body = imports.bodyFor(ctx, req.query.body);
      const rows = typeof req.body === 'string' ? readCsv(req.body) : readJson(req.body);
      const report = await imports.importGrandfathered(ctx, body, rows, req.query.dryRun);
      if (!report.errors.length || report.dryRun) return report;
      const detail = `${report.counts.error} of ${report.counts.rows} rows have errors; nothing was written.`;
      throw new HttpProblem('import-refused', detail, { extra: report });
    },
  });

  app.post('/v1/admin/mediators/:id/claim', {
    config: { access: ['admin', 'registrar'] },
    schema: {
      tags: ['imports'],
      summary: 'Send a grandfathered member a new claim code (the old one stops working)',
      description: 'Never for one’s own entry (403).',
      params: IdParamsSchema,
      response: { 200: z.object({ mediatorId: z.uuid(), reissued: z.literal(true) }), ...problemResponses },
    },
    handler: async (req) => imports.reissueClaim(userContext(req), req.params.id),
  });
};
