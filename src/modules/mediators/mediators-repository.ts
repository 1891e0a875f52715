import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { mediators, users } from '../../db/schema.ts';
import type { Body, ComplianceOutcome, EntryStatus } from '../../domain/vocabulary.ts';
import { escapeLike } from '../../lib/like.ts';
import { pastInNameOrder } from '../register/register-repository.ts';

export type MediatorRow = typeof mediators.$inferSelect;

/** The user's own register entry; `lock` holds it until the transaction ends. */
export async function mediatorOfUser(q: Queryable, userId: string, lock = false): Promise<MediatorRow | undefined> {
  const query = q.select().from(mediators).where(eq(mediators.userId, userId));
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

export async function updateMediator(tx: Queryable, id: string, changes: Partial<MediatorRow>): Promise<MediatorRow> {
  const [row] = await tx.update(mediators).set(changes).where(eq(mediators.id, id)).returning();
  return row!;
}

export interface EntryFilter {
  status?: EntryStatus;
  body?: Body;
  q?: string;
  /** The last listed entry's sort name and id. */
  after?: [string, string] | null;
}

/** Register entries (those with a status) in name order, with the account's email and the latest assessment. */
export function listEntries(q: Queryable, filter: EntryFilter, limit: number) {
  const conditions: SQL[] = [sql`${mediators.status} IS NOT NULL`];
  if (filter.status) conditions.push(eq(mediators.status, filter.status));
  if (filter.body) conditions.push(eq(mediators.body, filter.body));
  if (filter.q)
    conditions.push(or(ilike(mediators.fullName, `%${escapeLike(filter.q)}%`), ilike(mediators.membershipNumber, `%${escapeLike(filter.q)}%`), ilike(users.email, `%${escapeLike(filter.q)}%`))!);
  if (filter.after) conditions.push(pastInNameOrder(mediators.sortName, mediators.id, filter.after));
  return q
    .select({
      m: mediators,
      email: users.email,
      latest: sql<{
        periodStart: string;
        outcome: ComplianceOutcome;
      } | null>`(SELECT json_build_object('periodStart', a.period_start, 'outcome', a.outcome) FROM compliance_assessments a WHERE a.mediator_id = ${mediators.id} ORDER BY a.period_start DESC LIMIT 1)`,
    })
    .from(mediators)
    .innerJoin(users, eq(users.id, mediators.userId))
    .where(and(...conditions))
    .orderBy(asc(mediators.sortName), asc(mediators.id))
    .limit(limit);
}
