import type { SQL } from 'drizzle-orm';
import { queryRows, sql, type Queryable, type Tx } from '../../db/client.ts';
import type { CpdTally, PracticeTally } from '../../domain/evaluation.ts';
import { CPD_CATEGORIES, PRACTICE_KINDS } from '../../domain/vocabulary.ts';
import { chunks, recordset } from '../../db/batches.ts';

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

/**
 * One row per window and log: the window's position in the list sent (cheaper to return and parse
 * than its mediator id and date) and, per CPD category, hours in all and SEND-specific hours
 * (`a0`, `s0`, ...), or per practice kind, hours and entries (`h0`, `n0`, ...).
 */
type TallyRow = { i: number } & Record<string, number>;

const column = (name: string) => sql.raw(`"${name}"`);
const cpdSql = (windows: SQL) => sql`
  SELECT w.i, ${sql.join(
    CPD_CATEGORIES.map(
      (category, k) => sql`coalesce(sum(c.hours) FILTER (WHERE c.category = ${category}), 0)::float8 AS ${column(`a${k}`)},
        coalesce(sum(c.hours) FILTER (WHERE c.category = ${category} AND c.send_specific), 0)::float8 AS ${column(`s${k}`)}`,
    ),
    sql`, `,
  )}
    FROM ${windows} JOIN cpd_entries c ON c.mediator_id = w."mediatorId" AND c.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY w.i`;
const practiceSql = (windows: SQL) => sql`
  SELECT w.i, ${sql.join(
    PRACTICE_KINDS.map(
      (kind, k) => sql`coalesce(sum(p.hours) FILTER (WHERE p.kind = ${kind}), 0)::float8 AS ${column(`h${k}`)},
        count(*) FILTER (WHERE p.kind = ${kind})::int AS ${column(`n${k}`)}`,
    ),
    sql`, `,
  )}
    FROM ${windows} JOIN practice_entries p ON p.mediator_id = w."mediatorId" AND p.date BETWEEN w."periodStart" AND w."periodEnd"
   GROUP BY w.i`;
const WINDOW_COLUMNS = sql`i int, "mediatorId" uuid, "periodStart" date, "periodEnd" date`;

const uniqueWindows = (windows: readonly LogWindow[]): LogWindow[] => [
  ...new Map(windows.map(({ mediatorId, periodStart, periodEnd }) => [windowKey({ mediatorId, periodStart }), { mediatorId, periodStart, periodEnd }])).values(),
];
/** Each window with its position in the list: the `i` the tally rows come back with. */
const indexed = (windows: LogWindow[]) => windows.map((w, i) => ({ ...w, i }));

async function collect(q: Queryable, windows: SQL, list: LogWindow[], out: Map<string, Tallies>): Promise<void> {
  const byIndex: Tallies[] = [];
  const tallies = (i: number) => {
    let t = byIndex[i];
    if (!t) out.set(windowKey(list[i]!), (t = byIndex[i] = { cpd: [], practice: [] }));
    return t;
  };
  for (const r of await queryRows<TallyRow>(q, cpdSql(windows))) {
    const { cpd } = tallies(r.i);
    CPD_CATEGORIES.forEach((category, k) => {
      const all = r[`a${k}`]!;
      const send = r[`s${k}`]!;
      if (all - send > 0) cpd.push({ category, sendSpecific: false, hours: all - send });
      if (send > 0) cpd.push({ category, sendSpecific: true, hours: send });
    });
  }
  for (const r of await queryRows<TallyRow>(q, practiceSql(windows))) {
    const { practice } = tallies(r.i);
    PRACTICE_KINDS.forEach((kind, k) => {
      if (r[`n${k}`]! > 0) practice.push({ kind, hours: r[`h${k}`]!, entries: r[`n${k}`]! });
    });
  }
}

/**
 * What a mediator logged in each of a few windows (a progress page), summed per CPD category (and
 * SEND flag) and per practice kind: an index lookup per window, one statement per batch of windows.
 */
export async function loadTallies(q: Queryable, windows: readonly LogWindow[]): Promise<Map<string, Tallies>> {
  const out = new Map<string, Tallies>();
  for (const batch of chunks(uniqueWindows(windows))) {
    await collect(q, recordset(indexed(batch), 'w', WINDOW_COLUMNS, 'jsonb'), batch, out);
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
  for (const batch of chunks(indexed(all), 50_000)) {
    await tx.execute(sql`INSERT INTO tally_windows SELECT * FROM ${recordset(batch, 'w', WINDOW_COLUMNS, 'jsonb')}`);
  }
  await tx.execute(sql`ANALYZE tally_windows`);
  await collect(tx, sql`tally_windows w`, all, out);
  await tx.execute(sql`DROP TABLE tally_windows`);
  return out;
}
