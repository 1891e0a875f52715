import type { SQL } from 'drizzle-orm';
import { queryRows, sql, type Queryable, type Tx } from '../../db/client.ts';
import type { CpdTally, PracticeTally } from '../../domain/evaluation.ts';
import { chunks } from '../compliance/compliance-repository.ts';

export interface LogWindow {
  mediatorId: string;
  periodStart: string;
  periodEnd: string;
}
export interface Tallies {
  cpd: CpdTally[];
  practice: PracticeTally[];
}

export const windowKey = (w: { mediatorId: string; periodStart: string }) => `${w.mediatorId}|${w.periodStart}`;

interface TallyRow {
  /** The window's position in the list sent: cheaper to return and parse than its mediator id and date. */
  i: number;
  source: 'cpd' | 'practice';
  key: string;
  sendSpecific: boolean;
  hours: number;
  entries: number;
}

/** What was logged in each window of `windows` (a relation with i, "mediatorId", "periodStart", "periodEnd"). */
const tallySql = (windows: SQL) => sql`
  SELECT w.i, 'cpd' AS source, c.category::text AS key, c.send_specific AS "sendSpecific", sum(c.hours)::float8 AS hours, count(*)::int AS entries
    FROM ${windows} JOIN cpd_entries c ON c.mediator_id = w."mediatorId" AND c.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY 1, 3, 4
  UNION ALL
  SELECT w.i, 'practice', p.kind::text, false, sum(p.hours)::float8, count(*)::int
    FROM ${windows} JOIN practice_entries p ON p.mediator_id = w."mediatorId" AND p.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY 1, 3`;
const WINDOW_COLUMNS = sql`i int, "mediatorId" uuid, "periodStart" date, "periodEnd" date`;

const uniqueWindows = (windows: readonly LogWindow[]) =>
  [...new Map(windows.map(({ mediatorId, periodStart, periodEnd }) => [windowKey({ mediatorId, periodStart }), { mediatorId, periodStart, periodEnd }])).values()].map(
    (w, i) => ({ i, ...w }),
  );

function collect(rows: TallyRow[], windows: ReturnType<typeof uniqueWindows>, out: Map<string, Tallies>): void {
  const byIndex: Tallies[] = [];
  for (const r of rows) {
    let t = byIndex[r.i];
    if (!t) out.set(windowKey(windows[r.i]!), (t = byIndex[r.i] = { cpd: [], practice: [] }));
    if (r.source === 'cpd') t.cpd.push({ category: r.key as CpdTally['category'], sendSpecific: r.sendSpecific, hours: r.hours });
    else t.practice.push({ kind: r.key as PracticeTally['kind'], hours: r.hours, entries: r.entries });
  }
}

/**
 * What a mediator logged in each of a few windows (a progress page), summed per CPD category (and
 * SEND flag) and per practice kind: an index lookup per window, one statement per batch of windows.
 */
export async function loadTallies(q: Queryable, windows: readonly LogWindow[]): Promise<Map<string, Tallies>> {
  const out = new Map<string, Tallies>();
  for (const batch of chunks(uniqueWindows(windows))) {
    const indexed = batch.map((w, i) => ({ ...w, i }));
    collect(await queryRows<TallyRow>(q, tallySql(sql`jsonb_to_recordset(${JSON.stringify(indexed)}::jsonb) AS w(${WINDOW_COLUMNS})`)), indexed, out);
  }
  return out;
}

/**
 * The same for every window of a compliance run. The windows go into a temporary table the planner
 * can count, so each log table is read once in a hash join: a nested index lookup per window (what
 * a function's fixed row estimate gets) took twice as long at 100,000 mediators.
 */
export async function loadAllTallies(tx: Tx, windows: readonly LogWindow[]): Promise<Map<string, Tallies>> {
  const out = new Map<string, Tallies>();
  const all = uniqueWindows(windows);
  await tx.execute(sql`CREATE TEMPORARY TABLE tally_windows (${WINDOW_COLUMNS}) ON COMMIT DROP`);
  for (const batch of chunks(all, 50_000)) {
    await tx.execute(sql`INSERT INTO tally_windows SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS w(${WINDOW_COLUMNS})`);
  }
  await tx.execute(sql`ANALYZE tally_windows`);
  collect(await queryRows<TallyRow>(tx, tallySql(sql`tally_windows w`)), all, out);
  await tx.execute(sql`DROP TABLE tally_windows`);
  return out;
}
