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
  mediatorId: string;
  periodStart: string;
  source: 'cpd' | 'practice';
  key: string;
  sendSpecific: boolean;
  hours: number;
  entries: number;
}

/** What was logged in each window of `windows` (a relation with "mediatorId", "periodStart", "periodEnd"). */
const tallySql = (windows: SQL) => sql`
  SELECT w."mediatorId", to_char(w."periodStart", 'YYYY-MM-DD') AS "periodStart", 'cpd' AS source, c.category::text AS key,
         c.send_specific AS "sendSpecific", sum(c.hours)::float8 AS hours, count(*)::int AS entries
    FROM ${windows} JOIN cpd_entries c ON c.mediator_id = w."mediatorId" AND c.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY 1, 2, 4, 5
  UNION ALL
  SELECT w."mediatorId", to_char(w."periodStart", 'YYYY-MM-DD'), 'practice', p.kind::text, false, sum(p.hours)::float8, count(*)::int
    FROM ${windows} JOIN practice_entries p ON p.mediator_id = w."mediatorId" AND p.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY 1, 2, 4`;

const uniqueWindows = (windows: readonly LogWindow[]) =>
  [...new Map(windows.map(({ mediatorId, periodStart, periodEnd }) => [windowKey({ mediatorId, periodStart }), { mediatorId, periodStart, periodEnd }])).values()];

function collect(rows: TallyRow[], out: Map<string, Tallies>): void {
  let last: TallyRow | undefined;
  let t: Tallies | undefined;
  for (const r of rows) {
    // Rows of one window mostly arrive together: skip the key and lookup for all but the first.
    if (!last || !t || r.mediatorId !== last.mediatorId || r.periodStart !== last.periodStart) {
      const k = windowKey(r);
      t = out.get(k);
      if (!t) out.set(k, (t = { cpd: [], practice: [] }));
    }
    last = r;
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
    const source = sql`jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS w("mediatorId" uuid, "periodStart" date, "periodEnd" date)`;
    collect(await queryRows<TallyRow>(q, tallySql(source)), out);
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
  await tx.execute(sql`CREATE TEMPORARY TABLE tally_windows ("mediatorId" uuid, "periodStart" date, "periodEnd" date) ON COMMIT DROP`);
  for (const batch of chunks(uniqueWindows(windows), 50_000)) {
    await tx.execute(sql`INSERT INTO tally_windows SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS w("mediatorId" uuid, "periodStart" date, "periodEnd" date)`);
  }
  await tx.execute(sql`ANALYZE tally_windows`);
  collect(await queryRows<TallyRow>(tx, tallySql(sql`tally_windows w`)), out);
  await tx.execute(sql`DROP TABLE tally_windows`);
  return out;
}
