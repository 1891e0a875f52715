import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { complianceAssessments, mediators } from '../../db/schema.ts';
import { obligationsStart } from '../../domain/periods.ts';
import { notFound, problem, type FieldError } from '../../errors.ts';
import { londonDate } from '../../lib/clock.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';

export type LogOwner = Pick<typeof mediators.$inferSelect, 'id' | 'body' | 'status' | 'statusChangedAt' | 'firstAccreditedOn' | 'complianceStartOn'>;

/** The signed-in mediator's own record: every log route acts only on it. */
export async function findLogOwner(q: Queryable, userId: string): Promise<LogOwner> {
  const [m] = await q
    .select({
      id: mediators.id,
      body: mediators.body,
      status: mediators.status,
      statusChangedAt: mediators.statusChangedAt,
      firstAccreditedOn: mediators.firstAccreditedOn,
      complianceStartOn: mediators.complianceStartOn,
    })
    .from(mediators)
    .where(eq(mediators.userId, userId));
  if (!m) throw notFound('Your mediator record');
  return m;
}

/**
 * May an entry dated `date` be added (or moved there)? Not in the future (London), not before the
 * mediator's obligations began, not after they stopped being accredited, and never into a period
 * whose assessment has closed it.
 */
export async function checkAddable(q: Queryable, owner: LogOwner, date: string, now: Date): Promise<void> {
  const field = (message: string): FieldError[] => [{ in: 'body', field: 'date', message }];
  if (date > londonDate(now)) throw problem('entry-date-not-allowed', 'Entries cannot be dated in the future.', field('must not be after today (London)'));
  const start = obligationsStart(owner);
  if (owner.status === null || !start) throw problem('not-accredited', 'You are not accredited, so there is no compliance period to log against.', field('not accredited'));
  if (date < start) throw problem('entry-date-not-allowed', `Your compliance obligations start on ${start}.`, field(`must be on or after ${start}`));
  if (owner.status !== 'accredited' && owner.statusChangedAt && date > londonDate(owner.statusChangedAt)) {
    throw problem('entry-date-not-allowed', `You have not been accredited since ${londonDate(owner.statusChangedAt)}.`, field('not accredited on that date'));
  }
  await checkOpen(q, owner.id, date);
}

/**
 * 409 when the period containing `date` has been closed by its assessment. Call it inside the
 * writing transaction: the shared lock waits for a compliance run in progress, so an entry can
 * never slip into a period that the run is closing.
 */
export async function checkOpen(q: Queryable, mediatorId: string, date: string): Promise<void> {
  await lockForTransaction(q, LOCK_KEYS.complianceRun, 'shared');
  const [closed] = await q
    .select({ periodStart: complianceAssessments.periodStart, periodEnd: complianceAssessments.periodEnd, outcome: complianceAssessments.outcome })
    .from(complianceAssessments)
    .where(
      and(
        eq(complianceAssessments.mediatorId, mediatorId),
        sql`${date}::date BETWEEN ${complianceAssessments.periodStart} AND ${complianceAssessments.periodEnd}`,
        sql`${complianceAssessments.closedAt} IS NOT NULL`,
      ),
    );
  if (closed) throw problem('period-closed', `The period ${closed.periodStart} to ${closed.periodEnd} is closed (${closed.outcome}); its entries can no longer change.`);
}
