import type { Body, CpdCategory, Metric } from './vocabulary.ts';

/** Metrics counted in entries; the rest are hours. */
export const COUNT_METRICS: readonly Metric[] = ['send_mediations'];

export interface Requirement {
  metric: Metric;
  minimum: number;
  /** Applies only to members of this body (supervision: CoM only); null for everyone. */
  body: Body | null;
}

export interface RuleSet {
  id: string;
  /** First day this set governs: always the first day of a register year. */
  effectiveFrom: string;
  yearStartMonth: number;
  yearStartDay: number;
  requirements: Requirement[];
  /** Most hours of a CPD category that count, e.g. { self_study: 3 }. */
  categoryCaps: Partial<Record<CpdCategory, number>>;
  graceDays: number;
  reminderOffsets: number[];
  graceReminderDays: number;
  proRateFirstPeriod: boolean;
}

/**
 * The set in force on a date: the latest effective on or before it. A date before every set falls
 * under the earliest, so mediators accredited before the first set still have obligations.
 */
export function ruleSetInForce<R extends Pick<RuleSet, 'effectiveFrom'>>(sets: readonly R[], date: string): R {
  if (sets.length === 0) throw new Error('No rule set exists: migrations not applied?');
  const sorted = [...sets].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return sorted.filter((s) => s.effectiveFrom <= date).at(-1) ?? sorted[0]!;
}
