import { and, asc, eq, gt, or } from 'drizzle-orm';
import { z } from 'zod';
import type { TrainingProviderBodySchema } from '../../../schemas/applications.ts';
import type { Db } from '../../db/client.ts';
import { trainingProviders } from '../../db/schema.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';

const toProvider = (p: typeof trainingProviders.$inferSelect) => ({ id: p.id, name: p.name, approvedFrom: p.approvedFrom, approvedUntil: p.approvedUntil });

/** Providers in name order (names are at most 200 characters), then id. */
const providerCursor = keysetCursor(z.tuple([cursorKey.text.max(200), cursorKey.id]));

/** The approved SEND training providers. */
export function createTrainingProvidersService({ db }: { db: Db }) {
  return {
    async list(query: { limit: number; cursor?: string }) {
      const after = providerCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) =>
          db
            .select()
            .from(trainingProviders)
            .where(after ? or(gt(trainingProviders.name, after[0]), and(eq(trainingProviders.name, after[0]), gt(trainingProviders.id, after[1]))) : undefined)
            .orderBy(asc(trainingProviders.name), asc(trainingProviders.id))
            .limit(count),
        (last) => providerCursor.encode([last.name, last.id]),
      );
      return { items: page.items.map(toProvider), nextCursor: page.nextCursor };
    },

    approve: (ctx: RequestContext, input: z.infer<typeof TrainingProviderBodySchema>) =>
      db.transaction(async (tx) => {
        const [p] = await tx
          .insert(trainingProviders)
          .values({ ...input, approvedUntil: input.approvedUntil ?? null })
          .returning();
        const provider = toProvider(p!);
        await recordAudit(tx, ctx, { action: 'training_provider.approved', entityType: 'training_provider', entityId: provider.id, after: provider });
        return provider;
      }),
  };
}
