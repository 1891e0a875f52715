import { registerYearLabel } from '../../domain/register-year.ts';
import { BODIES, COMPLIANCE_OUTCOMES, type Body, type ComplianceOutcome } from '../../domain/vocabulary.ts';
import { REGIONS } from '../../../schemas/common.ts';

/** Counts from 1 to 4 could point at someone: statistical-disclosure practice publishes them as "<5". */
export const SMALLEST_SHOWN = 5;
export type Count = number | '<5';

/**
 * A count as published: 1 to 4 as "<5". Zero is shown: "nobody" points at no one, and hiding it
 * would make every empty cell look like a few people.
 */
export function suppressSmall(n: number): Count {
  return n > 0 && n < SMALLEST_SHOWN ? '<5' : n;
}

/**
 * The total of cells that add up to it (one mediator in exactly one cell), published only when no
 * cell is suppressed: with the total and the other cells exact, a suppressed one is a subtraction
 * away. Withheld (null) rather than rounded: any rounding rule gives the cell back at its edges.
 */
export function partitionTotal(cells: readonly number[]): number | null {
  return cells.some((n) => suppressSmall(n) === '<5') ? null : cells.reduce((a, b) => a + b, 0);
}

/**
 * Cells of an open list (languages) in an order that gives nothing away: shown counts largest first,
 * then the suppressed ones by key. Ordered by their real counts, "<5" cells would rank each other.
 */
function openList<K extends string>(counts: ReadonlyMap<K, number>) {
  const rank = (c: Count) => (c === '<5' ? -1 : c);
  return [...counts].map(([key, n]) => ({ key, count: suppressSmall(n) })).sort((a, b) => rank(b.count) - rank(a.count) || a.key.localeCompare(b.key));
}

export interface StatsRows {
  byBody: ReadonlyMap<Body, number>;
  byRegion: ReadonlyMap<string, number>;
  byLanguage: ReadonlyMap<string, number>;
  /** Assessments per register year (the calendar year it starts) and outcome, with the year's last day. */
  outcomes: ReadonlyArray<{ year: number; end: string; outcome: ComplianceOutcome; n: number }>;
}

/** The published statistics from the raw counts: every count suppressed, totals only where safe. */
export function publishStats(rows: StatsRows, asOf: string) {
  const bodies = BODIES.map((body) => rows.byBody.get(body) ?? 0);
  const years = [...new Set(rows.outcomes.map((r) => r.year))].sort((a, b) => b - a);
  return {
    asOf,
    accredited: {
      total: partitionTotal(bodies),
      byBody: BODIES.map((body, i) => ({ body, count: suppressSmall(bodies[i]!) })),
      // Regions and languages overlap (a mediator may cover several), so they add up to no total.
      byRegion: REGIONS.map((region) => ({ region, count: suppressSmall(rows.byRegion.get(region) ?? 0) })),
      byLanguage: openList(rows.byLanguage).map(({ key, count }) => ({ language: key, count })),
    },
    complianceOutcomes: years.map((year) => {
      const rs = rows.outcomes.filter((r) => r.year === year);
      const cells = COMPLIANCE_OUTCOMES.map((o) => rs.filter((r) => r.outcome === o).reduce((a, r) => a + r.n, 0));
      const end = rs
        .map((r) => r.end)
        .sort()
        .at(-1)!;
      return {
        registerYear: year,
        label: registerYearLabel({ year, end }),
        total: partitionTotal(cells),
        outcomes: Object.fromEntries(COMPLIANCE_OUTCOMES.map((o, i) => [o, suppressSmall(cells[i]!)])) as Record<ComplianceOutcome, Count>,
      };
    }),
  };
}
