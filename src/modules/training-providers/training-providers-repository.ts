import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { trainingProviders } from '../../db/schema.ts';

export type ProviderRow = typeof trainingProviders.$inferSelect;

/** Providers in name order, then id, after the last listed `[name, id]`; `limit` of them. */
export function listProviders(q: Queryable, after: readonly [string, string] | null, limit: number): Promise<ProviderRow[]> {
  return q
    .select()
    .from(trainingProviders)
    .where(after ? or(gt(trainingProviders.name, after[0]), and(eq(trainingProviders.name, after[0]), gt(trainingProviders.id, after[1]))) : undefined)
    .orderBy(asc(trainingProviders.name), asc(trainingProviders.id))
    .limit(limit);
}

export async function insertProvider(tx: Queryable, values: typeof trainingProviders.$inferInsert): Promise<ProviderRow> {
  const [row] = await tx.insert(trainingProviders).values(values).returning();
  return row!;
}

export async function providerById(q: Queryable, id: string): Promise<ProviderRow | undefined> {
  const [row] = await q.select().from(trainingProviders).where(eq(trainingProviders.id, id));
  return row;
}
