import { queryRows, sql, type Queryable } from '../../db/client.ts';
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

/**
 * What each mediator logged in each window, summed per CPD category (and SEND flag) and per
 * practice kind: one statement per batch of windows, however many entries there are.
 */
export async function loadTallies(q: Queryable, windows: readonly LogWindow[]): Promise<Map<string, Tallies>> {
  const out = new Map<string, Tallies>();
  const unique = [...new Map(windows.map((w) => [windowKey(w), w])).values()];
  for (const batch of chunks(unique)) {
    const rows = await queryRows<{ mediatorId: string; periodStart: string; source: 'cpd' | 'practice'; key: string; sendSpecific: boolean; hours: number; entries: number }>(
      q,
      sql`WITH w AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS w("mediatorId" uuid, "periodStart" date, "periodEnd" date))
          SELECT w."mediatorId", to_char(w."periodStart", 'YYYY-MM-DD') AS "periodStart", 'cpd' AS source, c.category::text AS key,
                 c.send_specific AS "sendSpecific", sum(c.hours)::float8 AS hours, count(*)::int AS entries
            FROM w JOIN cpd_entries c ON c.mediator_id = w."mediatorId" AND c.date BETWEEN w."periodStart" AND w."periodEnd"
           GROUP BY 1, 2, 4, 5
          UNION ALL
          SELECT w."mediatorId", to_char(w."periodStart", 'YYYY-MM-DD'), 'practice', p.kind::text, false, sum(p.hours)::float8, count(*)::int
            FROM w JOIN practice_entries p ON p.mediator_id = w."mediatorId" AND p.date BETWEEN w."periodStart" AND w."periodEnd"
           GROUP BY 1, 2, 4`,
    );
    for (const r of rows) {
      const k = windowKey(r);
      const t = out.get(k) ?? { cpd: [], practice: [] };
      if (r.source === 'cpd') t.cpd.push({ category: r.key as CpdTally['category'], sendSpecific: r.sendSpecific, hours: Number(r.hours) });
      else t.practice.push({ kind: r.key as PracticeTally['kind'], hours: Number(r.hours), entries: Number(r.entries) });
      out.set(k, t);
    }
  }
  return out;
}
