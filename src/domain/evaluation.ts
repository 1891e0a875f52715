import type { PeriodRequirement } from './requirements.ts';
import type { RuleSet } from './rule-set.ts';
import { METRICS, type CpdCategory, type Metric, type PracticeKind } from './vocabulary.ts';

/** CPD hours logged in one category (one entry, or a sum of many). */
export interface CpdTally {
  category: CpdCategory;
  sendSpecific: boolean;
  hours: number;
}

/** Practice logged of one kind: hours and number of entries. */
export interface PracticeTally {
  kind: PracticeKind;
  hours: number;
  entries: number;
}

export type Achieved = Record<Metric, number>;

/** One requirement against what was achieved: what was required, what was achieved, what is missing. */
export interface Progress {
  metric: Metric;
  required: number;
  achieved: number;
  shortfall: number;
}

/** A requirement not met (shortfall above 0), as a compliance assessment keeps it and its mails list it. */
export type Deficit = Progress;

const PRACTICE_HOURS: readonly PracticeKind[] = ['send_mediation', 'send_co_mediation', 'other_mediation'];
/** The kinds counted as SEND mediations (and that record an outcome). */
export const SEND_MEDIATION_KINDS: readonly PracticeKind[] = ['send_mediation', 'send_co_mediation'];

/** Zero on every metric: a period with no entries. */
export const noAchievement = (): Achieved => Object.fromEntries(METRICS.map((m) => [m, 0])) as Achieved;

/**
 * What a period's entries achieve on each metric. A category cap limits how many of that
 * category's hours count, towards CPD hours and, of those, SEND-specific ones.
 */
export function achievedFrom(cpd: readonly CpdTally[], practice: readonly PracticeTally[], caps: RuleSet['categoryCaps']): Achieved {
  const out = noAchievement();
  const byCategory = new Map<CpdCategory, { all: number; send: number }>();
  for (const e of cpd) {
    const t = byCategory.get(e.category) ?? { all: 0, send: 0 };
    t.all += e.hours;
    if (e.sendSpecific) t.send += e.hours;
    byCategory.set(e.category, t);
  }
  for (const [category, t] of byCategory) {
    const cap = caps[category] ?? Infinity;
    out.cpd_hours += Math.min(t.all, cap);
    out.send_cpd_hours += Math.min(t.send, cap);
  }
  for (const p of practice) {
    if (PRACTICE_HOURS.includes(p.kind)) out.practice_hours += p.hours;
    if (SEND_MEDIATION_KINDS.includes(p.kind)) out.send_mediations += p.entries;
    if (p.kind === 'supervision_received') out.supervision_hours += p.hours;
  }
  return out;
}

/** Each requirement against what was achieved. */
export function evaluate(requirements: readonly PeriodRequirement[], achieved: Achieved): Progress[] {
  return requirements.map(({ metric, required }) => ({ metric, required, achieved: achieved[metric], shortfall: Math.max(0, required - achieved[metric]) }));
}

export const unmet = (progress: readonly Progress[]) => progress.filter((p) => p.shortfall > 0);
