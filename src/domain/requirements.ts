import { wholeMonthsBetween } from '../lib/calendar.ts';
import { nextDay } from './register-year.ts';
import { COUNT_METRICS, type RuleSet } from './rule-set.ts';
import type { Body, Metric } from './vocabulary.ts';

export interface PeriodRequirement {
  metric: Metric;
  required: number;
}

/** Whole months from a period's first day to the day after it ends (1 May to 31 March: 11). */
export function wholeMonthsRemaining(start: string, end: string): number {
  return wholeMonthsBetween(start, nextDay(end));
}

/**
 * The requirements for one period of a member of `body`: requirements scoped to another body drop
 * out; a partial first period is pro-rated by whole months remaining out of twelve,
 * hours rounded up to the half hour and counts up to a whole number.
 */
export function requirementsFor(ruleSet: Pick<RuleSet, 'requirements' | 'proRateFirstPeriod'>, period: { start: string; end: string; partial: boolean }, body: Body | null): PeriodRequirement[] {
  const applicable = ruleSet.requirements.filter((r) => r.body === null || r.body === body);
  if (!period.partial || !ruleSet.proRateFirstPeriod) return applicable.map((r) => ({ metric: r.metric, required: r.minimum }));
  const months = wholeMonthsRemaining(period.start, period.end);
  return applicable.map((r) => {
    const share = (r.minimum * months) / 12;
    return { metric: r.metric, required: COUNT_METRICS.includes(r.metric) ? Math.ceil(share) : Math.ceil(share * 2) / 2 };
  });
}
