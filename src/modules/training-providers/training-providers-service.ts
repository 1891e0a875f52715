import { z } from 'zod';
import type { TrainingProviderBodySchema } from '../../../schemas/applications.ts';
import type { Db } from '../../db/client.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { insertProvider, listProviders, type ProviderRow } from './training-providers-repository.ts';

const toProvider = (p: ProviderRow) => ({ id: p.id, name: p.name, approvedFrom: p.approvedFrom, approvedUntil: p.approvedUntil });

/** Providers in name order (names are at most 200 characters), then id. */
const providerCursor = keysetCursor(z.tuple([cursorKey.text.max(200), cursorKey.id]));

/** The approved SEND training providers. */
export function createTrainingProvidersService({ db }: { db: Db }) {
  return {
    async list(query: { limit: number; cursor?: string }) {
      const after = providerCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) => listProviders(db, after, count),
        (last) => providerCursor.encode([last.name, last.id]),
      );
      return { items: page.items.map(toProvider), nextCursor: page.nextCursor };
    },

    approve: (ctx: RequestContext, input: z.infer<typeof TrainingProviderBodySchema>) =>
      db.transaction(async (tx) => {
        const provider = toProvider(await insertProvider(tx, { ...input, approvedUntil: input.approvedUntil ?? null }));
        await recordAudit(tx, ctx, { action: 'training_provider.approved', entityType: 'training_provider', entityId: provider.id, after: provider });
        return provider;
      }),
  };
}
