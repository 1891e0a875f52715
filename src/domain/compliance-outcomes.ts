import { addDays, daysBetween } from '../lib/calendar.ts';
import type { Deficit } from './evaluation.ts';
import type { ComplianceOutcome } from './vocabulary.ts';

/** Counts of what one compliance run changed. */
export interface RunCounts {
  compliant: number;
  inGrace: number;
  nonCompliant: number;
  exempt: number;
  lapsed: number;
}

/** The count an assessment with each outcome adds to. */
export const OUTCOME_COUNT = {
  compliant: 'compliant',
  in_grace: 'inGrace',
  non_compliant: 'nonCompliant',
  exempt: 'exempt',
} as const satisfies Record<ComplianceOutcome, keyof RunCounts>;

/**
 * The compliance job's own rules, as plain functions: what an ended period's outcome is on an
 * as-of date, and which reminder is due. The requirement arithmetic itself is src/domain's.
 */

/** Last day of grace: period end + grace days, or a later extension. */
export function graceEnd(periodEnd: string, graceDays: number, extendedUntil: string | null): string {
  const base = addDays(periodEnd, graceDays);
  return extendedUntil && extendedUntil > base ? extendedUntil : base;
}

/**
 * The outcome of an ended period on as-of date D (the run for D sees every day before D as done):
 * exempt if an admin exempted it; compliant once nothing is missing; otherwise in grace until the
 * grace end has passed, then non-compliant.
 */
export function decideOutcome(input: { asOf: string; graceEndsOn: string; exempt: boolean; deficits: Deficit[] }): ComplianceOutcome {
  if (input.exempt) return 'exempt';
  if (input.deficits.length === 0) return 'compliant';
  return input.asOf > input.graceEndsOn ? 'non_compliant' : 'in_grace';
}

/**
 * The reminder due to someone behind target `daysLeft` days before their period ends: the nearest
 * offset not yet passed (so a run after days of downtime sends one reminder, not a burst).
 */
export function dueReminderOffset(daysLeft: number, offsets: readonly number[]): number | null {
  const due = offsets.filter((o) => daysLeft >= 0 && daysLeft <= o);
  return due.length === 0 ? null : Math.min(...due);
}

/** Whole days from as-of date to a later date (0 on the day itself). */
export const daysUntil = (asOf: string, day: string) => daysBetween(asOf, day);
