import { addDays } from '../../lib/calendar.ts';
import { registerYearLabel, registerYearOf, type RegisterYear } from '../../domain/register-year.ts';
import { COUNT_METRICS, ruleSetInForce, type RuleSet } from '../../domain/rule-set.ts';
import type { CpdCategory } from '../../domain/vocabulary.ts';
import { capInWords, requirementInWords, ruleSetSummary, termsInWords } from './rules-in-words.ts';

/** Where a version stands today: it governed past years only, governs this year, or starts later. */
export type RuleSetStanding = 'superseded' | 'in_force' | 'scheduled';

const labelled = (y: RegisterYear) => ({ ...y, label: registerYearLabel(y) });

/**
 * Every version of the rules as the public reads them: the amounts as data, each in plain words, and
 * the register years each governs. Reminder timings are left out: they are how the register nags,
 * not what a mediator must do. Superseded versions stay listed: the set in force when a year began
 * governs that whole year (its grace and its assessment included), so past years' outcomes were
 * judged by them.
 */
export function publishedRuleSets(sets: readonly RuleSet[], today: string) {
  const sorted = [...sets].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const inForce = ruleSetInForce(sorted, today);
  return sorted.map((s, i) => {
    const next = sorted[i + 1];
    const standing: RuleSetStanding = s === inForce ? 'in_force' : s.effectiveFrom > today ? 'scheduled' : 'superseded';
    return {
      effectiveFrom: s.effectiveFrom,
      standing,
      inForce: s === inForce,
      firstRegisterYear: labelled(registerYearOf(s.effectiveFrom, s)),
      lastRegisterYear: next ? labelled(registerYearOf(addDays(next.effectiveFrom, -1), s)) : null,
      yearStartMonth: s.yearStartMonth,
      yearStartDay: s.yearStartDay,
      summary: ruleSetSummary(s),
      requirements: s.requirements.map((r) => ({ ...r, unit: COUNT_METRICS.includes(r.metric) ? ('mediations' as const) : ('hours' as const), inWords: requirementInWords(r) })),
      categoryCaps: (Object.entries(s.categoryCaps) as Array<[CpdCategory, number]>).map(([category, maximumHours]) => ({ category, maximumHours, inWords: capInWords(category, maximumHours) })),
      graceDays: s.graceDays,
      proRateFirstPeriod: s.proRateFirstPeriod,
      terms: termsInWords(s),
    };
  });
}
export type PublishedRuleSet = ReturnType<typeof publishedRuleSets>[number];
