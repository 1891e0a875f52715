import { and, eq, getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.ts';
import { runPrepared } from '../../db/prepared.ts';
import type { cpdEntries, practiceEntries } from '../../db/schema.ts';
import { closedPeriod, type ClosedPeriod } from './log-guard.ts';
import { newestFirst } from './log-pages.ts';

export type LogTable = typeof cpdEntries | typeof practiceEntries;
export type LogRow<T extends LogTable> = T['$inferSelect'];

// The two tables share every column used here; drizzle cannot type a query over a union of
// tables, so queries are built on one and rows typed back as the caller's.
const asOne = (table: LogTable) => table as typeof cpdEntries;

/** One page of a log (`filter` from log-pages), newest first. */
export async function logPage<T extends LogTable>(q: Queryable, table: T, filter: SQL, count: number): Promise<LogRow<T>[]> {
  const log = asOne(table);
  return (await q
    .select()
    .from(log)
    .where(filter)
    .orderBy(...newestFirst(log))
    .limit(count)) as LogRow<T>[];
}

// The writes and the lock below run as prepared statements (db/prepared.ts): they are the hot path.
// A key names the table and, for a write, the columns it sets: what makes its text.
const setColumns = (values: object) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k)
    .sort()
    .join(',');

/**
 * Each write below answers the entry with the closed period its date falls in (or null): the
 * caller refuses a closed one (`refuseClosed`), and throwing undoes the write with its transaction.
 */
export type WithClosed<R> = { row: R; closed: ClosedPeriod | null };

// RETURNING names a table's columns unqualified, and inside the subquery those names would be the
// assessments' own (every mediator's closed period would match): name the written row's in full.
const written = (log: LogTable, column: 'mediator_id' | 'date') => sql`${sql.identifier(getTableName(log))}.${sql.identifier(column)}`;

const withClosed = <R>({ closed, ...row }: Record<string, unknown>): WithClosed<R> => ({ row: row as R, closed: closed as ClosedPeriod | null });

/** The mediator's entry `id`, locked for a change; undefined if there is none of theirs. */
export async function lockEntry<T extends LogTable>(tx: Tx, table: T, mediatorId: string, id: string): Promise<WithClosed<LogRow<T>> | undefined> {
  const log = asOne(table);
  const [entry] = await runPrepared(
    `log.lock ${getTableName(log)}`,
    tx
      .select({ ...getTableColumns(log), closed: closedPeriod(mediatorId, written(log, 'date')) })
      .from(log)
      .where(and(eq(log.id, id), eq(log.mediatorId, mediatorId)))
      .for('update'),
  );
  return entry && withClosed(entry);
}

export async function insertEntry<T extends LogTable>(tx: Tx, table: T, values: T['$inferInsert']): Promise<WithClosed<LogRow<T>>> {
  const log = asOne(table);
  const [row] = await runPrepared(
    `log.insert ${getTableName(log)} ${setColumns(values)}`,
    tx
      .insert(log)
      .values(values as typeof log.$inferInsert)
      .returning({ ...getTableColumns(log), closed: closedPeriod(written(log, 'mediator_id'), written(log, 'date')) }),
  );
  return withClosed(row!);
}

export async function updateEntry<T extends LogTable>(tx: Tx, table: T, id: string, changes: Partial<LogRow<T>>): Promise<WithClosed<LogRow<T>>> {
  const log = asOne(table);
  const [row] = await runPrepared(
    `log.update ${getTableName(log)} ${setColumns(changes)}`,
    tx
      .update(log)
      .set(changes as Partial<typeof log.$inferInsert>)
      .where(eq(log.id, id))
      .returning({ ...getTableColumns(log), closed: closedPeriod(written(log, 'mediator_id'), written(log, 'date')) }),
  );
  return withClosed(row!);
}

export async function deleteEntry(tx: Tx, table: LogTable, id: string): Promise<void> {
  const log = asOne(table);
  await runPrepared(`log.delete ${getTableName(log)}`, tx.delete(log).where(eq(log.id, id)));
}
