import { eq, sql, type SQLWrapper } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { complianceAssessments, mediators } from '../../db/schema.ts';
import { obligationsStart } from '../../domain/periods.ts';
import { notFound, problem, type FieldError } from '../../errors.ts';
import { londonDate } from '../../lib/clock.ts';
import { LOCK_KEYS } from '../../db/advisory-locks.ts';
import { runPrepared } from '../../db/prepared.ts';

export type LogOwner = Pick<typeof mediators.$inferSelect, 'id' | 'body' | 'status' | 'statusChangedAt' | 'firstAccreditedOn' | 'complianceStartOn'>;

const ownerColumns = {
  id: mediators.id,
  body: mediators.body,
  status: mediators.status,
  statusChangedAt: mediators.statusChangedAt,
  firstAccreditedOn: mediators.firstAccreditedOn,
  complianceStartOn: mediators.complianceStartOn,
};

/** The signed-in mediator's own record: every log route acts only on it. */
export async function findLogOwner(q: Queryable, userId: string): Promise<LogOwner> {
  const [m] = await q.select(ownerColumns).from(mediators).where(eq(mediators.userId, userId));
  if (!m) throw notFound('Your mediator record');
  return m;
}

/**
 * The same for a change to the log, taking the compliance run's lock shared in the same round trip:
 * held to the end of the transaction, it waits for a run in progress, so the closed-period checks of
 * later statements (`closedPeriod`, which see what committed before them) see every period the run
 * closed, and no run can close one until the change commits.
 */
export async function lockLogOwner(tx: Tx, userId: string): Promise<LogOwner> {
  const [m] = await runPrepared(
    'log.owner',
    tx
      .select({ ...ownerColumns, locked: sql`pg_advisory_xact_lock_shared(${LOCK_KEYS.complianceRun})` })
      .from(mediators)
      .where(eq(mediators.userId, userId)),
  );
  if (!m) throw notFound('Your mediator record');
  const { locked: _, ...owner } = m;
  return owner;
}

/**
 * May an entry dated `date` be added (or moved there)? Not in the future (London), not before the
 * mediator's obligations began, not after they stopped being accredited. Whether its period has been
 * closed is asked by the write itself (`closedPeriod`, `refuseClosed`).
 */
export function checkAddable(owner: LogOwner, date: string, now: Date): void {
  const field = (message: string): FieldError[] => [{ in: 'body', field: 'date', message }];
  if (date > londonDate(now)) throw problem('entry-date-not-allowed', 'Entries cannot be dated in the future.', field('must not be after today (London)'));
  const start = obligationsStart(owner);
  if (owner.status === null || !start) throw problem('not-accredited', 'You are not accredited, so there is no compliance period to log against.', field('not accredited'));
  if (date < start) throw problem('entry-date-not-allowed', `Your compliance obligations start on ${start}.`, field(`must be on or after ${start}`));
  if (owner.status !== 'accredited' && owner.statusChangedAt && date > londonDate(owner.statusChangedAt)) {
    throw problem('entry-date-not-allowed', `You have not been accredited since ${londonDate(owner.statusChangedAt)}.`, field('not accredited on that date'));
  }
}

/** A period its assessment has closed. */
export interface ClosedPeriod {
  periodStart: string;
  periodEnd: string;
  outcome: string;
}

/**
 * The closed period of mediator `mediatorId` containing `date` (JSON, or null), as a column of the
 * statement that reads or writes the entry: a round trip fewer than asking apart. Only after
 * `lockLogOwner`, whose lock makes the answer final.
 */
export const closedPeriod = (mediatorId: SQLWrapper | string, date: SQLWrapper | string) =>
  // The assessments under an alias of their own: drizzle leaves column names unqualified in RETURNING
  // and select lists, and an outer name must never be taken for one of theirs (or the reverse).
  sql<ClosedPeriod | null>`(SELECT json_build_object('periodStart', closed.period_start, 'periodEnd', closed.period_end, 'outcome', closed.outcome)
      FROM ${complianceAssessments} AS closed
     WHERE closed.mediator_id = ${mediatorId}
       AND ${date}::date BETWEEN closed.period_start AND closed.period_end
       AND closed.closed_at IS NOT NULL
     LIMIT 1)`;

/** 409 when the entry's period was closed by its assessment (thrown inside the transaction, it undoes the write). */
export function refuseClosed(closed: ClosedPeriod | null): void {
  if (closed) throw problem('period-closed', `The period ${closed.periodStart} to ${closed.periodEnd} is closed (${closed.outcome}); its entries can no longer change.`);
}
