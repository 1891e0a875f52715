import { asc, gt, or, and, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrainingProviderBodySchema, TrainingProviderSchema } from '../../../schemas/applications.ts';
import { PageQuerySchema, page, problemResponses } from '../../../schemas/common.ts';
import type { Db } from '../../db/client.ts';
import { trainingProviders } from '../../db/schema.ts';
import { cursorKey, keysetCursor } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';

const toProvider = (p: typeof trainingProviders.$inferSelect) => ({ id: p.id, name: p.name, approvedFrom: p.approvedFrom, approvedUntil: p.approvedUntil });

/** Providers in name order (names are at most 200 characters), then id. */
const providerCursor = keysetCursor(z.tuple([cursorKey.text.max(200), cursorKey.id]));

/** The approved SEND training providers: small enough that service and routes share one module. */
export const trainingProvidersRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const security = [{ bearerAuth: [] }];

  app.get('/v1/admin/training-providers', {
    config: { access: ['assessor', 'admin', 'registrar'] },
    schema: { tags: ['admin'], summary: 'Approved SEND training providers with their approval periods', security, querystring: PageQuerySchema, response: { 200: page(TrainingProviderSchema), ...problemResponses } },
    handler: async (req) => {
      const after = providerCursor.decode(req.query.cursor);
      const rows = await db
        .select()
        .from(trainingProviders)
        .where(after ? or(gt(trainingProviders.name, after[0]), and(eq(trainingProviders.name, after[0]), gt(trainingProviders.id, after[1]))) : undefined)
        .orderBy(asc(trainingProviders.name), asc(trainingProviders.id))
        .limit(req.query.limit + 1);
      const items = rows.slice(0, req.query.limit).map(toProvider);
      const last = rows.length > req.query.limit ? items[items.length - 1] : undefined;
      return { items, nextCursor: last ? providerCursor.encode([last.name, last.id]) : null };
    },
  });

  app.post('/v1/admin/training-providers', {
    config: { access: ['registrar'] },
    schema: { tags: ['admin'], summary: 'Approve a SEND training provider for a period', security, body: TrainingProviderBodySchema, response: { 201: TrainingProviderSchema, ...problemResponses } },
    handler: async (req, reply) => {
      const created = await db.transaction(async (tx) => {
        const [p] = await tx.insert(trainingProviders).values({ ...req.body, approvedUntil: req.body.approvedUntil ?? null }).returning();
        await recordAudit(tx, req.ctx, { action: 'training_provider.approved', entityType: 'training_provider', entityId: p!.id, after: toProvider(p!) });
        return p!;
      });
      return reply.code(201).send(toProvider(created));
    },
  });
};
