// The compliance job's view of the rules: the domain core (src/domain) over the stored rule sets.
import type { Queryable, Tx } from '../../db/client.ts';
import { achievedFrom, evaluate, noAchievement, unmet, type Achieved, type Deficit } from '../../domain/evaluation.ts';
import { isPartial, obligationsStart, periodInYear, periodsOf, type Period as DomainPeriod } from '../../domain/periods.ts';
import { registerYear } from '../../domain/register-year.ts';
import { requirementsFor } from '../../domain/requirements.ts';
import { ruleSetInForce } from '../../domain/rule-set.ts';
import type { Body } from '../../domain/vocabulary.ts';
import { loadAllTallies, windowKey } from '../logs/log-tallies.ts';
import { byId, loadRuleSets } from '../rule-sets/rule-sets-repository.ts';

export interface Window {
  mediatorId: string;
  body: Body | null;
  periodStart: string;
  periodEnd: string;
  ruleSetId: string;
}
interface Period {
  periodStart: string;
  periodEnd: string;
  ruleSetId: string;
}
interface Start {
  firstAccreditedOn: string | null;
  complianceStartOn: string | null;
}

export interface ComplianceRules {
  periodsOf(m: Start, asOf: string): Period[];
  periodIn(m: Start, year: number): Period | null;
  registerYear(year: number): { start: string; end: string };
  deficits(w: Window, achieved: Partial<Achieved>): Deficit[];
  graceDays(ruleSetId: string): number;
  reminderOffsets(ruleSetId: string): number[];
  graceReminderDays(ruleSetId: string): number;
}

const toPeriod = (p: DomainPeriod) => ({ periodStart: p.start, periodEnd: p.end, ruleSetId: p.ruleSet.id });

export async function loadComplianceRules(q: Queryable): Promise<ComplianceRules> {
  const sets = await loadRuleSets(q);
  const set = byId(sets);
  return {
    periodsOf(m, asOf) {
      const start = obligationsStart(m);
      return start ? periodsOf(start, asOf, sets).map(toPeriod) : [];
    },
    periodIn(m, year) {
      const start = obligationsStart(m);
      const p = start ? periodInYear(start, year, sets) : null;
      return p && toPeriod(p);
    },
    // The year's boundaries under the set in force by its end (a set may move the year start).
    registerYear: (year) => registerYear(year, ruleSetInForce(sets, `${year}-12-31`)),
    deficits(w, achieved) {
      const rs = set(w.ruleSetId);
      const period = { start: w.periodStart, end: w.periodEnd, partial: isPartial(w.periodStart, rs) };
      return unmet(evaluate(requirementsFor(rs, period, w.body), { ...noAchievement(), ...achieved }));
    },
    graceDays: (id) => set(id).graceDays,
    reminderOffsets: (id) => set(id).reminderOffsets,
    graceReminderDays: (id) => set(id).graceReminderDays,
  };
}

/** What each window's entries achieve, category caps of its rule set applied. */
export async function loadAchieved(tx: Tx, windows: Window[]): Promise<Map<string, Achieved>> {
  const set = byId(await loadRuleSets(tx));
  const tallies = await loadAllTallies(tx, windows);
  return new Map(
    windows.map((w) => {
      const t = tallies.get(windowKey(w));
      return [windowKey(w), achievedFrom(t?.cpd ?? [], t?.practice ?? [], set(w.ruleSetId).categoryCaps)];
    }),
  );
}
