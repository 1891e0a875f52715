import { nextDay, registerYear, registerYearOf, type RegisterYear } from './register-year.ts';
import { ruleSetInForce, type RuleSet } from './rule-set.ts';

export interface Period<R extends RuleSet = RuleSet> {
  /** The register year the period belongs to (the calendar year it starts in). */
  year: number;
  start: string;
  end: string;
  /** A first period starting after its register year began. */
  partial: boolean;
  ruleSet: R;
}

/**
 * When a mediator's obligations start: the grandfathering compliance start when set, else the day
 * they were first accredited; null for someone never accredited.
 */
export function obligationsStart(m: { complianceStartOn: string | null; firstAccreditedOn: string | null }): string | null {
  return m.complianceStartOn ?? m.firstAccreditedOn;
}

/** A period starting after its register year began (a first period): its requirements may be pro-rated. */
export const isPartial = (start: string, ruleSet: RuleSet) => registerYearOf(start, ruleSet).start !== start;

/**
 * A mediator's compliance periods from their obligations start up to the one containing `until`:
 * the first runs from the start to the end of its register year, then one per register year. Each
 * period's boundaries and rules come from the set in force on its first day.
 */
export function periodsOf<R extends RuleSet>(start: string, until: string, sets: readonly R[]): Period<R>[] {
  const out: Period<R>[] = [];
  for (let from = start; from <= until; ) {
    const ruleSet = ruleSetInForce(sets, from);
    const year = registerYearOf(from, ruleSet);
    out.push({ year: year.year, start: from, end: year.end, partial: isPartial(from, ruleSet), ruleSet });
    from = nextDay(year.end);
  }
  return out;
}

/** The period of register year `year` (the one starting in it), or null if obligations had not begun. */
export function periodInYear<R extends RuleSet>(start: string, year: number, sets: readonly R[]): Period<R> | null {
  return periodsOf(start, `${year + 1}-12-31`, sets).find((p) => p.year === year) ?? null;
}

/** Register year `year` under the rules in force by its end (a later set may move the year start). */
export function registerYearUnder(sets: readonly RuleSet[], year: number): RegisterYear {
  return registerYear(year, ruleSetInForce(sets, `${year}-12-31`));
}
