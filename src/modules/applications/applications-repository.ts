import { and, desc, eq, inArray, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { applications, mediators, users } from '../../db/schema.ts';
import type { ApplicationStatus, Body } from '../../domain/vocabulary.ts';

export type Row = typeof applications.$inferSelect;
export type Joined = { application: Row; applicantName: string; applicantUserId: string; applicantEmail: string };

/** Applications with their applicant's name, account and email. */
const withApplicant = (q: Queryable) =>
  q
    .select({ application: applications, applicantName: mediators.fullName, applicantUserId: mediators.userId, applicantEmail: users.email })
    .from(applications)
    .innerJoin(mediators, eq(mediators.id, applications.mediatorId))
    .innerJoin(users, eq(users.id, mediators.userId));

/** `lock` holds the application (not its applicant) until the transaction ends. */
export async function loadApplication(q: Queryable, id: string, lock = false): Promise<Joined | undefined> {
  const query = withApplicant(q).where(eq(applications.id, id));
  const [row] = lock ? await query.for('update', { of: applications }) : await query;
  return row;
}

/** A new draft for the mediator; none when they already have an open one (the partial unique index). */
export async function insertApplication(tx: Queryable, mediatorId: string): Promise<Row | undefined> {
  const [row] = await tx.insert(applications).values({ mediatorId }).onConflictDoNothing().returning();
  return row;
}

/** Changes the application only while its status is one of `from`; none when it is not. */
export async function updateApplicationFrom(tx: Queryable, id: string, from: readonly ApplicationStatus[], changes: Partial<Row>): Promise<Row | undefined> {
  const [row] = await tx
    .update(applications)
    .set(changes)
    .where(and(eq(applications.id, id), inArray(applications.status, [...from])))
    .returning();
  return row;
}

export interface QueueFilter {
  statuses: readonly ApplicationStatus[];
  body?: Body | null;
  /** The last listed application's updatedAt (ISO) and id. */
  after?: [string, string] | null;
}

/** Submitted applications with their applicant, newest change first; `limit` of them. */
export function applicationQueue(q: Queryable, filter: QueueFilter, limit: number): Promise<Joined[]> {
  const conditions: SQL[] = [inArray(applications.status, [...filter.statuses]), isNotNull(applications.submittedAt)];
  if (filter.body) conditions.push(eq(applications.body, filter.body));
  const after = filter.after;
  if (after) conditions.push(or(lt(applications.updatedAt, new Date(after[0])), and(eq(applications.updatedAt, new Date(after[0])), lt(applications.id, after[1])))!);
  return withApplicant(q)
    .where(and(...conditions))
    .orderBy(desc(applications.updatedAt), desc(applications.id))
    .limit(limit);
}
