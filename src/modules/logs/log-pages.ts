import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Queryable } from '../../db/client.ts';
import { registerYearUnder } from '../../domain/periods.ts';
import { cursorKey, keysetCursor } from '../../lib/cursor.ts';
import { loadRuleSets } from '../rule-sets/rule-sets-repository.ts';

export interface LogQuery {
  period?: number;
  limit: number;
  cursor?: string;
}

/** A log page ends at its last entry's date and id. */
const logCursor = keysetCursor(z.tuple([cursorKey.date, cursorKey.id]));

/**
 * The WHERE for one page of a mediator's log, newest first (keyset on date, id), optionally within
 * one register year.
 */
export async function logPageFilter(q: Queryable, cols: { mediatorId: PgColumn; date: PgColumn; id: PgColumn }, mediatorId: string, query: LogQuery): Promise<SQL> {
  const conditions: SQL[] = [eq(cols.mediatorId, mediatorId)];
  if (query.period !== undefined) {
    const year = registerYearUnder(await loadRuleSets(q), query.period);
    conditions.push(sql`${cols.date} BETWEEN ${year.start} AND ${year.end}`);
  }
  const after = logCursor.decode(query.cursor);
  if (after) conditions.push(or(lt(cols.date, after[0]), and(eq(cols.date, after[0]), lt(cols.id, after[1])))!);
  return and(...conditions)!;
}

export const newestFirst = (cols: { date: PgColumn; id: PgColumn }) => [desc(cols.date), desc(cols.id)];

/** The cursor of the page after the one ending at `last`. */
export const logCursorAfter = (last: { id: string; date: string }) => logCursor.encode([last.date, last.id]);

export const stamps = <R extends { createdAt: Date; updatedAt: Date }>(r: R) => ({ ...r, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() });
