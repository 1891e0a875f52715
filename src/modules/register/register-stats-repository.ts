import { queryRows, sql, type Queryable } from '../../db/client.ts';
import type { Body, ComplianceOutcome } from '../../domain/vocabulary.ts';
import type { StatsRows } from './register-stats.ts';

/**
 * The raw counts behind the published statistics, in two aggregate statements: accredited entries
 * by body, region and language (one scan of them, shared by the three groupings), and compliance
 * outcomes per register year. A period's register year is the calendar year before the day after
 * it ends (31 March 2026 → 2025), whatever day the year starts on.
 */
export async function loadStatsRows(q: Queryable): Promise<StatsRows> {
  const [counts, outcomes] = await Promise.all([
    queryRows<{ dimension: 'body' | 'region' | 'language'; key: string; n: number }>(
      q,
      sql`WITH accredited AS (SELECT body, regions, languages FROM mediators WHERE status = 'accredited')
          SELECT 'body' AS dimension, body::text AS key, count(*)::int AS n FROM accredited WHERE body IS NOT NULL GROUP BY body
          UNION ALL
          SELECT 'region', region, count(*)::int FROM accredited, unnest(regions) AS region GROUP BY region
          UNION ALL
          SELECT 'language', language, count(*)::int FROM accredited, unnest(languages) AS language GROUP BY language`,
    ),
    queryRows<{ year: number; end: string; outcome: ComplianceOutcome; n: number }>(
      q,
      sql`SELECT extract(year FROM period_end + 1)::int - 1 AS year, to_char(max(period_end), 'YYYY-MM-DD') AS "end", outcome::text AS outcome, count(*)::int AS n
            FROM compliance_assessments GROUP BY 1, outcome`,
    ),
  ]);
  const of = <K extends string>(dimension: string) => new Map(counts.filter((c) => c.dimension === dimension).map((c) => [c.key as K, c.n]));
  return { byBody: of<Body>('body'), byRegion: of('region'), byLanguage: of('language'), outcomes };
}
