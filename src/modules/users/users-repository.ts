import { and, asc, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
import type { Body, Role } from '../../domain/vocabulary.ts';
import { escapeLike } from '../../lib/like.ts';
import type { UserRow } from '../auth/accounts-repository.ts';

/** Accounts matching `q` (email or name) and `role`, in email order after `after`, `limit` of them. */
export function listUsers(q: Queryable, filter: { q?: string; role?: Role; after?: string }, limit: number): Promise<UserRow[]> {
  const conditions: SQL[] = [];
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q)}%`;
    conditions.push(or(ilike(users.email, pattern), ilike(users.fullName, pattern))!);
  }
  if (filter.role) conditions.push(eq(users.role, filter.role));
  if (filter.after !== undefined) conditions.push(gt(sql`${users.email}::text`, filter.after));
  return q
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(sql`${users.email}::text`))
    .limit(limit);
}

export async function updateUser(tx: Queryable, userId: string, changes: { role?: Role; body?: Body | null; disabledAt?: Date | null; updatedAt: Date }): Promise<UserRow> {
  const [row] = await tx.update(users).set(changes).where(eq(users.id, userId)).returning();
  return row!;
}
